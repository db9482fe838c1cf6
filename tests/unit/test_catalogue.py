"""The feed catalogue is complete and consistent with REFERENCE.md (§2 identifiers, §3 layouts,
§8 categories, §9 sectors), and its Markdown rendering is derived from it."""

from __future__ import annotations

import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from stdnum.cn import uscc as stdnum_uscc

from ingest_connectors.catalogue import CatalogueError, load_catalogue
from ingest_connectors.catalogue.docs import DOCS_PATH, render
from ingest_connectors.catalogue.loader import CATALOGUE_DIR, load_sector
from ingest_connectors.catalogue.model import ACT_KINDS, INFORMATION_CATEGORIES

# REFERENCE §9, in order.
SECTORS = {
    1: ("production", "生产"),
    2: ("circulation", "流通"),
    3: ("taxation", "税务"),
    4: ("pricing", "价格"),
    5: ("construction", "工程建设"),
    6: ("bidding", "招标投标"),
    7: ("transport", "交通运输"),
    8: ("ecommerce", "电子商务"),
    9: ("intermediary_services", "中介服务业"),
    10: ("exhibition_advertising", "会展广告"),
    11: ("health_family_planning", "医药卫生和计划生育"),
    12: ("social_security", "社会保障"),
    13: ("labour_employment", "劳动用工"),
    14: ("education_research", "教育科研"),
    15: ("culture_sports_tourism", "文化体育旅游"),
    16: ("intellectual_property", "知识产权"),
    17: ("environment_energy", "环境保护和能源节约"),
    18: ("social_organizations", "社会组织"),
    19: ("key_occupations", "重点职业人群"),
    20: ("internet_services", "互联网应用及服务"),
}

# REFERENCE §3: code → (Chinese name, Y/C/O) for a representative set of each layout's fields.
PENALTY_FIELDS = {
    "CF_XDR_MC": ("行政相对人名称", "Y"),
    "CF_WSH": ("决定书文号", "Y"),
    "CF_CFLB": ("处罚类别", "Y"),
    "CF_NR_FK": ("罚款金额（万元）", "C"),
    "CF_JDRQ": ("处罚决定日期", "Y"),
    "CF_CFJG": ("处罚机关", "Y"),
    "CF_SJLYDM": ("数据来源单位统一社会信用代码", "Y"),
}
LICENCE_FIELDS = {
    "XK_XKWS": ("行政许可决定文书名称", "Y"),
    "XK_WSH": ("行政许可决定文书号", "Y"),
    "XK_XKLB": ("许可类别", "Y"),
    "XK_YXQZ": ("有效期自", "Y"),
    "XK_YXQZI": ("有效期至", "Y"),
    "XK_ZT": ("当前状态", "Y"),
    "XK_LYDWDM": ("数据来源单位统一社会信用代码", "Y"),
}

# The Chinese name each act layout record type starts with (十公开, REFERENCE §3).
ACT_NAMES_ZH = {
    "enforcement": "行政强制", "confirmation": "行政确认", "levy": "行政征收", "benefit": "行政给付",
    "adjudication": "行政裁决", "compensation": "行政补偿", "award": "行政奖励", "inspection": "行政检查",
}

