"""Landing: rows from any connector into ``raw.<feed_key>`` with COPY, audited and conserved.

Every source (file, API page, database batch) is landed in one transaction holding its
``audit.load`` row, its raw rows (streamed with COPY), its quarantined rows, its schema-drift
records and the connector's cursor or watermark. A crash leaves nothing behind; a source whose
content hash is already loaded for the feed is skipped (and the skip recorded), so reruns load
everything exactly once. For every source ``rows_received = rows_loaded + rows_quarantined``,
enforced by a check constraint.

Raw tables keep every field as text, named by the catalogue's ``column``; headers and keys may be
the field's ``name_zh``, ``code`` or ``column`` (compared after NFKC, trimming and case-folding).
Anything else lands in ``_overflow`` (jsonb) and is reported as schema drift — never dropped.
Only structural defects are quarantined here; values are validated later, in the warehouse.
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from credit import settings, warehouse
from ingest_connectors.base import (Checkpoint, Connector, LineBlock, Records, RowError, Source,
                                    SourceError, to_text)
from ingest_connectors.catalogue import Feed

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
#: Rows per COPY block: large enough to amortise the per-block checks, small enough to stream.
BLOCK_ROWS = 2000
_NULL = "\\N"
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # NUL escaped in JSON; jsonb refuses it
PROVENANCE = ("_row_number", "_load_id", "_feed", "_source", "_content_hash")

AUDIT_DDL = """
create schema if not exists audit;
-- Quarantined lines keep the text as sent, which may hold clear ID numbers: they live in the
-- restricted raw schema with the raw rows, not in audit.
create schema if not exists raw;
create table if not exists audit.load (
    load_id          bigint generated always as identity primary key,
    feed_key         text not null,
    connector        text not null,
    source           text not null,
    content_hash     text,
    encoding         text,
    bytes            bigint,
    status           text not null check (status in ('loaded', 'failed', 'skipped')),
    rows_received    bigint not null default 0,
    rows_loaded      bigint not null default 0,
    rows_quarantined bigint not null default 0,
    started_at       timestamptz not null,
    finished_at      timestamptz,
    message          text,
    constraint load_rows_conserved check (rows_received = rows_loaded + rows_quarantined)
);
create unique index if not exists load_feed_content_loaded
    on audit.load (feed_key, content_hash) where status = 'loaded';
