"""Sector ratings and integrity demonstration candidates."""

from __future__ import annotations


def test_sector_grades_are_mapped_to_the_common_scale(rated):
    rows = rated.rows("""select model_key, source_grade, common_score, is_mapped from marts.mart_rating__sector_grade
                         where model_key is not null""")
    assert rows
    models = {m for m, *_ in rows}
    assert {"tax_credit", "environmental_credit", "road_transport_reputation", "social_org_evaluation",
            "labour_security"} <= models
    mapping = {(m, g): s for m, g, s in rated.rows(
        "select model_key, source_grade, common_score from ref_config.sector_grade_map")}
    for model, grade, score, mapped in rows:
        assert mapped and score == mapping[(model, grade)]
    # one (the latest) grade per subject and model
    assert rated.rows("select subject_id, model_key from marts.mart_rating__sector_grade group by 1, 2 having count(*) > 1") == []


def test_sector_ratings_combine_and_cap(rated):
    rows = rated.rows("""
        select s.subject_id, s.model_key, s.source_grade, s.public_component, s.sector_component, s.cap_adjustment,
               s.sector_score, s.sector_grade, m.cap_grade, r.is_serious_listed
        from marts.mart_rating__sector s
        join ref_config.sector_grade_map m on m.model_key = s.model_key and m.source_grade = s.source_grade
        join marts.mart_rating__current r using (subject_id)""")
    assert rows
    rank = dict(rated.rows("select grade, grade_rank from ref_config.rating_grade_band"))
    for subject, model, grade, public, sector, cap, score, sector_grade, cap_grade, listed in rows:
        assert public + sector + cap == score
        if cap_grade:
            assert rank[sector_grade] >= rank[cap_grade], (subject, model, grade)
        if listed:
            assert sector_grade == "D", (subject, model)
    # tax D is capped at D whatever the public score
    assert all(g == "D" for (g,) in rated.rows(
        "select sector_grade from marts.mart_rating__sector where model_key = 'tax_credit' and source_grade = 'D'"))


def test_integrity_candidates_pass_every_rule_with_reasons(rated):
    candidates = rated.rows("select subject_id, grade, score, reasons, subject_kind from pub.integrity_candidate")
    assert candidates, "the test preset has A-grade subjects with a clean record"
    enabled = rated.value("select count(*) from ref_config.integrity_rule where enabled")
    for subject_id, grade, score, reasons, kind in candidates:
        assert grade == "A" and score >= 900 and kind != "natural_person"
        assert len(reasons) == enabled and all(r["evidence"] for r in reasons)
        recent_negative = rated.value("""
            select count(*) from marts.mart_archive__record
            where subject_id = %s and is_current_version and polarity = 'negative' and record_status <> 'revoked'
              and decision_date > current_date - interval '3 years'
              and coalesce(details ->> 'list_action', '') <> '移出'""", (subject_id,))
        assert recent_negative == 0, subject_id
