"""The quarterly random-inspection draw: ratios, repeatability, the published seed, the rules."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

import ratings_support as support
from credit.ratings.inspection import draw_plan

FIRST_QUARTER = "2021Q4"   # no earlier plan and no inspection record before it: nothing excluded
NEXT_QUARTER = "2022Q1"


def _plan(rated, quarter: str) -> list[tuple]:
    return rated.rows("""
        select subject_id, stratum, draw_rank, draw_key, department_code, inspectors::text
        from supervision.inspection_plan_subject where quarter = %s order by stratum, draw_rank""", (quarter,))


@pytest.fixture(scope="module")
def first_plan(rated):
    with rated.connect() as conn:
        summary = draw_plan(conn, FIRST_QUARTER)
    return summary


def test_each_stratum_draws_round_ratio_times_population(rated, first_plan):
    ratios = dict(rated.rows("select stratum, ratio from ref_config.inspection_ratio"))
    population = dict(rated.rows("select stratum, count(*) from marts.mart_supervision__inspection_frame group by 1"))
    selected = dict(rated.rows("""
        select stratum, count(*) from supervision.inspection_plan_subject where quarter = %s group by 1""",
                               (FIRST_QUARTER,)))
    assert set(population) <= set(ratios)
    drawn_something = 0
    for stratum, ratio in ratios.items():
        expected = support.half_up(Decimal(ratio) * population.get(stratum, 0))
        assert selected.get(stratum, 0) == expected, stratum
        drawn_something += expected > 0
    assert drawn_something >= 3
    # serious-list subjects are all inspected
    assert selected.get("serious_list", 0) == population.get("serious_list", 0) > 0
    strata = {s["stratum"]: s for s in first_plan.strata}
    assert all(s["shortfall"] == 0 for s in strata.values())


def test_same_seed_gives_the_identical_plan(rated, first_plan):
    before = _plan(rated, FIRST_QUARTER)
    with rated.connect() as conn:
        again = draw_plan(conn, FIRST_QUARTER)
    assert again.seed == first_plan.seed
    assert _plan(rated, FIRST_QUARTER) == before


def test_the_seed_is_published_and_the_draw_can_be_rerun_by_anyone(rated, first_plan):
    seed, method = rated.rows("select seed, draw_method from pub.inspection_plan where quarter = %s",
                              (FIRST_QUARTER,))[0]
    assert seed == first_plan.seed == f"HS-SJ-2026:{FIRST_QUARTER}"
    assert seed in method
    published = rated.rows("""
        select subject_id, stratum, draw_key, seed from pub.inspection_plan_subject where quarter = %s""",
                           (FIRST_QUARTER,))
    assert published and all(s == seed for *_, s in published)
    # re-run the draw outside the warehouse from the published seed and the frame
    frame = rated.rows("select subject_id, stratum from marts.mart_supervision__inspection_frame")
    ratios = dict(rated.rows("select stratum, ratio from ref_config.inspection_ratio"))
    by_stratum: dict[str, list[str]] = {}
    for subject_id, stratum in frame:
        by_stratum.setdefault(stratum, []).append(subject_id)
    rerun = set()
    for stratum, subjects in by_stratum.items():
        key = lambda s: (hashlib.md5(f"{seed}:{s}".encode()).hexdigest(), s)  # noqa: E731
        target = support.half_up(Decimal(ratios[stratum]) * len(subjects))
        rerun |= {(s, stratum) for s in sorted(subjects, key=key)[:target]}
    assert {(s, st) for s, st, *_ in published} == rerun
    assert all(k == hashlib.md5(f"{seed}:{s}".encode()).hexdigest() for s, _, k, _ in published)


def test_another_quarter_gives_another_plan_and_skips_the_recently_inspected(rated, first_plan):
    with rated.connect() as conn:
        second = draw_plan(conn, NEXT_QUARTER)
    assert second.seed != first_plan.seed
    first = {(s, st) for s, st, *_ in _plan(rated, FIRST_QUARTER)}
    nxt = {(s, st) for s, st, *_ in _plan(rated, NEXT_QUARTER)}
    assert first != nxt
    exempt = {s for (s,) in rated.rows("select unnest(exempt_strata) from ref_config.inspection_param")}
    # not inspected in the last 12 months: only exempt strata (the serious list) repeat
    assert {st for s, st in first & nxt} <= exempt
    # the draw order itself changes with the quarter's seed
    keys = rated.rows("""
        select a.draw_key, b.draw_key from supervision.inspection_plan_subject a
        join supervision.inspection_plan_subject b using (subject_id)
        where a.quarter = %s and b.quarter = %s""", (FIRST_QUARTER, NEXT_QUARTER))
    assert keys and all(a != b for a, b in keys)


def test_inspectors_come_from_the_department_roster(rated, first_plan):
    per_subject = rated.value("select inspectors_per_subject from ref_config.inspection_param")
    roster = {(d, i) for d, i in rated.rows("select department_code, inspector_id from ref_config.inspector")}
    rows = rated.rows("""
        select subject_id, department_code, inspectors from pub.inspection_plan_subject where quarter = %s""",
                      (FIRST_QUARTER,))
    assert rows
    for subject_id, department, inspectors in rows:
        ids = [i["inspector_id"] for i in inspectors]
        assert len(ids) == len(set(ids)) == per_subject, subject_id
        assert all((department, i) in roster for i in ids), subject_id
