"""The resolution report: how well records were assigned to credit subjects.

Always: the size of the review queue (``marts.mart_resolution__review_queue``) by reason.
When the simulator's ground truth exists (``CREDIT_GROUND_TRUTH_DIR``, default
``<state>/ground_truth``): precision and recall of record → subject assignment by match method and
by record class, computed in SQL. The truth's ``records.csv.gz`` is loaded with COPY into a
temporary table (it holds no clear ID numbers, but it never goes into a warehouse schema either)
and joined to ``intermediate.int_records__resolved`` on the ``SIM:<sim_record_id>`` tracer every
simulated row carries in its remarks.

Definitions (docs/entity-resolution.md):

* a **cluster** is the set of records given one ``subject_id``;
* a cluster's **majority subject** is the true subject most of its records belong to; a true
  subject's **main cluster** is the cluster holding most of its records (ties: smallest id);
* a record is **correctly assigned** when its cluster's majority subject is its own true subject
  AND its cluster is the main cluster of its true subject;
* **precision** = correct / assigned, **recall** = correct / all records of the class;
* **classes**: ``identifier`` (the record carries a valid USCC, resident ID number, registration
  number or organisation code of its subject) and ``name_only`` (everything else).
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from credit import settings, warehouse

log = logging.getLogger(__name__)

GROUND_TRUTH_ENV = "CREDIT_GROUND_TRUTH_DIR"
RESOLVED = "intermediate.int_records__resolved"
REVIEW_QUEUE = "marts.mart_resolution__review_queue"

TRUTH_COLUMNS = ("sim_record_id", "feed_key", "connector_kind", "source", "true_subject_id",
                 "subject_type", "defects", "duplicate_of", "correction_of", "variants",
                 "decision_number", "decision_date", "row_in_source")


def ground_truth_dir() -> Path:
    return Path(os.environ.get(GROUND_TRUTH_ENV) or settings.state_dir() / "ground_truth").resolve()


@dataclass
class Score:
    """Figures for one group of records (a class, a match method, or everything)."""

    group: str
    records: int
    assigned: int
    correct: int
    in_review: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.assigned if self.assigned else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.records if self.records else None

    def as_dict(self) -> dict:
        return {"records": self.records, "assigned": self.assigned, "correct": self.correct,
                "in_review": self.in_review, "precision": self.precision, "recall": self.recall}


@dataclass
class ResolutionReport:
    review_queue_size: int
    review_queue_by_reason: dict[str, int]
    subjects: int
    ground_truth: Path | None = None
    #: records of the resolved table that carry no tracer found in the ground truth
    unmatched_records: int = 0
    by_class: dict[str, Score] = field(default_factory=dict)
    by_method: dict[str, Score] = field(default_factory=dict)
    #: by the simulator's defect and variant tags (a record counts under each of its tags)
    by_tag: dict[str, Score] = field(default_factory=dict)
    overall: Score | None = None
    #: name-only records neither assigned nor in the review queue (must be 0)
    name_only_lost: int = 0
    wrong_merges: list[dict] = field(default_factory=list)

    @property
    def has_truth(self) -> bool:
        return self.overall is not None

    def metadata(self) -> dict:
        out: dict = {"review_queue_size": self.review_queue_size, "subjects": self.subjects,
                     "review_queue_by_reason": self.review_queue_by_reason}
        if self.has_truth:
            for name, score in self.by_class.items():
                out[f"precision_{name}"] = score.precision
                out[f"recall_{name}"] = score.recall
            out["precision_overall"] = self.overall.precision
            out["recall_overall"] = self.overall.recall
            out["by_method"] = {m: s.as_dict() for m, s in self.by_method.items()}
            out["by_tag"] = {t: s.as_dict() for t, s in self.by_tag.items()}
            out["name_only_lost"] = self.name_only_lost
            out["unmatched_records"] = self.unmatched_records
        return out


# --- SQL ----------------------------------------------------------------------------------------

LOAD_TRUTH = f"""
create temporary table resolution_truth ({", ".join(f"{c} text" for c in TRUTH_COLUMNS)})
on commit preserve rows
"""

#: One row per resolved record with a tracer in the ground truth: its class, method, cluster,
#: true subject and whether it is correctly assigned (definitions in the module docstring).
SCORED = f"""
create temporary table resolution_scored on commit preserve rows as
with truth as (
    select distinct on (sim_record_id) sim_record_id, true_subject_id, defects, variants
    from resolution_truth
    order by sim_record_id
),
records as (
    select
        r.record_row_id,
        r.subject_id,
        r.resolution_method,
        case when r.valid_uscc is not null or r.valid_id_number_hash is not null
                  or r.valid_registration_number is not null or r.valid_org_code is not null
             then 'identifier' else 'name_only' end as record_class,
        t.true_subject_id,
        array_remove(string_to_array(concat_ws(';', nullif(t.defects, ''), nullif(t.variants, '')), ';'),
                     '') as tags
    from {RESOLVED} r
    join truth t on t.sim_record_id = substring(r.remarks from 'SIM:([^[:space:]]+)')
),
cluster_majority as (
    select distinct on (subject_id) subject_id, true_subject_id as majority_subject
    from (select subject_id, true_subject_id, count(*) as n
          from records where subject_id is not null group by 1, 2) c
    order by subject_id, n desc, true_subject_id
),
main_cluster as (
    select distinct on (true_subject_id) true_subject_id, subject_id as main_subject_id
    from (select true_subject_id, subject_id, count(*) as n
          from records where subject_id is not null group by 1, 2) c
    order by true_subject_id, n desc, subject_id
)
select
    records.*,
    records.subject_id is not null as is_assigned,
    coalesce(cm.majority_subject = records.true_subject_id
             and mc.main_subject_id = records.subject_id, false) as is_correct,
    exists (select 1 from {REVIEW_QUEUE} q where q.record_row_id = records.record_row_id) as is_in_review,
    cm.majority_subject