create index if not exists load_feed_started on audit.load (feed_key, started_at);
create table if not exists raw.landing_quarantine (
    load_id    bigint not null references audit.load (load_id),
    feed_key   text not null,
    source     text not null,
    row_number bigint,
    field      text,
    reason     text not null,
    raw_text   text
);
create index if not exists landing_quarantine_load on raw.landing_quarantine (load_id);
create table if not exists audit.schema_drift (
    load_id     bigint not null references audit.load (load_id),
    feed_key    text not null,
    source      text not null,
    column_name text not null,
    sample      text
);
create table if not exists audit.api_cursor (
    feed_key   text not null,
    endpoint   text not null,
    cursor     text,
    load_id    bigint references audit.load (load_id),
    updated_at timestamptz not null default now(),
    primary key (feed_key, endpoint)
);
create table if not exists audit.db_watermark (
    feed_key     text not null,
    database_url text not null,
    table_name   text not null,
    watermark    text,
    last_row_id  bigint,
    load_id      bigint references audit.load (load_id),
    updated_at   timestamptz not null default now(),
    primary key (feed_key, database_url)
);
"""


# --- results ------------------------------------------------------------------------------------


@dataclass
class SourceOutcome:
    source: str
    status: str  # loaded | failed | skipped
    load_id: int | None
    content_hash: str | None
    bytes: int
    encoding: str | None = None
    rows_received: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    drift_columns: tuple[str, ...] = ()
    missing_required: tuple[str, ...] = ()
    message: str | None = None


@dataclass
class LandingResult:
    """What landing one feed did; :meth:`metadata` is what the Dagster asset reports."""

    feed_key: str
    connector: str
    outcomes: list[SourceOutcome] = field(default_factory=list)

    def _sum(self, attr: str, status: str = "loaded") -> int:
        return sum(getattr(o, attr) for o in self.outcomes if o.status == status)

    @property
    def sources_loaded(self) -> int:
        return sum(o.status == "loaded" for o in self.outcomes)

    @property
    def rows_received(self) -> int:
        return self._sum("rows_received")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    @property
    def bytes(self) -> int:
        return self._sum("bytes")

    @property
    def drift_columns(self) -> list[str]:
        return sorted({c for o in self.outcomes for c in o.drift_columns})

    @property
    def skipped_duplicates(self) -> list[str]:
        return [o.source for o in self.outcomes if o.status == "skipped"]

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(o.source, o.message or "") for o in self.outcomes if o.status == "failed"]

    def metadata(self) -> dict[str, Any]:
        return {
            "feed": self.feed_key,
            "connector": self.connector,
            "sources_loaded": self.sources_loaded,
            "rows_received": self.rows_received,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "bytes": self.bytes,
            "drift_columns": self.drift_columns,
            "skipped_duplicates": len(self.skipped_duplicates),
            "failures": [f"{s}: {m}" for s, m in self.failures],
        }


# --- schema -------------------------------------------------------------------------------------


_ready: set[tuple[str, str]] = set()  # (conninfo, table) already created in this process


def ensure_audit_schema(conn: psycopg.Connection) -> None:
    """Create the audit schema and tables if they are missing."""
    key = (conn.info.dsn, "audit")
    if key in _ready:
        return
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtextextended('credit.landing.ddl', 0))")
        conn.execute(AUDIT_DDL)
    _ready.add(key)


def ensure_raw_table(conn: psycopg.Connection, feed: Feed) -> None:
    """Create ``raw.<feed_key>`` (all fields text, plus provenance); add fields the catalogue gained."""
    key = (conn.info.dsn, feed.key)
    if key in _ready:
        return
    table = sql.Identifier(RAW_SCHEMA, feed.key)
    columns = [sql.SQL("{} text").format(sql.Identifier(f.column)) for f in feed.record_type.fields]
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtextextended('credit.landing.ddl', 0))")
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(RAW_SCHEMA)))
        conn.execute(sql.SQL(
            "create table if not exists {} ({}, _load_id bigint not null, _feed text not null,"
            " _source text not null, _row_number bigint not null, _content_hash text not null,"
            " _received_at timestamptz not null default now(), _overflow jsonb)"
        ).format(table, sql.SQL(", ").join(columns)))
        for f in feed.record_type.fields:
            conn.execute(sql.SQL("alter table {} add column if not exists {} text").format(
                table, sql.Identifier(f.column)))
    _ready.add(key)


# --- keys to columns ----------------------------------------------------------------------------


def normalise_key(key: str) -> str:
    """A header or key compared against the catalogue: NFKC, trimmed, case-folded."""
    cleaned = key.replace("\ufeff", "").replace("\u200b", "")
    return unicodedata.normalize("NFKC", cleaned).strip().casefold()


class ColumnResolver:
    """Maps what departments send (``name_zh``, ``code`` or ``column``) onto the feed's columns."""

    def __init__(self, feed: Feed):
        self.feed = feed
        self.columns = [f.column for f in feed.record_type.fields]
        self._by_key: dict[str, str] = {}
        for f in feed.record_type.fields:
            for name in (f.column, f.code, f.name_zh):
                self._by_key.setdefault(normalise_key(name), f.column)

    def column(self, key: str) -> str | None:
        return self._by_key.get(normalise_key(key))

    def missing_required(self, present: Iterable[str]) -> tuple[str, ...]:
        present = set(present)
        return tuple(f"{f.name_zh} ({f.column})" for f in self.feed.record_type.fields
                     if f.required == "Y" and f.column not in present)


def _copy_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _storable(text: str | None) -> str | None:
    """Text PostgreSQL can store: no NUL, no lone surrogates."""
    if text is None:
        return None
    text = text.replace("\x00", "\\x00")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# --- writing one source -------------------------------------------------------------------------


