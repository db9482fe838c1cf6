"""The public credit evaluation: every subject rated, every score explained to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def test_every_subject_has_one_rating(rated):
    subjects = rated.value("select count(*) from core.dim_credit_subject")
    assert subjects > 100
    assert rated.value("select count(*) from marts.mart_rating__current") == subjects
    assert rated.value("select count(distinct subject_id) from marts.mart_rating__current") == subjects
    assert rated.value("select count(*) from pub.rating") == subjects


def test_explanation_rows_sum_exactly_to_every_score(rated):
    mismatches = rated.rows("""
        select r.subject_id, r.score, e.total, e.base_rows
        from marts.mart_rating__current r
        join (select subject_id, sum(contribution) as total,
                     count(*) filter (where contribution_kind = 'base') as base_rows
              from marts.mart_rating__contribution group by subject_id) e using (subject_id)
        where e.total <> r.score or e.base_rows <> 1""")
    assert mismatches == []
    # the published explanation too, including rows of records that are not published themselves
    assert rated.rows("""
        select r.subject_id from pub.rating r
        join (select subject_id, sum(contribution) as total from pub.rating_explanation group by 1) e using (subject_id)
        where e.total <> r.score""") == []


def test_record_rows_show_their_arithmetic(rated):
    rows = rated.rows("""
        select c.base_points, c.weight, c.decay_factor, c.contribution, c.age_days, i.half_life_months
        from marts.mart_rating__contribution c
        join ref_config.rating_indicator i using (indicator_key)
        where c.contribution_kind = 'record'""")
    assert rows
    for points, weight, decay, contribution, age, half_life in rows:
        # PostgreSQL rounds numeric half away from zero (Decimal's ROUND_HALF_UP)
        assert contribution == (points * weight * decay).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if half_life is None:
            assert decay == 1
        else:
            expected = Decimal(0.5 ** (age / (float(half_life) * 30.436875))).quantize(Decimal("0.000001"))
            assert abs(decay - expected) <= Decimal("0.000001")


def test_grades_follow_the_bands_and_scores_stay_in_range(rated):
    bands = rated.rows("select grade, min_score, max_score from ref_config.rating_grade_band order by grade_rank")
    for subject_id, score, grade in rated.rows("select subject_id, score, grade from marts.mart_rating__current"):
        assert Decimal(0) <= score <= Decimal(1000)
        expected = next(g for g, low, _ in bands if score >= low)
        assert grade == expected, subject_id
    grades = {g for (g,) in rated.rows("select distinct grade from marts.mart_rating__current")}
    assert {"A", "B", "D"} <= grades


def test_serious_list_caps_the_grade_at_d(rated):
    listed = rated.rows("""
        select r.subject_id, r.grade, r.score, r.cap_key
        from marts.mart_rating__current r where r.is_serious_listed""")
    assert listed, "the test preset has subjects on the serious-dishonesty list"
    d_top = rated.value("select max_score from ref_config.rating_grade_band where grade = 'D'")
    for subject_id, grade, score, cap_key in listed:
        assert grade == "D" and score <= d_top and cap_key == "serious_dishonesty_list", subject_id
    # listed = an entry in force in the list engine
    engine = {s for (s,) in rated.rows("""
        select distinct subject_id from marts.mart_list__active_entries
        where list_type = 'serious_dishonesty' and status = 'active'""")}
    assert {s for s, *_ in listed} == engine
    # the cap row names the listing
    rows = rated.rows("""
        select c.subject_id, c.contribution, c.explanation from marts.mart_rating__contribution c
        join marts.mart_rating__current r using (subject_id)
        where c.contribution_kind = 'grade_cap' and r.is_serious_listed""")
    assert len(rows) == len(listed) and all(e.startswith("列入严重失信主体名单") for _, _, e in rows)


def test_a_record_counts_in_one_indicator_at_most(rated):
    assert rated.rows("""
        select subject_id, record_version_id, count(*) from marts.mart_rating__contribution
        where contribution_kind = 'record' group by 1, 2 having count(*) > 1""") == []


def test_indicator_bounds_hold(rated):
    rows = rated.rows("""
        select c.subject_id, c.indicator_key, sum(c.contribution), i.min_total, i.max_total
        from marts.mart_rating__contribution c join ref_config.rating_indicator i using (indicator_key)
        where c.contribution_kind in ('record', 'indicator_cap')
        group by 1, 2, 4, 5""")
    for subject_id, indicator, total, low, high in rows:
        assert low is None or total >= low, (subject_id, indicator)
        assert high is None or total <= high, (subject_id, indicator)


def test_credit_check_can_join_the_grade(rated):
    # pub.credit_check's owner joins marts.mart_rating__current on subject_id
    assert rated.value("""
        select count(*) from core.dim_credit_subject s
        left join marts.mart_rating__current r using (subject_id) where r.grade is null""") == 0


def test_history_starts_with_every_first_grade(rated):
    assert rated.value("select count(distinct subject_id) from marts.mart_rating__history where change_kind = 'initial'") \
        == rated.value("select count(*) from marts.mart_rating__current")
    assert rated.value("select count(*) from pub.rating_change") >= rated.value("select count(*) from pub.rating")
