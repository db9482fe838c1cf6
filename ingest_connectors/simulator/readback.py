"""Reading the simulator's output back: every landed row as ``column → text`` with its source,
and a Python mirror of the catalogue's field rules for self-checks (tests, scoring).

Independent of the real connectors on purpose: it is the reference the connectors are compared to.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import sqlite3
import unicodedata
from pathlib import Path
from typing import Iterator

from ingest_connectors.catalogue import Catalogue, Feed
from ingest_connectors.simulator import identifiers as ids

TRACER = re.compile(r"SIM:(\S+)")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


def read_truth(truth_dir: Path | str) -> Iterator[dict]:
    with gzip.open(Path(truth_dir) / "records.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def iter_feed_rows(out_dir: Path | str, feed: Feed) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(source, row number, {column: text}) for every landed row of one feed; ragged CSV rows
    come back with the extra/missing fields under the key ``__ragged__``."""
    out = Path(out_dir)
    rt, sector = feed.record_type, feed.sector
    kind, settings = sector.connector.kind, sector.connector.settings
    by_name = {f.name_zh: f.column for f in rt.fields}
    by_code = {f.code: f.column for f in rt.fields}
    columns = [f.column for f in rt.fields]
    if kind == "http_api":
        path = out / "api" / sector.slug / f"{rt.code}.jsonl"
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                for i, line in enumerate(fh, 1):
                    obj = json.loads(line)
                    yield f"/api/v1/{sector.slug}/{rt.code}", i, {by_code[k]: _cell(v) for k, v in obj.items()}
        return
    if kind == "database":
        path = out / "db" / f"{sector.slug}.sqlite"
        conn = sqlite3.connect(path)
        try:
            cur = conn.execute(f'SELECT row_id, {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{rt.code}" ORDER BY row_id')
            for row in cur:
                yield f"db/{sector.slug}.sqlite:{rt.code}", row[0], {c: _cell(v) for c, v in zip(columns, row[1:])}
        finally:
            conn.close()
        return
    folder = out / "files" / sector.slug / rt.code
    fmt, encoding = settings.get("format", "csv"), settings.get("encoding", "utf-8")
    for path in sorted(folder.glob("*")):
        source = str(path.relative_to(out))
        if fmt == "csv":
            with open(path, encoding=encoding, newline="") as fh:
                reader = csv.reader(fh)
                header = [by_name[h] for h in next(reader)]
                for i, rec in enumerate(reader, 1):
                    values = dict(zip(header, rec))
                    if len(rec) != len(header):
                        values["__ragged__"] = "1"
                    yield source, i, values
        elif fmt == "xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True)
            rows = wb.active.iter_rows(values_only=True)
            header = [by_name[h] for h in next(rows)]
            for i, rec in enumerate(rows, 1):
                yield source, i, {c: _cell(v) for c, v in zip(header, rec)}
            wb.close()
        elif fmt == "json":
            data = json.loads(path.read_text(encoding=encoding))
            for i, obj in enumerate(data, 1):
                yield source, i, {by_code[k]: _cell(v) for k, v in obj.items()}
        elif fmt == "jsonl":
            with open(path, encoding=encoding) as fh:
                for i, line in enumerate(fh, 1):
                    yield source, i, {by_name[k]: _cell(v) for k, v in json.loads(line).items()}


def tracer_of(values: dict[str, str]) -> str | None:
    m = TRACER.search(values.get("remarks", ""))
    if m:
        return m.group(1)
    for v in values.values():  # a short ragged row may have shifted the remarks column
        m = TRACER.search(v or "")
        if m:
            return m.group(1)
    return None


# --- rule mirror -------------------------------------------------------------------------------------

def _lookup_key(v: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)).upper()