class _Quarantine:
    """Quarantined rows of one source, spooled to disk as COPY text until the raw COPY is done."""

    def __init__(self, load_id: int, feed_key: str, source: str):
        self.count = 0
        self._prefix = "\t".join(_copy_escape(_storable(v)) for v in (str(load_id), feed_key, source))
        self._spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+b")

    def add(self, row_number: int | None, field: str | None, reason: str, raw_text: str | None):
        values = [None if row_number is None else str(row_number), field, reason, raw_text]
        line = "\t".join("\\N" if v is None else _copy_escape(_storable(v)) for v in values)
        self._spool.write(f"{self._prefix}\t{line}\n".encode())
        self.count += 1

    def write(self, cur: psycopg.Cursor) -> None:
        if not self.count:
            return
        self._spool.seek(0)
        with cur.copy("copy raw.landing_quarantine (load_id, feed_key, source, row_number, field, reason,"
                      " raw_text) from stdin") as copy:
            while chunk := self._spool.read(1 << 20):
                copy.write(chunk)

    def close(self) -> None:
        self._spool.close()


class _BoundedQueueWriter(QueuedLibpqWriter):
    """Sends COPY data from a worker thread, so that parsing the next rows overlaps the server's
    work on the previous ones; the queue is bounded to keep memory flat when the server is slower."""

    def __init__(self, cursor: psycopg.Cursor, max_chunks: int = 32):
        super().__init__(cursor)
        self._queue = queue.Queue(maxsize=max_chunks)


