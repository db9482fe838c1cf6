"""The configuration files: validation, the tables they become, the roster. No database needed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from credit import settings
from credit.ratings import config as rc
from credit.ratings.inspection import PLAN_DDL, Quarter
from credit.ratings.roster import roster_rows

SOURCES = settings.DBT_PROJECT_DIR / "models" / "marts" / "ratings" / "_ratings__sources.yml"


def _write(tmp: Path, name: str, mutate) -> Path:
    for f in (rc.RATING_MODEL_FILE, rc.INSPECTION_FILE, rc.INTEGRITY_FILE):
        (tmp / f).write_text((settings.CONFIG_DIR / f).read_text(encoding="utf-8"), encoding="utf-8")
    data = yaml.safe_load((tmp / name).read_text(encoding="utf-8"))
    mutate(data)
    (tmp / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp


def test_the_shipped_configuration_is_valid():
    model = rc.load_rating_model()
    inspection = rc.load_inspection()
    integrity = rc.load_integrity()
    rc._check_cross(model, inspection, integrity)
    # dimensions mirror the 13 information categories, each matched by at least one indicator
    matched = {c for d in model.dimensions for i in d.indicators for c in (i.match.information_category or ())}
    assert matched == set(rc.INFORMATION_CATEGORIES)
    assert [g.grade for g in model.grades] == ["A", "B", "C", "D"]
    assert {k: float(v) for k, v in inspection.ratios.items()} == {
        "A": 0.01, "B": 0.02, "C": 0.10, "D": 0.30, "serious_list": 1.0}
    caps = {c.key: c.max_grade for c in model.caps}
    assert caps["serious_dishonesty_list"] == "D"


def test_band_tops_follow_the_next_grade():
    model = rc.load_rating_model()
    tops = model.band_max_scores()
    mins = {g.grade: g.min_score for g in model.grades}
    assert tops["A"] == model.score.max
    assert tops["B"] == mins["A"] - rc.Decimal("0.01")
    assert tops["D"] == mins["C"] - rc.Decimal("0.01")


@pytest.mark.parametrize("name, mutate, message", [
    (rc.RATING_MODEL_FILE, lambda d: d["grades"].reverse(), "best first"),
    (rc.RATING_MODEL_FILE, lambda d: d["dimensions"][0]["indicators"][0]["match"].update(
        information_category=["不存在的类别"]), "13 information categories"),
    (rc.RATING_MODEL_FILE, lambda d: d["caps"][0].update(max_grade="E"), "unknown grade"),
    (rc.RATING_MODEL_FILE, lambda d: d["sector_models"][0].update(feed_key="taxation__nothing"), "no feed"),
    (rc.RATING_MODEL_FILE, lambda d: d["sector_models"][0]["grades"].update(Z={"score": 1}), "not values of lookup"),
    (rc.INSPECTION_FILE, lambda d: d["ratios"].update(E=0.5), "unknown strata"),
    (rc.INSPECTION_FILE, lambda d: d["ratios"].update(A=1.5), "between 0 and 1"),
    (rc.INTEGRITY_FILE, lambda d: d["rules"][1].update(grades=["Z"]), "unknown grade"),
])
def test_invalid_configuration_is_refused_with_the_file_named(tmp_path, name, mutate, message):
    directory = _write(tmp_path, name, mutate)
    with pytest.raises(rc.ConfigError) as excinfo:
        model = rc.load_rating_model(directory / rc.RATING_MODEL_FILE)
        rc._check_cross(model, rc.load_inspection(directory / rc.INSPECTION_FILE),
                        rc.load_integrity(directory / rc.INTEGRITY_FILE))
    assert message in str(excinfo.value)


def test_hash_moves_with_what_moves_a_score():
    model = rc.load_rating_model()
    data = model.model_dump(mode="json")
    data["dimensions"][2]["weight"] = "2.0"
    assert rc.RatingModel.model_validate(data).config_hash() != model.config_hash()
    data = model.model_dump(mode="json")
    data["districts"]["999999"] = "某区"
    assert rc.RatingModel.model_validate(data).config_hash() == model.config_hash()


def test_dbt_sources_declare_the_columns_the_installer_creates():
    sources = yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]
    declared = {(s["name"], t["name"]): [(c["name"], c["data_type"]) for c in t["columns"]]
                for s in sources for t in s["tables"]}
    for table, columns in rc.TABLES.items():
        assert declared[("ref_config", table)] == list(columns), table
    ddl = " ".join(PLAN_DDL)
    for (source, table), columns in declared.items():
        if source == "supervision":
            assert f"supervision.{table} (" in ddl
            for name, _ in columns:
                assert f"\n        {name} " in ddl, (table, name)


def test_roster_is_deterministic_and_covers_every_department():
    roster = rc.load_inspection().inspectors.roster
    first, second = roster_rows(roster), roster_rows(roster)
    assert first == second
    from credit.ratings.roster import departments

    codes = {d["code"] for d in departments()}
    per_department = {}
    for row in first:
        per_department.setdefault(row["department_code"], set()).add(row["name_zh"])
    assert set(per_department) == codes
    assert all(len(names) == roster.per_department for names in per_department.values())
    assert len({r["inspector_id"] for r in first}) == len(first)
    assert len({r["badge_number"] for r in first}) == len(first)


def test_quarters():
    q = Quarter.parse("2026Q4")
    assert (q.start.isoformat(), q.end.isoformat()) == ("2026-10-01", "2026-12-31")
    assert Quarter.parse("2026-10-01") == q == Quarter.parse("2026-11-27")
    assert Quarter.parse("2024Q1").end.isoformat() == "2024-03-31"
