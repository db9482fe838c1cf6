"""Streaming writers for every landing format, all byte-deterministic (no timestamps inside)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Sequence

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class CsvFile:
    """CSV with a header of Chinese field names; ragged rows get one field too many or too few."""

    def __init__(self, path: Path, headers: Sequence[str], encoding: str, remarks_index: int):
        self._fh = open(path, "w", encoding=encoding, newline="")
        self._w = csv.writer(self._fh)
        self._w.writerow(headers)
        self._remarks = remarks_index
        self.rows = 0

    def write(self, values: list[str], ragged: str = "") -> None:
        if ragged == "extra":
            values = values + ["附件见邮件"]
        elif ragged == "short":
            # Drop a trailing field; keep the tracer in the row (shifted left if it was last).
            drop = len(values) - 1 if self._remarks != len(values) - 1 else len(values) - 2
            values = values[:drop] + values[drop + 1:]
        self._w.writerow(values)
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


class JsonlFile:
    """One JSON object per line; '' values are written as null."""

    def __init__(self, path: Path, keys: Sequence[str], encoding: str = "utf-8", append: bool = False):
        self._fh = open(path, "a" if append else "w", encoding=encoding, newline="\n")
        self._keys = list(keys)
        self.rows = 0

    def write(self, values: list[str], ragged: str = "") -> None:
        obj = {k: (v if v != "" else None) for k, v in zip(self._keys, values)}
        self._fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.rows += 1

    def close(self) -> None:
        self._fh.close()


class JsonArrayFile:
    """A JSON array of objects keyed by field code, streamed element by element."""

    def __init__(self, path: Path, keys: Sequence[str], encoding: str = "utf-8"):
        self._fh = open(path, "w", encoding=encoding, newline="\n")
        self._keys = list(keys)
        self._fh.write("[")
        self.rows = 0

    def write(self, values: list[str], ragged: str = "") -> None:
        obj = {k: (v if v != "" else None) for k, v in zip(self._keys, values)}
        self._fh.write(("\n" if self.rows == 0 else ",\n") + json.dumps(obj, ensure_ascii=False))
        self.rows += 1

    def close(self) -> None:
        self._fh.write("\n]\n")
        self._fh.close()


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0: no C0 controls but TAB LF CR


def _xml_escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_FORBIDDEN.sub("", text)


def _column_letters(n: int) -> list[str]:
    out = []
    for i in range(n):
        s, k = "", i + 1
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        out.append(s)
    return out


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '</Relationships>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


class XlsxFile:
    """A minimal one-sheet workbook written as a stream (inline strings; numeric columns as
    numbers, the way Excel stores them). Readable by openpyxl, pandas and Excel."""

    def __init__(self, path: Path, headers: Sequence[str], numeric: Sequence[bool], sheet: str = "Sheet1"):
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/workbook.xml", _WORKBOOK.format(name=sheet)),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
            self._zip.writestr(_zip_info(name), text)
        self._sheet = io.TextIOWrapper(self._zip.open(_zip_info("xl/worksheets/sheet1.xml"), "w"),
                                       encoding="utf-8", newline="")
        self._sheet.write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        self._letters = _column_letters(len(headers) + 2)
        self._numeric = list(numeric)
        self._n = 0
        self._row(list(headers), header=True)
        self.rows = 0

    def _row(self, values: list[str], header: bool = False) -> None:
        self._n += 1
        r = self._n
        cells = []
        for i, v in enumerate(values):
            if v == "":
                continue
            ref = f"{self._letters[i]}{r}"
            if not header and i < len(self._numeric) and self._numeric[i] and _is_number(v):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_xml_escape(v)}</t></is></c>')
        self._sheet.write(f'<row r="{r}">{"".join(cells)}</row>')

    def write(self, values: list[str], ragged: str = "") -> None:
        self._row(values)
        self.rows += 1

    def close(self) -> None:
        self._sheet.write("</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()


def _is_number(v: str) -> bool:
    if not v or v[0] in "+-." or v[-1] == "." or (len(v) > 1 and v[0] == "0" and v[1] != "."):
        return False
    head, _, tail = v.partition(".")
    return head.isdigit() and (tail == "" or tail.isdigit()) and len(v) <= 15


class SqliteTable:
    """Rows appended to one table of a department database: text columns + row_id + updated_at."""

    def __init__(self, conn: sqlite3.Connection, table: str, columns: Sequence[str]):
        self.conn = conn
        self.table = table
        cols = ", ".join(f'"{c}" TEXT' for c in columns)
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (row_id INTEGER PRIMARY KEY, {cols}, updated_at TEXT NOT NULL)')
        conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}__updated_at" ON "{table}" (updated_at)')
        placeholders = ", ".join("?" for _ in range(len(columns) + 2))
        names = ", ".join(["row_id", *(f'"{c}"' for c in columns), "updated_at"])
        self._sql = f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})'
        cur = conn.execute(f'SELECT coalesce(max(row_id), 0), max(updated_at) FROM "{table}"')
        self.last_row_id, self.last_updated_at = cur.fetchone()
        self._buf: list[tuple] = []

    def write(self, values: list[str], updated_at: str) -> int:
        self.last_row_id += 1
        self.last_updated_at = updated_at
        self._buf.append((self.last_row_id, *[(v if v != "" else None) for v in values], updated_at))
        if len(self._buf) >= 5000:
            self.flush()
        return self.last_row_id

    def flush(self) -> None:
        if self._buf:
            self.conn.executemany(self._sql, self._buf)
            self._buf.clear()


def open_sqlite(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    return conn


class GzipCsv:
    """A CSV written into a gzip member with a fixed mtime (byte-deterministic)."""

    def __init__(self, path: Path, header: Sequence[str] | None, append: bool = False):
        self._raw = open(path, "ab" if append else "wb")
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw, mtime=0, compresslevel=3)
        self._text = io.TextIOWrapper(self._gz, encoding="utf-8", newline="")
        self.writer = csv.writer(self._text, lineterminator="\n")
        if header:
            self.writer.writerow(header)

    def close(self) -> None:
        self._text.close()
        self._raw.close()