class _SourceWriter:
    """Streams the rows of one source into its raw table with COPY, in text format.

    Line blocks are COPY text already and only get their provenance appended. Other rows are
    formatted in blocks: a block is joined plainly and checked once (tab, newline and backslash
    counts, no CR or NUL, encodable); only a block that fails the check is escaped value by value,
    so clean data costs no per-value work in Python.
    """

    def __init__(self, cur, feed: Feed, resolver: ColumnResolver, source: Source, load_id: int,
                 records: Records, quarantine: _Quarantine):
        self.cur, self.feed, self.resolver, self.source = cur, feed, resolver, source
        self.records, self.quarantine = records, quarantine
        self.received = self.loaded = 0
        self.drift: dict[str, str | None] = {}  # unknown key as sent → first non-empty sample
        self.present: set[str] = set()  # columns the source provides
        consts = [str(load_id), feed.key, source.name, source.content_hash]
        self.suffix = "".join("\t" + _copy_escape(_storable(c)) for c in consts)
        self.suffix_backslashes = self.suffix.count("\\")
        self.suffix_bytes = self.suffix.encode()

    # How rows become value lists --------------------------------------------------------------

    def _plan_header(self, header: list[str]) -> tuple[list[str], list[int] | None, list[str]]:
        """Target columns, the positions feeding them (None: all, in order) and unknown keys."""
        columns, positions, unknown, unknown_pos = [], [], [], []
        for i, key in enumerate(header):
            column = self.resolver.column(key) if key.strip() else None
            if column is None or column in columns:
                unknown.append(key if key.strip() else f"(blank header, column {i + 1})")
                unknown_pos.append(i)
            else:
                columns.append(column)
                positions.append(i)
        self.present.update(columns)
        self._unknown_pos = unknown_pos
        if not unknown:
            return columns, None, []
        return columns, positions, unknown

    def run(self) -> None:
        header = self.records.header
        if header is not None:
            columns, positions, unknown = self._plan_header(list(header))
            for key in unknown:
                self.drift[key] = None
            transform = None if positions is None else self._positional(positions, unknown)
        else:
            columns = list(self.resolver.columns)
            transform = self._mapped()
        has_overflow = header is None or bool(self.drift)
        self.columns = columns + (["_overflow"] if has_overflow else [])
        target = self.columns + list(PROVENANCE)
        self.tabs_per_row = len(target) - 1
        statement = sql.SQL("copy {} ({}) from stdin").format(
            sql.Identifier(RAW_SCHEMA, self.feed.key),
            sql.SQL(", ").join(map(sql.Identifier, target)))
        quarantine, flush = self.quarantine, self._flush
        received = 0
        with self.cur.copy(statement, writer=_BoundedQueueWriter(self.cur)) as copy:
            self.copy = copy
            block: list[tuple[int, list]] = []
            # The hot loop: one pass per row, no per-value work for positional rows.
            for item in self.records.rows:
                if type(item) is LineBlock:
                    received += len(item.lines)
                    if transform is None:
                        self._write_lines(item)
                        continue
                    for i, line in enumerate(item.lines, start=item.first):
                        row = line.decode("utf-8", "surrogateescape").split("\t")
                        block.append((i, transform(row)))
                else:
                    received += 1
                    number, row = item
                    if type(row) is RowError:
                        quarantine.add(number, row.field, row.reason, row.raw_text)
                        continue
                    block.append(item if transform is None else (number, transform(row)))
                if len(block) >= BLOCK_ROWS:
                    flush(block)
                    block = []
            if block:
                flush(block)
        self.received = received

    def _write_lines(self, block: LineBlock) -> None:
        """Tab-separated lines are COPY text: only the provenance is appended to each."""
        numbers = map(b"\t%d".__mod__, range(block.first, block.first + len(block.lines)))
        self.copy.write(b"".join(itertools.chain.from_iterable(
            zip(block.lines, numbers, itertools.repeat(self.suffix_bytes + b"\n")))))
        self.loaded += len(block.lines)

    def _positional(self, positions: list[int], unknown: list[str]):
        """Rows with unknown or duplicate headers: known values in order, the rest as JSON."""
        pairs = list(zip(unknown, self._unknown_pos))
        drift = self.drift

        def transform(row: list) -> list:
            extra = {k: row[i] for k, i in pairs if row[i] not in (None, "")}
            for k, v in extra.items():
                if drift.get(k) is None:
                    drift[k] = v
            values = [row[i] for i in positions]
            values.append(json.dumps(extra, ensure_ascii=False) if extra else None)
            return values

        return transform

    def _mapped(self):
        """Mapping rows (JSON, API items): values in column order, unknown keys as JSON."""
        resolver, drift, present = self.resolver, self.drift, self.present
        index = {c: i for i, c in enumerate(resolver.columns)}
        slots: dict[str, int] = {}  # key as sent → column index, or -1 when unknown
        n = len(resolver.columns)

        def transform(row: Mapping) -> list:
            values: list[str | None] = [None] * (n + 1)
            extra = None
            for key, value in row.items():
                slot = slots.get(key)
                if slot is None:
                    column = resolver.column(key) if isinstance(key, str) else None
                    slot = slots[key] = -1 if column is None else index[column]
                    if column is None:
                        drift.setdefault(key, None)
                    else:
                        present.add(column)
                if type(value) is not str:
                    value = to_text(value)
                if slot >= 0 and values[slot] is None:
                    values[slot] = value
                elif value is not None:
                    # An unknown key, or a second key for a column already filled: kept, reported.
                    if slot >= 0:
                        key = f"{key} (duplicate of {resolver.columns[slot]})"
                        drift.setdefault(key, None)
                    if extra is None:
                        extra = {}
                    extra[key] = value
                    if drift.get(key) is None and value != "":
                        drift[key] = value
            if extra:
                values[n] = json.dumps(extra, ensure_ascii=False)
            return values

        return transform

    # Writing blocks ---------------------------------------------------------------------------

    def _flush(self, block: list[tuple[int, list]]) -> None:
        suffix, join = self.suffix, "\t".join
        nulls = 0
        try:
            lines = [f"{join(values)}\t{number}{suffix}" for number, values in block]
        except TypeError:  # None values: written as \N and counted, so the check stays exact
            lines = [f"{join([_NULL if v is None else v for v in values])}\t{number}{suffix}"
                     for number, values in block]
            nulls = sum(values.count(None) for _, values in block)
        text = "\n".join(lines)
        rows = len(block)
        if (text.count("\t") == rows * self.tabs_per_row
                and text.count("\n") == rows - 1
                and text.count("\\") == rows * self.suffix_backslashes + nulls
                and "\r" not in text and "\x00" not in text):
            try:
                data = (text + "\n").encode()
            except UnicodeEncodeError:
                pass
            else:
                self.copy.write(data)
                self.loaded += rows
                return
        self._flush_carefully(block)

    def _flush_carefully(self, block: list[tuple[int, list]]) -> None:
        """Escape value by value; quarantine rows PostgreSQL cannot store."""
        out, join = [], "\t".join
        for number, values in block:
            escaped, problem = [], None
            for column, value in zip(self.columns, values):
                if value is None:
                    escaped.append(_NULL)
                    continue
                if "\x00" in value or (column == "_overflow" and _JSON_NUL.search(value)):
                    problem = (column, "NUL character in the value")
                    break
                try:
                    value.encode()
                except UnicodeEncodeError:
                    problem = (column, "undecodable bytes in the value")
                    break
                escaped.append(_copy_escape(value))
            if problem:
                raw = "\t".join("" if v is None else v for v in values)
                self.quarantine.add(number, problem[0], problem[1], _storable(raw))
                continue
            out.append(f"{join(escaped)}\t{number}{self.suffix}\n")
            self.loaded += 1
        if out:
            self.copy.write("".join(out).encode())


