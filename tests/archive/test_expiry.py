"""Records leave the published tables on the first run after their maximum publication window
(REFERENCE §5), whichever of the three rule eras decided it; a back-dated run (var as_of_date)
shows what was published then."""

from __future__ import annotations

from datetime import date

import pytest

from credit import publication

#: Build dates straddling the eras (2023-05-01, 2026-04-01) and the windows' ends.
AS_OF = [date(2023, 4, 30), date(2024, 6, 1), date(2026, 3, 31), date(2027, 6, 1), date(2029, 12, 1)]
#: The as-of views rebuilt per date (everything else is date-independent).
VIEWS = ("mart_archive__record", "mart_publication__record", "pub_credit_record", "pub_credit_subject",
         "pub_double_publicity_penalty", "pub_double_publicity_licence")
TO_ZH = {"minor": "轻微", "general": "一般", "serious": "严重"}


def _expected(records, on: date) -> set[str]:
    """Which records the Python reference says are published on a date."""
    keys = set()
    for key, polarity, decision, severity, types, violation, valid_until, repaired in records:
        if decision is None or decision > on or (repaired is not None and repaired <= on):
            continue
        if polarity == "negative":
            w = publication.publication_window(decision, TO_ZH[severity], types, violation)
            if w.published and w.max_end_date >= on:
                keys.add(key)
        elif valid_until is None or valid_until >= on:
            keys.add(key)
    return keys


@pytest.fixture(scope="module")
def published_by_date(archive):
    # credit repair (granted in the lifecycle feeds) ends publication from its date
    records = archive.rows("""
        select f.record_key, f.polarity, f.decision_date, f.severity, f.penalty_types, f.violation_type,
               f.valid_until, r.repaired_date
        from core.fct_credit_record f left join marts.mart_repair__granted r using (record_key)
        where f.is_current_version and f.lifecycle_status = 'active'""")
    seen = {}
    try:
        for on in AS_OF:
            archive.dbt("run", "--select", *VIEWS, variables={"as_of_date": on.isoformat()})
            seen[on] = {r[0] for r in archive.rows("select record_key from pub.credit_record")}
    finally:
        archive.dbt("run", "--select", *VIEWS)
    return records, seen


@pytest.mark.parametrize("on", AS_OF, ids=str)
def test_the_published_records_on_a_date_are_those_inside_their_window(published_by_date, on):
    records, seen = published_by_date
    assert seen[on] == _expected(records, on)


def test_records_of_every_era_appear_and_then_disappear(published_by_date):
    records, seen = published_by_date
    era_of = {}
    for key, polarity, decision, *_ in records:
        if polarity == "negative" and decision is not None:
            era_of[key] = publication.load_rules().rule_for(decision).code
    left = {}
    for earlier, later in zip(AS_OF, AS_OF[1:]):
        for key in seen[earlier] - seen[later]:
            if key in era_of:
                left.setdefault(era_of[key], set()).add(key)
    assert set(left) == {"ndrc_notice_527_2019", "ndrc_order_58_2023", "ndrc_order_36_2025"}


def test_the_current_build_publishes_nothing_past_its_window(archive):
    late = archive.rows("""
        select count(*) from pub.credit_record
        where publication_end_date < current_date or decision_date > current_date""")
    assert late == [(0,)]
