"""A day of new records re-rates only the subjects it touches, and gives what a full re-rating gives."""

from __future__ import annotations

import datetime as dt

import ratings_support as support

DAY = dt.date(2026, 11, 21)  # the day after the simulated period


def _ratings(rated) -> dict[str, tuple]:
    return {s: (score, grade) for s, score, grade in rated.rows(
        "select subject_id, score, grade from marts.mart_rating__current")}


def test_a_day_rerates_only_the_touched_subjects(rated):
    before_at = rated.value("select max(rated_at) from marts.mart_rating__current")
    total = rated.value("select count(*) from marts.mart_rating__current")
    support.simulate_day(DAY, "test", 7, rated.landing, rated.truth)
    support.land_everything(rated.location, rated.landing)
    support.dbt(rated.location, "run", "--select", *support.RATING_SELECTION)
    support.run_rating_tests(rated.location)

    rerated = {s for (s,) in rated.rows(
        "select subject_id from marts.mart_rating__current where rated_at > %s", (before_at,))}
    touched = {s for (s,) in rated.rows(
        "select distinct subject_id from core.fct_credit_record where built_at > %s and subject_id is not null",
        (before_at,))}
    assert touched, "the simulated day brought records"
    assert touched <= rerated
    assert len(rerated) < total
    # everyone else kept the rating of the earlier run, explanation rows included
    stale = rated.value("""
        select count(*) from marts.mart_rating__contribution c
        join marts.mart_rating__current r using (subject_id)
        where c.rated_at <> r.rated_at""")
    assert stale == 0

    incremental = _ratings(rated)
    support.rerun_ratings(rated.location, "--vars", '{"rating_full": true}')
    assert rated.value("select count(distinct rated_at) from marts.mart_rating__current") == 1
    assert _ratings(rated) == incremental