from records
left join cluster_majority cm using (subject_id)
left join main_cluster mc on mc.true_subject_id = records.true_subject_id
"""

SCORE_BY = """
select {key}, count(*), count(*) filter (where is_assigned), count(*) filter (where is_correct),
       count(*) filter (where is_in_review)
from resolution_scored {join} group by 1 order by 1
"""


def copy_truth(conn: psycopg.Connection, truth_dir: Path) -> None:
    """The ground truth (records.csv.gz) into the temporary table ``resolution_truth``."""
    conn.execute(LOAD_TRUTH)
    # records.csv.gz may hold several gzip members (one per simulated day), each with a header.
    with gzip.open(truth_dir / "records.csv.gz", "rt", encoding="utf-8", newline="") as handle, \
            conn.cursor().copy(f"copy resolution_truth ({', '.join(TRUTH_COLUMNS)}) from stdin "
                               "with (format csv)") as copy:
        header = ",".join(TRUTH_COLUMNS)
        block: list[str] = []
        for line in handle:
            if line.rstrip("\r\n") == header:
                continue
            block.append(line)
            if len(block) >= 10000:
                copy.write("".join(block))
                block.clear()
        if block:
            copy.write("".join(block))


def _scores(conn: psycopg.Connection, key: str, join: str = "") -> dict[str, Score]:
    return {str(row[0]): Score(str(row[0]), *map(int, row[1:]))
            for row in conn.execute(SCORE_BY.format(key=key, join=join)).fetchall()}


def compute(location: warehouse.WarehouseLocation | None = None,
            truth_dir: Path | None = None) -> ResolutionReport:
    """Review-queue figures always; precision/recall when the ground truth exists."""
    truth_dir = truth_dir or ground_truth_dir()
    with warehouse.connect(location) as conn:
        by_reason = {r: int(n) for r, n in conn.execute(
            f"select resolution_method, count(*) from {REVIEW_QUEUE} group by 1 order by 1").fetchall()}
        subjects = int(conn.execute("select count(*) from core.dim_credit_subject").fetchone()[0])
        report = ResolutionReport(sum(by_reason.values()), by_reason, subjects)
        if not (truth_dir / "records.csv.gz").exists():
            return report
        report.ground_truth = truth_dir
        copy_truth(conn, truth_dir)
        conn.execute(SCORED)
        report.unmatched_records = int(conn.execute(
            f"select count(*) from {RESOLVED}").fetchone()[0]) - int(conn.execute(
            "select count(*) from resolution_scored").fetchone()[0])
        report.by_class = _scores(conn, "record_class")
        report.by_method = _scores(conn, "coalesce(resolution_method, '(none)')")
        report.by_tag = _scores(conn, "tag", "cross join lateral unnest(tags) as tag")
        overall = _scores(conn, "'all'")
        report.overall = overall.get("all", Score("all", 0, 0, 0, 0))
        report.name_only_lost = int(conn.execute(
            "select count(*) from resolution_scored where record_class = 'name_only'"
            " and not is_assigned and not is_in_review").fetchone()[0])
        report.wrong_merges = [
            dict(zip(("record_row_id", "subject_id", "resolution_method", "record_class",
                      "true_subject_id", "majority_subject"), row))
            for row in conn.execute(
                "select record_row_id, subject_id, resolution_method, record_class,"
                " true_subject_id, majority_subject from resolution_scored"
                " where is_assigned and not is_correct order by record_class, resolution_method,"
                " record_row_id limit 200").fetchall()]
        conn.rollback()
    return report


# --- HTML ---------------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f} %"


def _table(title: str, scores: dict[str, Score]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{s.records:,}</td><td>{s.assigned:,}</td>"
        f"<td>{s.correct:,}</td><td>{s.in_review:,}</td><td>{_pct(s.precision)}</td>"
        f"<td>{_pct(s.recall)}</td></tr>" for name, s in scores.items())
    return (f"<h2>{html.escape(title)}</h2><table><thead><tr><th></th><th>records</th>"
            "<th>assigned</th><th>correct</th><th>in review</th><th>precision</th><th>recall</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def render_html(report: ResolutionReport) -> str:
    queue = "".join(f"<tr><td>{html.escape(r)}</td><td>{n:,}</td></tr>"
                    for r, n in report.review_queue_by_reason.items())
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Resolution report</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}",
        "table{border-collapse:collapse;margin-bottom:1.5em}",
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}",
        "td:first-child{text-align:left}</style></head><body>",
        "<h1>Credit subject resolution</h1>",
        f"<p>Generated {dt.datetime.now().isoformat(timespec='seconds')}. "
        f"{report.subjects:,} credit subjects; {report.review_queue_size:,} records in the review "
        "queue.</p>",
        "<p>A record is <em>correctly assigned</em> when the majority true subject of its cluster "
        "(records sharing its subject_id) is its own true subject and its cluster is the main "
        "cluster of that true subject. Precision = correct / assigned; recall = correct / all "
        "records of the group. <em>identifier</em>: the record carries a valid USCC, ID number, "
        "registration number or organisation code; <em>name_only</em>: anything else.</p>",
    ]
    if report.has_truth:
        parts.append(f"<p>Ground truth: <code>{html.escape(str(report.ground_truth))}</code>; "
                     f"{report.unmatched_records:,} records without a tracer in it; "
                     f"{report.name_only_lost:,} name-only records neither assigned nor in review.</p>")
        parts.append(_table("By record class", {**report.by_class, "all": report.overall}))
        parts.append(_table("By match method", report.by_method))
        parts.append(_table("By the simulator's defect and variant tags", report.by_tag))
    else:
        parts.append("<p>No ground truth available: precision and recall are not computed.</p>")
    parts.append("<h2>Review queue by reason</h2><table><tbody>" + queue + "</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_resolution_report(location: warehouse.WarehouseLocation | None = None,
                            out_dir: Path | None = None,
                            truth_dir: Path | None = None) -> tuple[ResolutionReport, Path | None]:
    """Compute the report; write ``<out_dir>/index.html`` when ground truth exists."""
    report = compute(location, truth_dir)
    if not report.has_truth:
        return report, None
    out_dir = out_dir or settings.reports_dir() / "resolution"
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    index.write_text(render_html(report), encoding="utf-8")
    return report, index