# --- the landing loop ---------------------------------------------------------------------------


class WarehouseState:
    """Committed cursors and watermarks, read outside any load transaction."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def checkpoint(self, kind: str, feed_key: str, scope: str) -> Mapping[str, Any] | None:
        if kind == "api_cursor":
            row = self.conn.execute(
                "select cursor from audit.api_cursor where feed_key = %s and endpoint = %s",
                (feed_key, scope)).fetchone()
            return {"cursor": row[0]} if row else None
        if kind == "db_watermark":
            row = self.conn.execute(
                "select watermark, last_row_id from audit.db_watermark"
                " where feed_key = %s and database_url = %s", (feed_key, scope)).fetchone()
            return {"watermark": row[0], "last_row_id": row[1]} if row else None
        raise ValueError(f"unknown checkpoint kind {kind!r}")


def _save_checkpoint(cur, feed_key: str, checkpoint: Checkpoint, load_id: int | None) -> None:
    v = checkpoint.values
    if checkpoint.kind == "api_cursor":
        cur.execute(
            "insert into audit.api_cursor (feed_key, endpoint, cursor, load_id) values (%s, %s, %s, %s)"
            " on conflict (feed_key, endpoint) do update set cursor = excluded.cursor,"
            " load_id = excluded.load_id, updated_at = now()",
            (feed_key, v["endpoint"], v["cursor"], load_id))
    elif checkpoint.kind == "db_watermark":
        cur.execute(
            "insert into audit.db_watermark (feed_key, database_url, table_name, watermark,"
            " last_row_id, load_id) values (%s, %s, %s, %s, %s, %s)"
            " on conflict (feed_key, database_url) do update set table_name = excluded.table_name,"
            " watermark = excluded.watermark, last_row_id = excluded.last_row_id,"
            " load_id = excluded.load_id, updated_at = now()",
            (feed_key, v["database_url"], v["table_name"], v["watermark"], v["last_row_id"],
             load_id))
    else:
        raise ValueError(f"unknown checkpoint kind {checkpoint.kind!r}")


def _message(records: Records, writer: _SourceWriter, missing: tuple[str, ...]) -> str | None:
    parts = list(records.notes)
    if writer.received == 0 and records.header is not None:
        parts.append("header only: no data rows")
    elif writer.received == 0 and not parts:
        parts.append("no rows")
    if missing:
        parts.append("missing required columns: " + ", ".join(missing))
    if writer.drift:
        parts.append("unknown columns kept in _overflow: " + ", ".join(writer.drift))
    if writer.quarantine.count:
        parts.append(f"{writer.quarantine.count} rows quarantined")
    return "; ".join(parts) or None


def land_source(conn: psycopg.Connection, feed: Feed, connector: Connector, source: Source,
                resolver: ColumnResolver | None = None) -> SourceOutcome:
    """Land one source atomically; a failure is recorded in its own transaction and returned."""
    resolver = resolver or ColumnResolver(feed)
    started = time.time()
    try:
        return _land_source(conn, feed, connector, source, resolver, started)
    except Exception as exc:  # noqa: BLE001 - any failure of one source is recorded, never fatal
        message = str(exc) if isinstance(exc, SourceError) else \
            f"{source.name}: {type(exc).__name__}: {exc}"
        log.warning("landing %s failed: %s", source.name, message)
        if conn.closed or conn.broken:
            raise
        return record_failure(conn, feed.key, connector.kind, source.name, message,
                              content_hash=source.content_hash, nbytes=source.bytes, started=started)


def record_failure(conn: psycopg.Connection, feed_key: str, connector: str, source: str,
                   message: str, *, content_hash: str | None = None, nbytes: int = 0,
                   started: float | None = None) -> SourceOutcome:
    with conn.transaction():
        row = conn.execute(
            "insert into audit.load (feed_key, connector, source, content_hash, bytes, status,"
            " started_at, finished_at, message) values (%s, %s, %s, %s, %s, 'failed',"
            " to_timestamp(%s), clock_timestamp(), %s) returning load_id",
            (feed_key, connector, _storable(source), content_hash, nbytes,
             started or time.time(), _storable(message))).fetchone()
    return SourceOutcome(source=source, status="failed", load_id=row[0], content_hash=content_hash,
                         bytes=nbytes, message=message)


def _write_source(cur, feed: Feed, resolver: ColumnResolver, source: Source, load_id: int,
                  records: Records) -> tuple[_SourceWriter, _Quarantine]:
    quarantine = _Quarantine(load_id, feed.key, source.name)
    try:
        writer = _SourceWriter(cur, feed, resolver, source, load_id, records, quarantine)
        writer.run()
        quarantine.write(cur)
    finally:
        quarantine.close()
    return writer, quarantine


def _land_source(conn, feed, connector, source, resolver, started) -> SourceOutcome:
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    (f"credit.landing:{feed.key}",))
        done = cur.execute(
            "select load_id from audit.load where feed_key = %s and content_hash = %s"
            " and status = 'loaded'", (feed.key, source.content_hash)).fetchone()
        if done:
            message = f"identical content already loaded (load {done[0]})"
            load_id = cur.execute(
                "insert into audit.load (feed_key, connector, source, content_hash, bytes, status,"
                " started_at, finished_at, message) values (%s, %s, %s, %s, %s, 'skipped',"
                " to_timestamp(%s), clock_timestamp(), %s) returning load_id",
                (feed.key, source.connector, _storable(source.name), source.content_hash,
                 source.bytes, started, message)).fetchone()[0]
            if source.checkpoint:
                _save_checkpoint(cur, feed.key, source.checkpoint, load_id)
            return SourceOutcome(source=source.name, status="skipped", load_id=load_id,
                                 content_hash=source.content_hash, bytes=source.bytes, message=message)
        load_id = cur.execute(
            "insert into audit.load (feed_key, connector, source, content_hash, bytes, status,"
            " started_at) values (%s, %s, %s, %s, %s, 'loaded', to_timestamp(%s)) returning load_id",
            (feed.key, source.connector, _storable(source.name), source.content_hash, source.bytes,
             started)).fetchone()[0]
        records = connector.read(source)
        try:
            try:
                with conn.transaction():  # a savepoint: the server checks what readers pass unchecked
                    writer, quarantine = _write_source(cur, feed, resolver, source, load_id, records)
            except psycopg.errors.DataError as exc:
                if records.careful is None:
                    raise
                log.info("%s: the server rejected the fast path (%s); reading it carefully",
                         source.name, str(exc).splitlines()[0])
                records.close()
                records = records.careful()
                writer, quarantine = _write_source(cur, feed, resolver, source, load_id, records)
        finally:
            records.close()
        assert writer.received == writer.loaded + quarantine.count, "row conservation broken"
        for key, sample in writer.drift.items():
            cur.execute(
                "insert into audit.schema_drift (load_id, feed_key, source, column_name, sample)"
                " values (%s, %s, %s, %s, %s)",
                (load_id, feed.key, _storable(source.name), _storable(key),
                 _storable(sample[:200] if sample else sample)))
        has_columns = records.header is not None or writer.received
        missing = resolver.missing_required(writer.present) if has_columns else ()
        message = _message(records, writer, missing)
        cur.execute(
            "update audit.load set encoding = %s, rows_received = %s, rows_loaded = %s,"
            " rows_quarantined = %s, finished_at = clock_timestamp(), message = %s"
            " where load_id = %s",
            (records.encoding, writer.received, writer.loaded, quarantine.count, _storable(message),
             load_id))
        if source.checkpoint:
            _save_checkpoint(cur, feed.key, source.checkpoint, load_id)
    return SourceOutcome(
        source=source.name, status="loaded", load_id=load_id, content_hash=source.content_hash,
        bytes=source.bytes, encoding=records.encoding, rows_received=writer.received,
        rows_loaded=writer.loaded, rows_quarantined=quarantine.count,
        drift_columns=tuple(writer.drift), missing_required=missing, message=message)


def connector_for(feed: Feed, *, landing_dir: Path | None = None, api_base_url: str | None = None,
                  db_url: str | None = None) -> Connector:
    """The connector the catalogue declares for a feed, configured from its settings."""
    # Imported here: the connector modules import optional libraries (requests, SQLAlchemy).
    kind, options = feed.sector.connector.kind, dict(feed.sector.connector.settings)
    landing_dir = Path(landing_dir) if landing_dir else settings.landing_dir()
    if kind == "file_drop":
        from ingest_connectors.file_drop import FileDropConnector

        # The catalogue's "encoding" says what the department declared; files are still sniffed,
        # since a declaration does not stop a department from sending a file saved otherwise.
        return FileDropConnector(landing_dir)
    if kind == "http_api":
        from ingest_connectors.http_api import HttpApiConnector

        return HttpApiConnector.from_settings(options, base_url=api_base_url)
    if kind == "database":
        from ingest_connectors.database import DatabaseConnector

        return DatabaseConnector.from_settings(options, url=db_url, landing_dir=landing_dir,
                                               sector_slug=feed.sector.slug)
    raise ValueError(f"feed {feed.key}: unknown connector kind {kind!r}")


def land_feed(feed: Feed, connector: Connector | None = None, *,
              location: warehouse.WarehouseLocation | None = None,
              conn: psycopg.Connection | None = None) -> LandingResult:
    """Discover and land every new source of a feed; one transaction per source.

    Failures are recorded per source and do not stop the other sources, except for ordered
    connectors (API pages, database batches), whose later sources depend on the failed one's
    checkpoint: they stop there and resume from it on the next run.
    """
    connector = connector or connector_for(feed)
    own = conn is None
    if own:
        conn = warehouse.connect(location, autocommit=True)
    elif not conn.autocommit:
        raise ValueError("land_feed needs an autocommit connection: each source is its own transaction")
    try:
        ensure_audit_schema(conn)
        ensure_raw_table(conn, feed)
        result = LandingResult(feed_key=feed.key, connector=connector.kind)
        resolver = ColumnResolver(feed)
        sources = iter(connector.discover(feed, WarehouseState(conn)))
        while True:
            try:
                source = next(sources, None)
            except Exception as exc:  # noqa: BLE001 - finding the next source failed (API/DB down)
                if isinstance(exc, SourceError):
                    where, message = exc.source, str(exc)
                else:
                    where = f"{connector.kind} {feed.key}"
                    message = f"{where}: {type(exc).__name__}: {exc}"
                log.warning("discovering sources of %s failed: %s", feed.key, message)
                result.outcomes.append(
                    record_failure(conn, feed.key, connector.kind, where, message))
                break
            if source is None:
                break
            outcome = land_source(conn, feed, connector, source, resolver)
            result.outcomes.append(outcome)
            if outcome.status == "failed" and connector.ordered:
                break
        log.info("landed %s: %s", feed.key, result.metadata())
        return result
    finally:
        if own:
            conn.close()


__all__ = [
    "AUDIT_DDL", "ColumnResolver", "LandingResult", "SourceOutcome", "WarehouseState",
    "connector_for", "ensure_audit_schema", "ensure_raw_table", "land_feed", "land_source",
    "normalise_key", "record_failure",
]