_ORG_CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def org_code_check_passes(org_code: str) -> bool:
    """GB 11714 check over the 9-character organisation code (REFERENCE §2)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(_ORG_CODE_CHARS.index(c) * w for c, w in zip(org_code[:8], weights))
    check = 11 - total % 11
    return org_code[8] == {10: "X", 11: "0"}.get(check, str(check))


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def all_record_types(cat):
    return [rt for s in cat.sectors for rt in s.record_types]


# --- sectors ---------------------------------------------------------------------------------


def test_catalogue_holds_exactly_the_twenty_reference_sectors(cat):
    assert {s.number: (s.slug, s.name_zh) for s in cat.sectors} == SECTORS


def test_sector_files_are_named_number_then_slug():
    names = sorted(p.name for p in (CATALOGUE_DIR / "sectors").glob("*.yaml"))
    assert names == [f"{n:02d}_{slug}.yaml" for n, (slug, _) in sorted(SECTORS.items())]


def test_every_sector_has_three_to_five_record_types(cat):
    counts = {s.slug: len(s.record_types) for s in cat.sectors}
    assert all(3 <= n <= 5 for n in counts.values()), counts


# --- the double-publicity layouts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "expected"), [("penalty", PENALTY_FIELDS), ("licence", LICENCE_FIELDS)]
)
def test_every_sector_publishes_penalties_and_licences_in_the_standard_layout(
    cat, layout, expected
):
    for sector in cat.sectors:
        feeds = [rt for rt in sector.record_types if rt.layout == layout]
        assert len(feeds) == 1, f"{sector.slug} has {len(feeds)} {layout} feeds"
        (rt,) = feeds
        assert rt.code == layout and rt.act_kind == layout
        by_code = {f.code: (f.name_zh, f.required) for f in rt.fields}
        assert {code: by_code.get(code) for code in expected} == expected, sector.slug


def test_field_codes_are_unique_within_each_record_type(cat):
    for sector in cat.sectors:
        for rt in sector.record_types:
            dupes = [c for c, n in Counter(f.code for f in rt.fields).items() if n > 1]
            assert not dupes, f"{sector.slug}.{rt.code}: {dupes}"


# --- sector-specific record types and acts -------------------------------------------------------


def test_at_least_twenty_distinct_sector_specific_record_types(cat):
    specific = {rt.code for rt in all_record_types(cat) if rt.layout == "sector_record"}
    assert len(specific) >= 20, sorted(specific)


def test_every_sector_has_a_record_type_of_its_own(cat):
    without = [s.slug for s in cat.sectors
               if not any(rt.layout == "sector_record" for rt in s.record_types)]
    assert without == []


@pytest.mark.parametrize(("layout", "prefix"), [("sector_record", "XY_"), ("act", "XZ_")])
def test_layout_field_codes_carry_the_layout_prefix(cat, layout, prefix):
    bad = [(rt.code, f.code) for rt in all_record_types(cat) if rt.layout == layout
           for f in rt.fields if not (f.code.startswith(prefix) or f.code == "BZ")]
    assert bad == []


def test_all_ten_publicised_act_kinds_appear(cat):
    assert {rt.act_kind for rt in all_record_types(cat)} - {None} == set(ACT_KINDS)


def test_each_other_act_kind_is_one_act_feed_named_after_its_act(cat):
    acts = [rt for rt in all_record_types(cat) if rt.layout == "act"]
    assert sorted(rt.act_kind for rt in acts) == sorted(ACT_NAMES_ZH)
    for rt in acts:
        assert rt.name_zh.startswith(ACT_NAMES_ZH[rt.act_kind]), rt.code


def test_categories_and_polarities_are_from_the_closed_lists(cat):
    for rt in all_record_types(cat):
        assert rt.category in INFORMATION_CATEGORIES
        assert rt.polarity in ("positive", "negative", "neutral")


def test_money_is_in_wan_yuan_within_a_city_scale(cat):
    money = [(rt.code, f) for rt in all_record_types(cat) for f in rt.fields
             if f.type == "amount_wan_yuan" or "万元" in f.name_zh]
    assert len(money) > 20
    for code, f in money:
        assert (f.type, f.unit, f.min_value, f.max_value) == ("amount_wan_yuan", "万元", 0, 100000), (
            f"{code}.{f.column}")


# --- connectors ------------------------------------------------------------------------------


def test_connector_kinds_are_assigned_as_agreed(cat):
    kinds = {s.number: s.connector.kind for s in cat.sectors}
    assert {n for n, k in kinds.items() if k == "http_api"} == {3, 12, 20}
    assert {n for n, k in kinds.items() if k == "database"} == {5, 7, 11}
    assert set(kinds.values()) == {"http_api", "database", "file_drop"}


def test_connector_settings_follow_their_kind(cat):
    for s in cat.sectors:
        settings = s.connector.settings
        if s.connector.kind == "http_api":
            assert settings == {"path": f"/api/v1/{s.slug}", "page_size": 500,
                                "token_env": f"CREDIT_FEED_TOKEN_{s.slug.upper()}"}
        elif s.connector.kind == "database":
            assert settings == {"table_prefix": "", "watermark_column": "updated_at"}
        else:
            assert set(settings) == {"format", "encoding"}, s.slug
            assert settings["format"] in ("csv", "xlsx", "json", "jsonl")
            assert settings["encoding"] in ("utf-8", "utf-8-sig", "gbk", "gb18030")
            if settings["format"] in ("json", "xlsx"):
                assert settings["encoding"] == "utf-8", s.slug


def test_file_drops_exercise_every_format_and_encoding(cat):
    drops = [s.connector.settings for s in cat.sectors if s.connector.kind == "file_drop"]
    formats = Counter(d["format"] for d in drops)
    encodings = Counter(d["encoding"] for d in drops)
    assert all(formats[f] >= 2 for f in ("csv", "xlsx", "json", "jsonl")), formats
    assert encodings["gbk"] >= 3 and encodings["gb18030"] >= 1 and encodings["utf-8-sig"] >= 1


# --- departments -----------------------------------------------------------------------------


def test_org_code_check_accepts_reference_examples_and_rejects_a_typo():
    for code in ("914403001922038216", "9144030071526726XG", "91440101MA5CJQ4N59"):
        assert org_code_check_passes(code[8:17])
    assert not org_code_check_passes("19220382" + "7")


def test_department_usccs_are_valid_huangshi_government_organ_codes(cat):
    for s in cat.sectors:
        assert 1 <= len(s.departments) <= 2, s.slug
        for d in s.departments:
            assert stdnum_uscc.is_valid(d.uscc), (s.slug, d.code, d.uscc)
            assert d.uscc.startswith("11420200"), (s.slug, d.code)
            assert org_code_check_passes(d.uscc[8:17]), (s.slug, d.code)
            assert d.code.startswith("HS-") and "黄石" in d.name_zh


def test_a_department_code_means_the_same_department_everywhere(cat):
    seen: dict[str, tuple[str, str]] = {}
    for s in cat.sectors:
        for d in s.departments:
            assert seen.setdefault(d.code, (d.uscc, d.name_zh)) == (d.uscc, d.name_zh), d.code
    assert len({u for u, _ in seen.values()}) == len(seen)  # no two codes share one USCC


# --- lookups and conditions ------------------------------------------------------------------


def test_every_enum_field_names_an_existing_lookup(cat):
    enums = [(rt.code, f) for rt in all_record_types(cat) for f in rt.fields if f.type == "enum"]
    missing = [(code, f.column, f.lookup) for code, f in enums if f.lookup not in cat.lookups]
    assert enums and missing == []


def test_every_conditional_field_depends_on_a_canonical_value_of_an_existing_field(cat):
    for rt in all_record_types(cat):
        by_column = {f.column: f for f in rt.fields}
        for f in rt.fields:
            if f.required != "C":
                continue
            assert f.required_when is not None, f"{rt.code}.{f.column}"
            other = by_column.get(f.required_when.field)
            assert other is not None and other is not f, f"{rt.code}.{f.column}"
            if other.lookup:
                canonical = set(cat.lookups[other.lookup].values)
                assert set(f.required_when.in_) <= canonical, f"{rt.code}.{f.column}"


def test_lookup_values_and_aliases_are_written_in_matching_form(cat):
    # Sent values are folded (NFKC: full-width → half-width), stripped of spaces and upper-cased
    # before matching, so a value or alias not already in that form could never match.
    def folded(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).upper()

    for lookup in cat.lookups.values():
        for text in (*lookup.values, *lookup.aliases):
            assert folded(text) == text, (lookup.name, text)


# --- the loader ------------------------------------------------------------------------------

_GOOD_SECTOR = (CATALOGUE_DIR / "sectors" / "03_taxation.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("not YAML", "number: 1\nslug: [unclosed\n"),
        ("not a mapping", "- 1\n- 2\n"),
        ("empty file", ""),
        ("unknown category", _GOOD_SECTOR.replace("category: 信用评价结果信息", "category: 随便什么信息")),
        ("unknown layout", _GOOD_SECTOR.replace("layout: licence", "layout: license")),
        ("missing name", _GOOD_SECTOR.replace("name_zh: 税务\n", "")),
        ("C field without condition", _GOOD_SECTOR.replace(
            "code: XY_AJXZ, type: text, required: Y", "code: XY_AJXZ, type: text, required: C")),
    ],
)
def test_loader_rejects_a_malformed_sector_file_naming_the_file(tmp_path, label, text):
    path = tmp_path / "99_broken.yaml"
    path.write_text(text, encoding="utf-8")
    assert text != _GOOD_SECTOR, "the mutation did not apply"
    with pytest.raises(CatalogueError) as excinfo:
        load_sector(path)
    assert str(path) in str(excinfo.value)


def test_loader_accepts_a_well_formed_sector_file_outside_the_catalogue(tmp_path):
    path = tmp_path / "03_taxation.yaml"
    shutil.copy(CATALOGUE_DIR / "sectors" / "03_taxation.yaml", path)
    assert load_sector(path).slug == "taxation"


# --- docs ------------------------------------------------------------------------------------


def test_docs_name_every_feed(cat):
    text = render(cat)
    missing = [feed.key for feed in cat.feeds() if f"(`{feed.key}`)" not in text]
    assert missing == []


def test_checked_in_docs_are_the_rendered_catalogue(cat):
    assert DOCS_PATH == Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
    assert DOCS_PATH.read_text(encoding="utf-8") == render(cat), (
        "docs/catalogue.md is stale: run python -m ingest_connectors.catalogue.docs")
