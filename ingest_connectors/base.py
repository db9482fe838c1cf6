"""The shared connector base: what a source is, what reading one yields, and how errors are named.

A connector *discovers* the sources of one feed (files in the landing zone, API pages, database
batches) and *reads* a source into a stream of ``(row_number, row)`` pairs, where a row is either a
sequence aligned with :attr:`Records.header`, a mapping keyed as the department sent it, or a
:class:`RowError` for a row that could not be split structurally (undecodable, ragged,
unparsable). Mapping keys onto catalogue columns, writing and auditing is the landing's job
(:mod:`ingest_connectors.landing`); connectors never validate values.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ingest_connectors.catalogue import Feed

#: Longest raw text kept for one quarantined row (a runaway quote can swallow a whole file).
RAW_TEXT_LIMIT = 64 * 1024

Row = Sequence[Any] | Mapping[str, Any]


class IngestError(Exception):
    """Base of the connectors' errors."""


class SourceError(IngestError):
    """A whole source cannot be read (unreachable, unparsable container, wrong shape).

    The message always names the source, and the row and field when they are known.
    """

    def __init__(
        self, source: str, reason: str, *, row: int | None = None, field: str | None = None
    ):
        self.source, self.reason, self.row, self.field = source, reason, row, field
        where = source
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class RowError:
    """One row that was received but could not be split; it goes to ``raw.landing_quarantine``."""

    source: str
    row_number: int
    field: str | None
    reason: str
    raw_text: str | None = None

    def __str__(self) -> str:
        field = f", field {self.field!r}" if self.field else ""
        return f"{self.source}, row {self.row_number}{field}: {self.reason}"


@dataclass(frozen=True)
class Checkpoint:
    """Connector state committed in the same transaction as the source's rows."""

    kind: Literal["api_cursor", "db_watermark"]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Source:
    """One unit of loading: a file, an API page or a database batch; loaded atomically."""

    feed_key: str
    name: str  # file path, request URL (with cursor) or table and watermark range
    connector: str  # file_drop | http_api | database
    bytes: int
    content_hash: str  # SHA-256 of the content; a hash already loaded for the feed is skipped
    checkpoint: Checkpoint | None = None
    #: What :meth:`Connector.read` needs beyond the name (an API page body, a batch of rows).
    payload: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LineBlock:
    """Consecutive tab-separated lines, yielded instead of rows where a reader can vouch that
    every line has the header's field count and that no value holds a tab, backslash, NUL or line
    break — lines that are COPY text already, so the landing need not split them. The bytes are
    UTF-8, possibly unchecked: see :attr:`Records.careful`."""

    first: int  # row number of the first line; the others follow one by one
    lines: list[bytes]  # UTF-8, without line breaks


@dataclass
class Records:
    """The rows of one source as a connector reads them."""

    rows: Iterable[tuple[int, Row | RowError] | LineBlock]
    #: Keys of positional rows, as sent (after stripping a BOM); ``None`` when rows are mappings.
    header: Sequence[str] | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)  # facts worth an audit message
    close: Callable[[], None] = lambda: None
    #: Reads the source again with every byte decoded in Python. Set by readers that pass UTF-8
    #: through unchecked (the server checks it); the landing calls it if the server rejects them.
    careful: Callable[[], "Records"] | None = None

    def __enter__(self) -> "Records":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StateStore(Protocol):
    """Read access to committed connector state (cursors, watermarks)."""

    def checkpoint(self, kind: str, feed_key: str, scope: str) -> Mapping[str, Any] | None:
        """The committed state of ``kind`` for a feed at ``scope`` (endpoint or database URL)."""


class Connector(Protocol):
    kind: str
    #: Sources depend on the previous one's checkpoint (pages, batches): stop at the first failure.
    ordered: bool

    def discover(self, feed: Feed, state: StateStore) -> Iterator[Source]: ...

    def read(self, source: Source) -> Records: ...


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def to_text(value: Any) -> str | None:
    """A value as raw text: numbers as written, dates in ISO form, structures as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def clip(text: str | None, limit: int = RAW_TEXT_LIMIT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + f"… [truncated, {len(text)} characters in all]"
