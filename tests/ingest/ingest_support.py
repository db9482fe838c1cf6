"""Helpers for the ingest tests: a small feed, CSV bytes, audit queries and the conservation check.

Kept apart from ``conftest.py`` under a unique name so that test modules (and the crash test's
subprocess) can import them whatever other ``conftest`` modules pytest has loaded.
"""

from __future__ import annotations

import csv
import io

from ingest_connectors.catalogue import Feed, Sector
#: The ingest tests drop and recreate the raw and audit schemas here, and nowhere else.
TEST_DATABASE = "credit_test_landing"

FIELDS = [
    {"column": "subject_name", "name_zh": "行政相对人名称", "code": "CF_XDR_MC", "required": "Y"},
    {"column": "uscc", "name_zh": "统一社会信用代码", "code": "CF_XDR_SHXYM", "type": "uscc"},
    {"column": "decision_number", "name_zh": "决定书文号", "code": "CF_WSH", "required": "Y"},
    {"column": "decision_date", "name_zh": "处罚决定日期", "code": "CF_JDRQ", "type": "date",
     "required": "Y"},
    {"column": "fine_wan_yuan", "name_zh": "罚款金额（万元）", "code": "CF_NR_FK",
     "type": "amount_wan_yuan"},
    {"column": "remarks", "name_zh": "备注", "code": "BZ"},
]
NAMES = [f["name_zh"] for f in FIELDS]
CODES = [f["code"] for f in FIELDS]
COLUMNS = [f["column"] for f in FIELDS]


def make_feed(kind: str = "file_drop", settings: dict | None = None, slug: str = "testing",
              code: str = "penalty") -> Feed:
    """A one-record-type feed with six fields: small enough to read in a test."""
    sector = Sector.model_validate({
        "number": 99, "slug": slug, "name_zh": "测试", "name_en": "Testing",
        "departments": [{"code": "T", "uscc": "11420200MB0L12345X", "name_zh": "测试局",
                         "name_en": "Test bureau"}],
        "connector": {"kind": kind, "settings": settings or {}},
        "record_types": [{
            "code": code, "name_zh": "行政处罚", "name_en": "Penalty",
            "category": "行政管理信息", "polarity": "negative",
            "decision_number": "decision_number", "decision_date": "decision_date",
            "unique_key": ["decision_number"], "fields": FIELDS,
        }],
    })
    return Feed(sector=sector, record_type=sector.record_types[0])


def good_row(i: int) -> list[str]:
    return [f"黄石市测试公司{i}", f"91420200MA4K{i:06d}", f"黄税罚〔2024〕{i}号", "2024/03/01",
            "0.2", ""]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def loads(conn, feed_key: str | None = None) -> list[dict]:
    cur = conn.execute(
        "select * from audit.load where feed_key = coalesce(%s, feed_key) order by load_id",
        (feed_key,))
    names = [d.name for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def quarantined(conn, feed_key: str | None = None) -> list[dict]:
    cur = conn.execute(
        "select * from raw.landing_quarantine where feed_key = coalesce(%s, feed_key)"
        " order by load_id, row_number", (feed_key,))
    names = [d.name for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def raw_rows(conn, feed: Feed, *columns: str) -> list[tuple]:
    """Raw rows in load order, without the columns that differ between two loads of one file."""
    cols = ", ".join(columns) if columns else ", ".join(
        COLUMNS + ["_feed", "_source", "_row_number", "_content_hash", "_overflow::text"])
    return conn.execute(
        f"select {cols} from raw.{feed.key} order by _source, _row_number").fetchall()


def assert_conserved(conn) -> None:
    """Every source: received = loaded + quarantined, matching the raw and quarantine tables."""
    for load in loads(conn):
        assert load["rows_received"] == load["rows_loaded"] + load["rows_quarantined"], load
        if load["status"] != "loaded":
            assert load["rows_received"] == 0, load
            continue
        raw = conn.execute(
            f"select count(*) from raw.{load['feed_key']} where _load_id = %s",
            (load["load_id"],)).fetchone()[0]
        assert raw == load["rows_loaded"], load
        rows = [q for q in quarantined(conn) if q["load_id"] == load["load_id"]]
        assert len(rows) == load["rows_quarantined"], load
        for q in rows:
            assert q["source"] == load["source"]
            assert q["row_number"] is not None and q["row_number"] >= 1, q
            assert q["reason"], q
