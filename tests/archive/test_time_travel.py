"""History: a correction or a revocation never loses the earlier version, and the archive can be
read as of any date (snapshots + marts.archive_as_of)."""

from __future__ import annotations

import pytest


def _as_of(archive, subject_id: str, day, record_key: str) -> list[tuple]:
    return archive.rows(
        "select fine_wan_yuan, record_status, version_number, known_through from marts.archive_as_of(%s, %s) "
        "where record_key = %s", (subject_id, day, record_key))


def test_a_corrected_fine_shows_the_old_amount_as_of_yesterday_and_the_new_one_today(archive_day):
    change = archive_day.changes["correction"]
    before = _as_of(archive_day, change["subject_id"], archive_day.yesterday, change["record_key"])
    after = _as_of(archive_day, change["subject_id"], archive_day.today, change["record_key"])
    assert [(float(r[0]), r[1]) for r in before] == [(change["old_fine"], "active")]
    assert [(float(r[0]), r[1]) for r in after] == [(change["new_fine"], "active")]


def test_a_correction_keeps_the_earlier_version_in_the_fact_and_publishes_the_new_one(archive_day):
    change = archive_day.changes["correction"]
    versions = archive_day.rows(
        "select version_number, fine_wan_yuan::float, lifecycle_status, is_current_version, superseded_at is not null "
        "from core.fct_credit_record where record_key = %s order by version_number", (change["record_key"],))
    assert versions == [(1, change["old_fine"], "corrected", False, True),
                        (2, change["new_fine"], "active", True, False)]
    published = archive_day.rows("select cf_nr_fk::float from pub.double_publicity_penalty where record_key = %s",
                                 (change["record_key"],))
    assert published == [(change["new_fine"],)]


def test_the_record_snapshot_keeps_both_states_with_adjacent_validity(archive_day):
    change = archive_day.changes["correction"]
    states = archive_day.rows(
        "select fine_wan_yuan::float, dbt_valid_from, dbt_valid_to from snapshots.snap_credit_record "
        "where record_key = %s order by dbt_valid_from", (change["record_key"],))
    assert [s[0] for s in states] == [change["old_fine"], change["new_fine"]]
    assert states[0][2] == states[1][1] and states[1][2] is None


def test_a_revoked_licence_was_active_yesterday_is_revoked_today_and_leaves_publication(archive_day):
    change = archive_day.changes["revocation"]
    before = archive_day.rows("select record_status from marts.archive_as_of(%s, %s) where record_key = %s",
                              (change["subject_id"], archive_day.yesterday, change["record_key"]))
    after = archive_day.rows("select record_status from marts.archive_as_of(%s, %s) where record_key = %s",
                             (change["subject_id"], archive_day.today, change["record_key"]))
    assert before == [("active",)] and after == [("revoked",)]
    assert archive_day.rows("select count(*) from pub.double_publicity_licence where record_key = %s",
                            (change["record_key"],)) == [(0,)]
    assert archive_day.rows("select lifecycle_status from core.fct_credit_record where record_key = %s "
                            "order by version_number", (change["record_key"],)) == [("corrected",), ("revoked",)]


def test_nothing_decided_after_the_date_shows_as_of_that_date(archive_day):
    subject = archive_day.changes["correction"]["subject_id"]
    rows = archive_day.rows("select max(decision_date) from marts.archive_as_of(%s, date '2023-01-01')", (subject,))
    assert rows[0][0] is None or rows[0][0] <= __import__("datetime").date(2023, 1, 1)


@pytest.mark.parametrize("model", ["snap_credit_subject"])
def test_the_subject_snapshot_has_one_open_row_per_subject(archive_day, model):
    rows = archive_day.rows(f"""
        select (select count(*) from snapshots.{model} where dbt_valid_to is null),
               (select count(*) from core.dim_credit_subject)""")
    assert rows[0][0] == rows[0][1] > 0


def test_a_repaired_record_is_archived_as_repaired_and_leaves_publication(archive_day):
    repaired = archive_day.rows("""
        select g.record_key, g.subject_id from marts.mart_repair__granted g
        join core.fct_credit_record f on f.record_key = g.record_key and f.is_current_version
        where g.repaired_date <= current_date and f.subject_id = g.subject_id
        order by g.record_key limit 5""")
    if not repaired:
        pytest.skip("the simulated lifecycle feeds granted no repair")
    for record_key, subject_id in repaired:
        assert archive_day.rows("select record_status from marts.mart_archive__record "
                                "where record_key = %s and is_current_version", (record_key,)) == [("repaired",)]
        assert archive_day.rows("select count(*) from pub.credit_record where record_key = %s", (record_key,)) == [(0,)]
        assert archive_day.rows("select record_status from marts.archive_as_of(%s, current_date) where record_key = %s",
                                (subject_id, record_key)) == [("repaired",)]
        assert archive_day.rows("select count(*) from snapshots.snap_credit_record "
                                "where record_key = %s and repaired_date is not null", (record_key,))[0][0] >= 1


def test_a_record_under_objection_stays_published_marked_as_disputed(archive_day):
    disputed = archive_day.rows("""
        select o.record_key from marts.mart_objection__open_records o
        join marts.mart_publication__record p using (record_key)""")
    if not disputed:
        pytest.skip("no published record is under objection today")
    for (record_key,) in disputed:
        assert archive_day.rows("select is_under_objection from pub.credit_record where record_key = %s",
                                (record_key,)) in ([(True,)], [])
