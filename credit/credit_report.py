"""The credit report (信用报告): one subject's credit archive as a printable static HTML page.

    credit report SUBJECT_ID_OR_IDENTIFIER [--as-of YYYY-MM-DD] [--output FILE]

Built from the archive, not from the published schema: basic data (core.dim_credit_subject),
every record the archive showed on the date, by the 13 information categories, with its status
then (marts.archive_as_of), list entries, and the credit grade with what moved it. Ratings and the
list engine are read when their marts exist (marts.mart_rating__current / __contribution,
marts.mart_list__entry_status); until then the report says so and lists the records that would
count. ID numbers appear masked only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import psycopg
from psycopg.rows import dict_row

from credit import settings, warehouse

TEMPLATE_DIR = Path(__file__).parent / "templates"
SUBJECT_ID = re.compile(r"^CS[0-9A-F]{16}$")

#: Optional marts of other stages, read when present (ratings, the list engine).
RATING_CURRENT = "marts.mart_rating__current"
RATING_CONTRIBUTION = "marts.mart_rating__contribution"
LIST_ENTRIES = "marts.mart_list__entry_status"

STATUS_ZH = {"active": "有效", "expired": "已过公示期", "corrected": "已更正", "revoked": "已撤销",
             "repaired": "已修复", "under_objection": "异议处理中"}
KIND_ZH = {"organisation": "法人及非法人组织", "individual_business": "个体工商户", "natural_person": "自然人"}
POLARITY_ZH = {"negative": "失信", "positive": "守信", "neutral": "中性"}
SEVERITY_ZH = {"minor": "轻微", "general": "一般", "serious": "严重"}


class SubjectNotFound(LookupError):
    pass


class AmbiguousSubject(LookupError):
    def __init__(self, identifier: str, candidates: list[dict]):
        super().__init__(f"{identifier!r} matches {len(candidates)} subjects")
        self.candidates = candidates


@dataclass
class ReportData:
    subject: dict[str, Any]
    as_of: dt.date
    generated_at: dt.datetime
    categories: list[dict[str, Any]]
    list_entries: list[dict[str, Any]]
    list_source: str
    rating: dict[str, Any] | None
    contributions: list[dict[str, Any]] = field(default_factory=list)
    negative_active: list[dict[str, Any]] = field(default_factory=list)
    is_vetoed: bool = False

    @property
    def record_count(self) -> int:
        return sum(len(c["records"]) for c in self.categories)


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def find_subject(conn: psycopg.Connection, identifier: str) -> str:
    """The subject_id for a subject id, a USCC, a resident ID number or a name."""
    identifier = identifier.strip()
    if SUBJECT_ID.match(identifier.upper()):
        row = conn.execute("select subject_id from core.dim_credit_subject where subject_id = %s",
                           (identifier.upper(),)).fetchone()
        if row:
            return row[0]
    cur = conn.cursor(row_factory=dict_row)
    matches = cur.execute("select subject_id, subject_name, subject_kind, uscc, matched_by "
                          "from pub.credit_check(%s)", (identifier,)).fetchall()
    matches = [m for m in matches if m["subject_id"]]  # a banned person who is no subject has no archive
    if not matches:
        raise SubjectNotFound(f"no credit subject matches {identifier!r}")
    if len({m["subject_id"] for m in matches}) > 1:
        raise AmbiguousSubject(identifier, matches)
    return matches[0]["subject_id"]


def load_report(conn: psycopg.Connection, subject_id: str, as_of: dt.date | None = None) -> ReportData:
    cur = conn.cursor(row_factory=dict_row)
    as_of = as_of or cur.execute("select current_date as d").fetchone()["d"]
    subject = cur.execute("select to_jsonb(s) as s from core.dim_credit_subject s where subject_id = %s",
                          (subject_id,)).fetchone()
    if subject is None:
        raise SubjectNotFound(f"no credit subject {subject_id}")
    subject = subject["s"]
    subject["kind_zh"] = KIND_ZH.get(subject.get("subject_kind"), subject.get("subject_kind"))

    records = cur.execute("""
        select a.*, f.record_type_name_zh, f.sector_name_zh, coalesce(v.versions, 1) as versions,
               pub.record_key is not null as is_published
        from marts.archive_as_of(%(subject)s, %(as_of)s) a
        left join ref.ref_feed f on f.feed_key = a.feed_key
        left join lateral (select count(*) as versions from core.fct_credit_record v
                           where v.record_key = a.record_key and v.received_at < (%(as_of)s::date + 1)) v on true
        left join pub.credit_record pub on pub.record_key = a.record_key and %(as_of)s::date = current_date
        order by a.decision_date desc, a.record_key""", {"subject": subject_id, "as_of": as_of}).fetchall()
    for r in records:
        r["status_zh"] = STATUS_ZH.get(r["record_status"], r["record_status"])
        r["polarity_zh"] = POLARITY_ZH.get(r["polarity"], r["polarity"])
        r["severity_zh"] = SEVERITY_ZH.get(r["severity"] or "", "")
        r["amount"] = r["fine_wan_yuan"] if r["fine_wan_yuan"] is not None else r["amount_wan_yuan"]

    categories = cur.execute("select category_number, name_zh, name_en from core.dim_information_category "
                             "order by category_number").fetchall()
    for c in categories:
        c["records"] = [r for r in records if r["information_category"] == c["name_zh"]]
    known = {c["name_zh"] for c in categories}
    stray = [r for r in records if r["information_category"] not in known]
    if stray:  # never expected: the fact is tested against the 13 categories
        categories.append({"category_number": 99, "name_zh": "其他", "name_en": "Other", "records": stray})

    active = [r for r in records if r["record_status"] in ("active", "under_objection")]
    listed = [r for r in active if r["information_category"] in ("严重失信主体名单信息", "经营(活动)异常名录(状态)信息")]
    if _exists(conn, LIST_ENTRIES):
        entries = [row["e"] for row in cur.execute(
            f"select to_jsonb(e) as e from {LIST_ENTRIES} e where subject_id = %s "
            "order by e.effective_date desc nulls last", (subject_id,))]
        list_source = "list_engine"
        is_vetoed = any(e.get("is_vetoing") for e in entries)
    else:
        entries = [{"list": "严重失信主体名单" if r["information_category"] == "严重失信主体名单信息" else "经营异常名录",
                    "record_type": r["record_type_name_zh"] or r["record_type"],
                    "decision_number": r["decision_number"], "authority": r["authority_name"],
                    "from": r["decision_date"], "until": r["publication_max_end_date"]} for r in listed]
        list_source = "records"
        is_vetoed = any(r["information_category"] == "严重失信主体名单信息" for r in listed)

    rating, contributions = None, []
    if _exists(conn, RATING_CURRENT):
        row = cur.execute(f"select to_jsonb(r) as r from {RATING_CURRENT} r where subject_id = %s",
                          (subject_id,)).fetchone()
        rating = row["r"] if row else None
        if rating and _exists(conn, RATING_CONTRIBUTION):
            contributions = [row["c"] for row in cur.execute(
                f"select to_jsonb(c) as c from {RATING_CONTRIBUTION} c where subject_id = %s "
                "order by c.display_order nulls last", (subject_id,))]

    return ReportData(
        subject=subject, as_of=as_of, generated_at=dt.datetime.now().astimezone(),
        categories=categories, list_entries=entries, list_source=list_source, rating=rating,
        contributions=contributions,
        negative_active=[r for r in active if r["polarity"] == "negative"],
        is_vetoed=is_vetoed,
    )


def render(data: ReportData) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    env.filters["money"] = lambda v: "" if v is None else f"{float(v):,.4f}".rstrip("0").rstrip(".")
    return env.get_template("credit_report.html.j2").render(data=data, subject=data.subject)


def default_path(subject_id: str, as_of: dt.date) -> Path:
    return settings.reports_dir() / "credit_reports" / f"{subject_id}_{as_of:%Y%m%d}.html"


def write_report(identifier: str, output: Path | None = None, *, as_of: dt.date | None = None,
                 location: warehouse.WarehouseLocation | None = None) -> Path:
    with warehouse.connect(location) as conn:
        subject_id = find_subject(conn, identifier)
        data = load_report(conn, subject_id, as_of)
    path = Path(output) if output else default_path(subject_id, data.as_of)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(data), encoding="utf-8")
    return path
