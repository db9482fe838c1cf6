"""The unified credit record: every sector, the 13 categories, versions, and provenance back to the
raw row of every published record."""

from __future__ import annotations

from psycopg import sql

from credit import identifiers
from ingest_connectors.catalogue import catalogue


def test_every_sector_publishes_records_in_all_three_shapes(archive):
    sectors = {r[0] for r in archive.rows("select distinct sector_slug from pub.credit_record")}
    assert sectors == {s.slug for s in catalogue().sectors if s.slug != "credit_platform"}
    for view in ("double_publicity_penalty", "double_publicity_licence", "credit_subject"):
        assert archive.rows(f"select count(*) from pub.{view}")[0][0] > 0, view


def test_records_fall_in_the_13_catalogue_categories(archive):
    categories = {r[0] for r in archive.rows("select name_zh from core.dim_information_category")}
    assert len(categories) == 13
    used = {r[0] for r in archive.rows("select distinct information_category from core.fct_credit_record")}
    assert used <= categories and len(used) >= 8


def test_each_decision_has_exactly_one_current_version_numbered_from_one(archive):
    bad = archive.rows("""
        select record_key from core.fct_credit_record group by record_key
        having count(*) filter (where is_current_version) <> 1
            or min(version_number) <> 1 or max(version_number) <> count(*)""")
    assert bad == []


def test_negative_records_carry_severity_and_a_window_others_do_not(archive):
    rows = archive.rows("""
        select polarity, count(*) filter (where severity is null), count(*) filter (where publication_rule is null)
        from core.fct_credit_record group by polarity""")
    for polarity, no_severity, no_rule in rows:
        if polarity == "negative":
            assert no_severity == 0 and no_rule == 0
    assert archive.rows("select count(*) from core.fct_credit_record "
                        "where polarity <> 'negative' and (severity is not null or publication_rule is not null)") == [(0,)]


def test_every_sampled_published_record_finds_its_raw_row(archive):
    sample = archive.rows("""
        select fct.feed_key, fct.load_id, fct.source_row_number, fct.decision_number, fct.content_hash
        from pub.credit_record pub
        join core.fct_credit_record fct on fct.record_key = pub.record_key and fct.is_current_version
        order by md5(pub.record_key) limit 200""")
    assert len(sample) == 200
    with archive.connect() as conn:
        for feed_key, load_id, row_number, decision_number, content_hash in sample:
            raw = conn.execute(sql.SQL("select decision_number, _content_hash from {} "
                                       "where _load_id = %s and _row_number = %s").format(
                sql.Identifier("raw", feed_key)), (load_id, row_number)).fetchall()
            assert len(raw) == 1, (feed_key, load_id, row_number)
            assert identifiers.normalise_code(raw[0][0]) == decision_number
            assert raw[0][1] == content_hash
            assert conn.execute("select status from audit.load where load_id = %s", (load_id,)).fetchone() == ("loaded",)
