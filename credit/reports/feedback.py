"""Feedback files for the sending departments: the rows to correct and why.

One XLSX per department (``<department code>.xlsx``), one sheet per record type with the
standard's Chinese field names and the values exactly as the department sent them, preceded by
where the row came from and every rule it failed; plus a sheet of rows that could not be read at
all. The department fixes and resends; the corrected row flows through like any other.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import psycopg
from openpyxl import Workbook
from psycopg import sql

from credit import warehouse
from ingest_connectors.catalogue import Feed, catalogue
from ingest_connectors.catalogue.rules import rules_for

LEAD_COLUMNS = ("来源文件/请求", "行号", "问题（需更正）")
MAX_SHEET_TITLE = 31  # Excel's limit


def _department_of(feed: Feed, sent_uscc: str | None) -> str:
    for dept in feed.sector.departments:
        if sent_uscc and sent_uscc.strip().upper() == dept.uscc:
            return dept.code
    return feed.sector.departments[0].code


def _quarantined_rows(conn: psycopg.Connection, feed: Feed):
    fields = [f.column for f in feed.record_type.fields]
    query = sql.SQL(
        "select g.source_name, g.source_row_number, g.failed_rules, {fields} "
        "from {gate} g join {raw} r on r._load_id = g.load_id and r._row_number = g.source_row_number "
        "where g.is_quarantined order by g.source_name, g.source_row_number"
    ).format(
        fields=sql.SQL(", ").join(sql.SQL("r.{}").format(sql.Identifier(c)) for c in fields),
        gate=sql.Identifier("intermediate", f"int_gate__{feed.key}"),
        raw=sql.Identifier("raw", feed.raw_table),
    )
    with conn.cursor(name=f"feedback_{feed.key}") as cur:  # server-side: streamed
        cur.execute(query)
        yield from cur


def write_feedback_files(location: warehouse.WarehouseLocation, out_dir: Path) -> dict[str, int]:
    """Write the files; returns rows to correct per department."""
    cat = catalogue()
    books: dict[str, Workbook] = {}
    counts: dict[str, int] = defaultdict(int)

    def book(code: str) -> Workbook:
        if code not in books:
            books[code] = Workbook(write_only=True)
        return books[code]

    with warehouse.connect(location) as conn:
        for feed in cat.feeds():
            exists = conn.execute("select to_regclass(%s) is not null",
                                  (f"intermediate.int_gate__{feed.key}",)).fetchone()[0]
            if not exists:
                continue
            describe = {r.rule_id: f"{r.description}（{'严重' if r.severity == 'critical' else '提示'}）"
                        for r in rules_for(feed)}
            header = [*LEAD_COLUMNS, *(f.name_zh for f in feed.record_type.fields)]
            uscc_index = [f.column for f in feed.record_type.fields].index("source_department_uscc")
            sheets: dict[str, object] = {}
            for source, row_number, failed, *values in _quarantined_rows(conn, feed):
                dept = _department_of(feed, values[uscc_index])
                if dept not in sheets:
                    sheet = book(dept).create_sheet(feed.record_type.name_zh[:MAX_SHEET_TITLE])
                    sheet.append(header)
                    sheets[dept] = sheet
                problems = "；".join(describe.get(rule, rule) for rule in failed)
                sheets[dept].append([source, row_number, problems, *values])
                counts[dept] += 1
        unreadable = conn.execute(
            "select feed_key, source, row_number, field, reason, raw_text from raw.landing_quarantine order by feed_key, source, row_number"
        ).fetchall() if conn.execute("select to_regclass('raw.landing_quarantine') is not null").fetchone()[0] else []
        for feed_key, source, row_number, field, reason, raw_text in unreadable:
            feed = cat.feed(feed_key)
            dept = feed.sector.departments[0].code
            wb = book(dept)
            sheet = next((s for s in wb.worksheets if s.title == "无法读取的行"), None)
            if sheet is None:
                sheet = wb.create_sheet("无法读取的行")
                sheet.append(["数据项", "来源文件/请求", "行号", "字段", "原因", "原始内容"])
            sheet.append([feed.record_type.name_zh, source, row_number, field, reason, raw_text])
            counts[dept] += 1

    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.xlsx"):
        old.unlink()  # a department with nothing left to correct gets no file
    for code, wb in books.items():
        wb.save(out_dir / f"{code}.xlsx")
    return dict(counts)
