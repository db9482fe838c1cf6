"""mart_objection__open_records picks, per record, the earliest objection open on the date (by
submission date, then objection number) — written as a filter with an anti-join so the archive
view can probe it per record (a credit check) instead of computing it whole. Checked on the
lifecycle warehouse: against the `distinct on` definition it replaced, and with two objections
open at once on one record (rows added inside a transaction that is rolled back)."""

from __future__ import annotations

import pytest

from credit import warehouse

pytestmark = pytest.mark.e2e

REFERENCE = """
    select distinct on (record_key) record_key, objection_id
    from marts.mart_objection__case
    where record_key is not null and submitted_date <= current_date
      and (closed_date is null or closed_date > current_date)
    order by record_key, submitted_date, objection_number, objection_id
"""


def _open_records(conn) -> list[tuple]:
    return conn.execute("select record_key, objection_id from marts.mart_objection__open_records "
                        "order by record_key").fetchall()


def test_the_view_equals_the_distinct_on_definition_one_row_per_record(lifecycle):
    with warehouse.connect(lifecycle.location) as conn:
        view = _open_records(conn)
        reference = conn.execute(f"select * from ({REFERENCE}) r order by record_key").fetchall()
    assert view == reference
    assert len({key for key, _ in view}) == len(view)


def test_of_two_objections_open_on_one_record_the_earliest_submitted_marks_it(lifecycle):
    with warehouse.connect(lifecycle.location) as conn:
        template = conn.execute("select objection_id from marts.mart_objection__case limit 1").fetchone()
        record_key = conn.execute(
            "select record_key from core.fct_credit_record where is_current_version and record_key not in "
            "(select record_key from marts.mart_objection__case where record_key is not null) "
            "order by record_key limit 1").fetchone()[0]
        assert template, "the lifecycle warehouse has no objection to copy"

        def add(objection_id: str, number: str, days_ago: int) -> None:
            conn.execute(
                """insert into marts.mart_objection__case
                   select (jsonb_populate_record(c, jsonb_build_object(
                       'objection_id', %s::text, 'objection_number', %s::text, 'record_key', %s::text,
                       'submitted_date', current_date - %s, 'accepted_date', null, 'verified_date', null,
                       'closed_date', null))).*
                   from marts.mart_objection__case c where c.objection_id = %s""",
                (objection_id, number, record_key, days_ago, template[0]))

        try:
            add("test-later", "YY-2", 3)
            add("test-earlier-higher-number", "YY-9", 10)
            add("test-earlier-lower-number", "YY-8", 10)
            rows = conn.execute("select objection_id, disputed_since, objection_state "
                                "from marts.mart_objection__open_records where record_key = %s", (record_key,)).fetchall()
            archive = conn.execute("select count(*), bool_and(is_under_objection) from marts.mart_archive__record "
                                   "where record_key = %s", (record_key,)).fetchone()
            versions = conn.execute("select count(*) from core.fct_credit_record where record_key = %s",
                                    (record_key,)).fetchone()[0]
        finally:
            conn.rollback()
    assert [r[0] for r in rows] == ["test-earlier-lower-number"]
    assert rows[0][2] == "submitted"
    # the archive keeps one row per version, marked disputed (the join does not multiply rows)
    assert archive == (versions, True)
