"""The main job, end to end, on the real warehouse: every feed in, every sector out."""

from __future__ import annotations

import pytest

from credit import warehouse
from ingest_connectors.catalogue import catalogue

pytestmark = pytest.mark.e2e


def _rows(e2e, query: str, params=()):
    with warehouse.connect(e2e.location) as conn:
        return conn.execute(query, params).fetchall()


def test_main_job_has_no_failed_step_except_gate_blocks(e2e):
    unexpected = [s for s in e2e.main.failed_steps if not s.startswith("gx_")]
    assert unexpected == []
    assert e2e.reports.success


def test_every_feed_of_the_catalogue_is_landed(e2e):
    landed = {r[0] for r in _rows(e2e, "select distinct feed_key from audit.load where status = 'loaded' and rows_received > 0")}
    expected = {f.key for f in catalogue().feeds()}
    assert expected - landed == set()


def test_all_three_connector_kinds_and_file_formats_carry_data(e2e):
    kinds = {r[0] for r in _rows(e2e, "select distinct connector from audit.load where status = 'loaded' and rows_loaded > 0")}
    assert kinds == {"file_drop", "http_api", "database"}
    sources = [r[0] for r in _rows(e2e, "select source from audit.load where connector = 'file_drop' and rows_loaded > 0")]
    for ext in (".csv", ".xlsx", ".json", ".jsonl"):
        assert any(s.endswith(ext) for s in sources), ext
    encodings = {r[0] for r in _rows(e2e, "select distinct encoding from audit.load where connector = 'file_drop' and rows_loaded > 0")}
    assert {"gb18030", "utf-8"} <= {e.replace("_", "-").lower() for e in encodings if e} | {"utf-8"}


def test_every_source_conserves_its_rows(e2e):
    unbalanced = _rows(e2e, """
        select source, rows_received, rows_loaded, rows_quarantined from audit.load
        where status = 'loaded' and rows_received <> rows_loaded + rows_quarantined""")
    assert unbalanced == []


def test_every_sector_publishes_records(e2e):
    published = {r[0] for r in _rows(e2e, "select distinct sector_slug from pub.credit_record")}
    assert published == {s.slug for s in catalogue().sectors}
    assert _rows(e2e, "select count(*) from pub.double_publicity_penalty")[0][0] > 0
    assert _rows(e2e, "select count(*) from pub.double_publicity_licence")[0][0] > 0


def test_published_rows_trace_back_to_their_raw_row(e2e):
    sample = _rows(e2e, """
        select fct.feed_key, fct.load_id, fct.source_row_number, fct.decision_number
        from pub.credit_record pub
        join core.fct_credit_record fct on fct.record_key = pub.record_key and fct.is_current_version
        order by md5(pub.record_key) limit 50""")
    assert len(sample) == 50
    for feed_key, load_id, row_number, decision_number in sample:
        raw = _rows(e2e, f'select decision_number from raw."{feed_key}" where _load_id = %s and _row_number = %s',
                    (load_id, row_number))
        assert len(raw) == 1, (feed_key, load_id, row_number)
        assert decision_number is not None and raw[0][0] is not None
