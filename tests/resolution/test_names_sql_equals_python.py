"""``util.normalise_name`` (SQL, installed by dbt) gives the same answers as
:func:`credit.names.normalise_name`, on generated company names and on arbitrary text.

Each hypothesis example is a batch of ``BATCH`` names sent in one SQL round trip. The company
names are built the way departments type them: place, trade name, bracketed branch or place in
full- or half-width (or 〔〕【】[]{}) brackets, industry, 有限公司/有限责任公司/股份有限公司…,
Latin letters in any case and width, digits in either width, and stray whitespace of every kind
(ASCII, U+3000, no-break and zero-width spaces, tabs, line breaks) anywhere.
"""

from __future__ import annotations

import os
import string

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from credit.names import normalise_name

BATCH = 100
#: Batches of company names; 120 × 100 = 12,000 names (CREDIT_PROPERTY_BATCHES raises it).
EXAMPLES = int(os.environ.get("CREDIT_PROPERTY_BATCHES", "120"))

SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # no shrinking: a failing batch already lists its mismatching values, and shrinking batches
    # of 100 takes minutes
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

SQL = """
select util.normalise_name(x)
from unnest(%(values)s::text[]) with ordinality as u(x, i)
order by i
"""


def compare_batch(conn, values: list[str | None]) -> None:
    rows = conn.execute(SQL, {"values": values}).fetchall()
    assert len(rows) == len(values)
    problems = [f"normalise_name({v!r}): python {normalise_name(v)!r} != sql {row[0]!r}"
                for v, row in zip(values, rows) if normalise_name(v) != row[0]]
    assert not problems, f"{len(problems)} mismatches, first ones:\n" + "\n".join(problems[:20])


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


PLACES = ["", "黄石", "黄石市", "湖北", "大冶", "阳新县", "下陆区", "湖北省黄石市"]
TRADES = ["华兴", "宏达", "鑫盛", "恒通", "瑞丰", "磁湖", "楚天", "铜绿", "中联", "万家富"]
INDUSTRIES = ["科技", "商贸", "建材", "物流", "建筑工程", "机械制造", "食品", "医药", "网络科技",
              "小吃店", "五金店", "信息技术"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "有限 公司", "有限责任 公司", "有限\u3000责任公司",
         "厂", "经营部", "分公司", "(有限合伙)", ""]
BRACKETS = [("（", "）"), ("(", ")"), ("〔", "〕"), ("【", "】"), ("[", "]"), ("{", "}"),
            ("（", ")"), ("(", "）"), ("", "")]
SPACES = [" ", "  ", "\u3000", "\u00a0", "\t", "\n", "\r\n", "\u2002", "\u200b", "\u200d",
          "\ufeff", "\u202f", "\u205f", "\u2028", "\u0085", "\u1680", "\x1c", "\x0b", "\x0c"]
LATIN = st.text(alphabet=string.ascii_letters + string.digits + "&.-·'", min_size=1, max_size=6)


@st.composite
def company_names(draw) -> str:
    parts = [draw(st.sampled_from(PLACES)), draw(st.sampled_from(TRADES))]
    if draw(st.booleans()):
        latin = draw(LATIN)
        parts.append(full_width(latin) if draw(st.booleans()) else latin)
    opening, closing = draw(st.sampled_from(BRACKETS))
    inner = draw(st.sampled_from(["黄石", "大冶", "湖北", "下陆分公司", "ABC", "ａｂｃ", "1", "１２"]))
    bracket = f"{opening}{inner}{closing}"
    where = draw(st.integers(0, 2))
    parts.insert(min(where + 1, len(parts)), bracket)
    parts += [draw(st.sampled_from(INDUSTRIES)), draw(st.sampled_from(FORMS))]
    name = "".join(parts)
    # stray whitespace at up to three random places (incl. both ends)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(name)))
        name = name[:i] + draw(st.sampled_from(SPACES)) + name[i:]
    if draw(st.integers(0, 9)) == 0:
        name = draw(st.sampled_from(["", " ", "\u3000", "\u3000 \t"]))  # blank: null on both sides
    return name


#: Any text PostgreSQL can store (no NUL, no surrogates) made of characters assigned in Python's
#: Unicode version (PostgreSQL's may be newer; characters unassigned to one side are out of scope).
ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cn"), blacklist_characters="\x00"),
    max_size=30)


@given(st.lists(company_names(), min_size=BATCH, max_size=BATCH))
@SETTINGS
def test_company_names(udf_conn, values):
    compare_batch(udf_conn, values)


@given(st.lists(st.one_of(ANY_TEXT, st.none()), min_size=BATCH, max_size=BATCH))
@settings(SETTINGS, max_examples=max(10, EXAMPLES // 4))
def test_arbitrary_text(udf_conn, values):
    compare_batch(udf_conn, values)


def test_examples():
    assert normalise_name(" 黄石华兴（大冶）科技有限责任公司\u3000") == "黄石华兴(大冶)科技有限公司"
    assert normalise_name("黄石华兴【大冶】科技有限公司") == "黄石华兴(大冶)科技有限公司"
    assert normalise_name("ａｂｃ 商贸\u200b有限公司") == "ABC商贸有限公司"
    assert normalise_name("黄石华兴股份有限公司") == "黄石华兴股份有限公司"
    assert normalise_name("\u3000 ") is None
    assert normalise_name(None) is None
