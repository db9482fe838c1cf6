"""Resolution against the simulator's ground truth on the DEMO preset (the targets of issue 4).

Metrics (docs/entity-resolution.md, credit/resolution_report.py): a record is correctly assigned
when its cluster's majority true subject is its own true subject AND its cluster is the main
cluster of its true subject; precision = correct / assigned; recall = correct / all records of
the class. "identifier": the record carries a valid USCC, ID number, registration number or
organisation code; "name_only": everything else.
"""

from __future__ import annotations

import os

import pytest

from credit import resolution_report, warehouse
from credit.resolution_report import GROUND_TRUTH_ENV

IDENTIFIER_PRECISION, IDENTIFIER_RECALL = 0.999, 0.99
NAME_ONLY_PRECISION = 0.99

#: The cases issue 4 asks to check especially, as the simulator tags them in its ground truth;
#: every one must occur in the demo data and be resolved without a wrong merge.
TAGS_TO_CHECK = [
    "id_15_digit", "id_lowercase_x",  # natural persons: old 15-digit numbers, lowercase x
    "legacy_only",  # registration number / organisation code only, through the base data
    "uscc_placeholder",  # 00000000000000000X with a registration number
    "name_space", "name_ltd_long", "name_ltd_short", "name_halfwidth_brackets",  # name variants
    "code_fullwidth", "code_lowercase", "code_hyphen", "code_space",  # code variants
    "bad_check_digit",  # invalid check characters: never merged on the near-identical code
]


@pytest.fixture(scope="module")
def report(demo) -> resolution_report.ResolutionReport:
    return resolution_report.compute(demo.location, demo.truth)


def _describe(report) -> str:
    lines = [f"{name}: {score.as_dict()}" for name, score in
             {**report.by_class, **{f"method {m}": s for m, s in report.by_method.items()}}.items()]
    lines += [f"wrong: {w}" for w in report.wrong_merges[:20]]
    return "\n".join(lines)


def test_every_record_is_traced_to_the_ground_truth(report):
    assert report.has_truth
    assert report.overall.records > 15_000
    assert report.unmatched_records == 0


def test_records_with_a_valid_identifier(report):
    score = report.by_class["identifier"]
    assert score.precision >= IDENTIFIER_PRECISION, _describe(report)
    assert score.recall >= IDENTIFIER_RECALL, _describe(report)


def test_name_only_records(report):
    score = report.by_class["name_only"]
    assert score.records > 0
    assert score.precision >= NAME_ONLY_PRECISION, _describe(report)
    # everything not matched sits in the review queue
    assert report.name_only_lost == 0
    assert score.assigned + score.in_review == score.records


@pytest.mark.parametrize("tag", TAGS_TO_CHECK)
def test_cases_to_check_especially(report, tag):
    score = report.by_tag.get(tag)
    assert score is not None and score.records > 0, f"the demo data has no {tag} records"
    assert score.precision >= IDENTIFIER_PRECISION, (tag, score.as_dict(), _describe(report))


def test_invalid_check_digits_never_key_a_record(demo):
    """A code that fails its check never produces a subject key, however close it is to a
    known code: such records resolve on their name (or other valid codes) or are held."""
    with warehouse.connect(demo.location) as conn:
        keyed_on_invalid = conn.execute("""
            select count(*) from intermediate.int_records__resolved
            where (resolution_method = 'uscc' and uscc__status <> 'valid')
               or (resolution_method = 'id_number' and id_number__status <> 'valid')""").fetchone()[0]
        invalid = conn.execute("""
            select count(*) from intermediate.int_records__resolved
            where uscc__status = 'invalid_check' or id_number__status = 'invalid_check'""").fetchone()[0]
    assert invalid > 0
    assert keyed_on_invalid == 0