def canonical(cat: Catalogue, lookup_name: str, value: str) -> list[str] | None:
    """Canonical value(s) of an enum text, or None when a part is unknown."""
    lookup = cat.lookups[lookup_name]
    table = {_lookup_key(v): v for v in lookup.values}
    table.update({_lookup_key(k): c for k, c in lookup.aliases.items()})
    parts = re.split("[" + re.escape("".join(lookup.separators)) + "]", value) if lookup.multi else [value]
    out = []
    for p in parts:
        if not p.strip():
            continue
        c = table.get(_lookup_key(p))
        if c is None:
            return None
        out.append(c)
    return out


def _uscc_status(text: str) -> str:
    code = ids.normalise_code(unicodedata.normalize("NFKC", text))
    if not code or re.fullmatch(r"0{17}[0X]", code):
        return "absent"
    return "valid" if ids.uscc_is_valid(code) else "invalid"


def _id_status(text: str) -> str:
    code = ids.normalise_code(unicodedata.normalize("NFKC", text))
    if not code:
        return "absent"
    if re.fullmatch(r"\d{15}", code):
        code = ids.id_from_15(code)
    return "valid" if ids.id_is_valid(code) else "invalid"


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _number(text: str) -> float | None:
    s = re.sub(r"[\s,¥￥]|万元|元", "", unicodedata.normalize("NFKC", text))
    return float(s) if re.fullmatch(r"[-+]?\d+(\.\d+)?", s) else None


def violations(cat: Catalogue, feed: Feed, values: dict[str, str], today: dt.date | None = None) -> list[str]:
    """Rule ids (``column.kind``) the row fails — the same rules as ``catalogue.rules``, warnings
    included; standard dates are YYYY/MM/DD or YYYY-MM-DD."""
    today = today or dt.date.today()
    rt = feed.record_type
    out: list[str] = []
    canon: dict[str, list[str] | None] = {}
    for f in rt.fields:
        v = (values.get(f.column) or "").strip()
        if f.type == "enum" and v:
            canon[f.column] = canonical(cat, f.lookup, v)

    def present(f) -> bool:
        v = (values.get(f.column) or "").strip()
        if f.type == "uscc":
            return _uscc_status(v) != "absent"
        if f.type == "id_number":
            return _id_status(v) != "absent"
        return bool(v)

    for f in rt.fields:
        v = (values.get(f.column) or "").strip(" \t\r\n\u3000")
        c = f.column
        if f.required == "Y" and not present(f):
            out.append(f"{c}.required")
        if f.required == "C" and f.required_when:
            held = set(canon.get(f.required_when.field) or ()) & set(f.required_when.in_)
            if held and not present(f):
                out.append(f"{c}.conditional")
        if not v:
            continue
        if f.type == "date":
            d = parse_date(v)
            if d is None:
                out.append(f"{c}.date_format")
            elif c in ("decision_date", "valid_from") and d > today:
                out.append(f"{c}.not_in_future")
        elif f.type in ("amount_wan_yuan", "decimal", "integer"):
            n = _number(v)
            if n is None or (f.type == "integer" and not n.is_integer()):
                out.append(f"{c}.parseable")
            else:
                if f.min_value is not None and n < f.min_value:
                    out.append(f"{c}.min_value")
                if f.max_value is not None and n > f.max_value:
                    out.append(f"{c}.max_value")
        elif f.type == "enum":
            if canon.get(c) is None:
                out.append(f"{c}.enum")
        elif f.type == "uscc":
            if _uscc_status(v) == "invalid":
                out.append(f"{c}.check_digit")
        elif f.type == "id_number":
            if _id_status(v) == "invalid":
                out.append(f"{c}.check_digit")
        cleaned = ids.normalise_code(v) if f.type == "code" else v
        if f.max_length is not None and len(cleaned) > f.max_length:
            out.append(f"{c}.max_length")
        if f.pattern is not None and not re.search(f.pattern, v.replace(" ", "").upper() if f.type == "code" else v):
            out.append(f"{c}.pattern")
    if "valid_until" in values:
        until = parse_date(values.get("valid_until") or "")
        decided = parse_date(values.get(rt.decision_date) or "")
        if until and decided and until < decided:
            out.append("valid_until.valid_after_decision")
    return out