def test_natural_persons_are_never_matched_on_a_name(demo):
    with warehouse.connect(demo.location) as conn:
        rows = conn.execute("""
            select resolution_method, count(*) from intermediate.int_records__resolved
            where subject_kind = 'natural_person' group by 1""").fetchall()
    methods = dict(rows)
    assert methods.get("id_number", 0) > 0
    assert "name_exact" not in methods


def test_every_unassigned_record_is_in_the_review_queue(demo):
    with warehouse.connect(demo.location) as conn:
        missing = conn.execute("""
            select count(*) from intermediate.int_records__resolved r
            where r.subject_id is null
              and not exists (select 1 from marts.mart_resolution__review_queue q
                              where q.record_row_id = r.record_row_id)""").fetchone()[0]
        assigned_in_queue = conn.execute("""
            select count(*) from marts.mart_resolution__review_queue q
            join intermediate.int_records__resolved r using (record_row_id)
            where r.subject_id is not null""").fetchone()[0]
    assert missing == 0
    assert assigned_in_queue == 0


def test_subject_master_has_one_row_per_assigned_subject(demo):
    with warehouse.connect(demo.location) as conn:
        dim, distinct_assigned, no_name = conn.execute("""
            select (select count(*) from core.dim_credit_subject),
                   (select count(distinct subject_id) from intermediate.int_records__resolved),
                   -- a subject has no canonical name only when none of its records named it
                   (select count(*) from core.dim_credit_subject d
                    where canonical_name is null
                      and exists (select 1 from intermediate.int_records__resolved r
                                  where r.subject_id = d.subject_id and r.subject_name is not null))
            """).fetchone()
        kinds = dict(conn.execute(
            "select subject_kind, count(*) from core.dim_credit_subject group by 1").fetchall())
        districts = conn.execute(
            "select count(*) filter (where district_name is null), count(*) from core.dim_credit_subject"
        ).fetchone()
    assert dim == distinct_assigned
    assert no_name == 0
    assert set(kinds) == {"organisation", "individual_business", "natural_person"}
    assert districts[0] < districts[1] * 0.01


def test_report_html_and_metadata(demo, tmp_path):
    report, index = resolution_report.write_resolution_report(demo.location, tmp_path, demo.truth)
    assert index == tmp_path / "index.html"
    text = index.read_text(encoding="utf-8")
    assert "By match method" in text and "name_exact" in text
    meta = report.metadata()
    assert meta["review_queue_size"] == report.review_queue_size
    assert meta["precision_identifier"] >= IDENTIFIER_PRECISION


def test_report_without_ground_truth_still_counts_the_queue(demo, tmp_path):
    report, index = resolution_report.write_resolution_report(demo.location, tmp_path / "out",
                                                              tmp_path / "no_truth")
    assert index is None and not report.has_truth
    assert report.review_queue_size == sum(report.review_queue_by_reason.values())
    assert "review_queue_size" in report.metadata()


def test_dagster_asset_reports_the_figures(demo, tmp_path, monkeypatch):
    import dagster as dg

    from credit import settings
    from pipelines.reports.resolution import resolution_report as resolution_asset
    from pipelines.resources import WarehouseResource

    if not os.environ.get(settings.WAREHOUSE_URL_ENV):
        monkeypatch.setenv(warehouse.DATABASE_OVERRIDE_ENV, demo.location.dbname)
    monkeypatch.setenv(GROUND_TRUTH_ENV, str(demo.truth))
    monkeypatch.setenv("CREDIT_REPORTS_DIR", str(tmp_path))
    result = dg.materialize([resolution_asset], resources={"warehouse": WarehouseResource()})
    assert result.success
    (event,) = result.asset_materializations_for_node("reports__resolution_report")
    meta = {k: v.value for k, v in event.metadata.items()}
    assert meta["review_queue_size"] >= 0
    assert meta["precision_identifier"] >= IDENTIFIER_PRECISION
    assert meta["recall_identifier"] >= IDENTIFIER_RECALL
    assert (tmp_path / "resolution" / "index.html").exists()
