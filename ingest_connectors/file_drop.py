"""File drops: CSV, XLSX, JSON and JSONL files left by departments in the landing zone.

Layout: ``<landing>/files/<sector_slug>/<record_type_code>/<dept>_<YYYYMMDD>_<n>.<ext>``. Every
file is one source identified by its SHA-256; all formats are read as streams, so a file of any
size is never held in memory. Row numbers point at what a person sees in the file: the line where
the record starts for CSV and JSONL (the header is line 1), the sheet row for XLSX, the 1-based
element index for a JSON array.

Text encodings: a UTF-8 BOM means ``utf-8-sig``; otherwise a 64 KiB prefix is tried as UTF-8, then
as GB18030 (a superset of GBK and GB2312); charset-normalizer only breaks a tie when neither is
clean. Bytes that do not decode quarantine their row, never the file.
"""

from __future__ import annotations

import codecs
import collections
import csv
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ingest_connectors.base import (LineBlock, Records, RowError, Source, SourceError, clip,
                                    sha256_file, to_text)
from ingest_connectors.catalogue import Feed

FORMATS = (".csv", ".xlsx", ".json", ".jsonl")
PREFIX_BYTES = 64 * 1024
CHUNK_BYTES = 1 << 20
#: Largest JSON element accepted before it is declared unparsable (guards a runaway string).
MAX_JSON_ELEMENT = 8 << 20
#: Share of undecodable bytes among non-ASCII bytes below which a file is taken to be in that
#: encoding with defects (text in the wrong encoding fails on most of its non-ASCII bytes).
DEFECT_RATIO = 0.05

_SURROGATE = re.compile("[\udc80-\udcff]")
_JSON_WS = re.compile(r"[ \t\n\r]*")
#: Where the next element probably starts after a malformed one: a closing brace, a comma, a value.
_JSON_RESYNC = re.compile(r"\}[ \t\n\r]*,[ \t\n\r]*(?=[^ \t\n\r\]])")
_NATURAL = re.compile(r"(\d+)")
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload")

csv.field_size_limit(8 << 20)


# --- encodings ----------------------------------------------------------------------------------


def _undecodable_share(prefix: bytes, encoding: str) -> float:
    """Share of the non-ASCII bytes in ``prefix`` that do not decode (0 = clean)."""
    text = codecs.getincrementaldecoder(encoding)("surrogateescape").decode(prefix, final=False)
    non_ascii = sum(1 for b in prefix if b > 0x7F)
    return len(_SURROGATE.findall(text)) / non_ascii if non_ascii else 0.0


def detect_encoding(prefix: bytes) -> tuple[str, str | None]:
    """The encoding of a text file from its first bytes, and a note when the choice was not clean."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    utf8 = _undecodable_share(prefix, "utf-8")
    if utf8 == 0:
        return "utf-8", None
    gb = _undecodable_share(prefix, "gb18030")
    if gb == 0:
        return "gb18030", None
    if utf8 <= DEFECT_RATIO:
        return "utf-8", "some bytes in the first 64 KiB do not decode as UTF-8"
    if gb <= DEFECT_RATIO:
        return "gb18030", "some bytes in the first 64 KiB do not decode as GB18030"
    from charset_normalizer import from_bytes

    best = from_bytes(prefix).best()
    guess = (best.encoding if best else "").replace("_", "-").lower()
    choice = "utf-8" if guess in ("utf-8", "ascii") else "gb18030"
    return choice, ("neither UTF-8 nor GB18030 decodes cleanly; charset-normalizer suggests "
                    f"{guess or 'nothing'}")


def _show_undecodable(text: str) -> str:
    """Text with undecodable bytes shown as ``\\xNN``."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def _undecodable_reason(text: str, encoding: str) -> str:
    sample = "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in _SURROGATE.findall(text)[:8])
    return f"undecodable bytes as {encoding}: {sample}"


class _Chunk:
    """Whole lines of a file: the bytes, and their text once decoded."""

    __slots__ = ("first", "data", "_text", "bad")

    def __init__(self, data: bytes):
        self.first = 0  # number of its first line (1-based), known once it is split
        self.data = data  # ends with a line break, except at the end of a file
        self._text: str | None = None
        self.bad = False  # had undecodable bytes, decoded leniently

    def text(self, codec: str) -> str:
        if self._text is None:
            try:
                self._text = self.data.decode(codec)
            except UnicodeDecodeError:
                self._text, self.bad = self.data.decode(codec, "surrogateescape"), True
        return self._text


class _DecodedText:
    """A text file read in chunks; undecodable bytes become lone surrogates (U+DC80–U+DCFF).

    For line-based formats, chunks are cut after their last line break — a byte that never occurs
    inside a character in UTF-8 or GB18030 — and decoded strictly; only a chunk that fails is
    decoded again leniently. :meth:`lines` splits a chunk into lines, noting in :attr:`suspect`
    those with undecodable bytes and a last line with no line break, and keeps the lines of the
    last two chunks so a defective record can be quarantined verbatim.
    """

    def __init__(self, binary: BinaryIO, encoding: str, newline: str = "\n"):
        self._binary = binary
        self.encoding = encoding
        self.codec = "utf-8" if encoding == "utf-8-sig" else encoding
        self.newline = newline
        self.suspect: set[int] = set()  # numbers of lines with undecodable bytes or no line break
        self.unterminated: int | None = None  # number of a last line with no line break
        self._lines_seen = 0
        self._window: list[tuple[int, list[str]]] = [(1, []), (1, [])]

    def chunks(self) -> Iterator[str]:
        """Decoded text cut anywhere (for JSON, which need not have lines)."""
        decoder = codecs.getincrementaldecoder(self.encoding)("surrogateescape")
        while True:
            raw = self._binary.read(CHUNK_BYTES)
            text = decoder.decode(raw, final=not raw)
            if text:
                yield text
            if not raw:
                return

    def aligned(self) -> Iterator[_Chunk]:
        """Chunks of whole lines."""
        newline = self.newline.encode()
        carry = b""
        if self.encoding == "utf-8-sig":
            carry = self._binary.read(len(codecs.BOM_UTF8)).removeprefix(codecs.BOM_UTF8)
        while True:
            raw = self._binary.read(CHUNK_BYTES)
            if raw:
                data = carry + raw
                cut = data.rfind(newline) + 1
                if not cut:
                    carry = data
                    continue
                data, carry = data[:cut], data[cut:]
            elif carry:
                data, carry = carry, b""
            else:
                return
            yield _Chunk(data)

    def take(self, count: int) -> int:
        """Number the next ``count`` lines; returns the number of the first."""
        first = self._lines_seen + 1
        self._lines_seen += count
        return first

    def lines(self, chunk: _Chunk) -> list[str]:
        """The decoded lines of a chunk, each with its line break."""
        newline = self.newline
        lines = chunk.text(self.codec).split(newline)
        last = lines.pop()
        lines = [line + newline for line in lines]
        if last:  # only at the end of the file
            lines.append(last)
        chunk.first = self.take(len(lines))
        if last:
            self.unterminated = chunk.first + len(lines) - 1
            self.suspect.add(self.unterminated)
        if chunk.bad:
            self.suspect.update(chunk.first + i for i, line in enumerate(lines)
                                if _SURROGATE.search(line))
        self._window = [self._window[1], (chunk.first, lines)]
        return lines

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(map(self.lines, self.aligned()))

    def raw(self, first: int, last: int) -> str:
        """Lines ``first`` to ``last`` as far as the last two chunks split by :meth:`lines` hold
        them, without the final line break."""
        out: list[str] = []
        for base, lines in self._window:
            out.extend(lines[max(first - base, 0):max(last - base + 1, 0)])
        return "".join(out).rstrip("\r\n")


def _open_text(path: Path, encoding: str | None) -> tuple[BinaryIO, _DecodedText, list[str]]:
    binary = open(path, "rb")
    notes: list[str] = []
    prefix = binary.read(PREFIX_BYTES)
    binary.seek(0)
    if encoding is None:
        encoding, note = detect_encoding(prefix)
        if note:
            notes.append(note)
    # Classic Mac files end lines with CR alone.
    newline = "\r" if b"\n" not in prefix and b"\r" in prefix else "\n"
    return binary, _DecodedText(binary, encoding, newline), notes


# --- CSV ----------------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _header(text: _DecodedText, chunks: Iterator[_Chunk]) -> tuple[str, int, _Chunk] | None:
    """The first non-blank line, its number, and the rest of its chunk."""
    newline = text.newline.encode()
    for chunk in chunks:
        data, pos = chunk.data, 0
        while pos < len(data):
            end = data.find(newline, pos) + 1 or len(data)
            line = data[pos:end].decode(text.codec, "surrogateescape")
            number = text.take(1)
            if line.strip("\r\n\t \ufeff"):
                return line, number, _Chunk(data[end:])
            pos = end
    return None


def _read_csv(source: Source, encoding: str | None, fast: bool = True) -> Records:
    binary, text, notes = _open_text(Path(source.name), encoding)
    chunks = text.aligned()
    found = _header(text, chunks)
    if found is None:
        binary.close()
        notes.append("empty file: no header and no rows" if source.bytes else "empty file (0 bytes)")
        return Records(rows=(), header=None, encoding=text.encoding, notes=notes)
    first, header_line, rest = found
    # The delimiter is sniffed from the header line alone: department headers are field names.
    delimiter = _delimiter(first)
    # An undecodable byte in a header name must not make every row unstorable: show it as \xNN.
    header = [_show_undecodable(h.lstrip("\ufeff"))
              for h in next(csv.reader([first], delimiter=delimiter))]
    chunks = itertools.chain([rest] if rest.data else [], chunks)
    rows = _CsvRows(text, chunks, header, delimiter, source.name, fast)
    careful = (lambda: _read_csv(source, encoding, fast=False)) if fast else None
    return Records(rows=rows.rows(), header=header, encoding=text.encoding, notes=notes,
                   close=binary.close, careful=careful)


class _CsvRows:
    """Rows of a CSV body.

    When ``fast``, chunks free of quotes, tabs, backslashes and NULs are split into lines at C
    speed and handed over in line blocks, UTF-8 undecoded; other chunks go through the csv
    module. The server checks what the fast path does not (the encoding, stray line breaks, field
    counts that cancel out within a chunk); if it rejects the data the landing reads the file
    again with ``fast=False``, every record through the csv module.
    """

    def __init__(self, text: _DecodedText, chunks: Iterator[_Chunk], header: list[str],
                 delimiter: str, source: str, fast: bool):
        self.text, self.chunks, self.header = text, chunks, header
        self.delimiter, self.source = delimiter, source
        self.fast = fast and text.newline == "\n"
        self.pending: collections.deque[str] = collections.deque()
        self.reader = csv.reader(self._feed(), delimiter=delimiter)

    def _feed(self) -> Iterator[str]:
        """Lines for the csv module; a record still open at the end of a chunk pulls the next."""
        pending = self.pending
        while True:
            while pending:
                yield pending.popleft()
            chunk = next(self.chunks, None)
            if chunk is None:
                return
            pending.extend(self.text.lines(chunk))

    def _plain_utf8(self, chunk: _Chunk) -> bytes | None:
        """The chunk as UTF-8 if it holds nothing that needs the csv module or escaping."""
        if self.text.codec == "utf-8":
            data = chunk.data
        else:
            text = chunk.text(self.text.codec)
            if chunk.bad or "\\" in text:  # (0x5C can be half of a GB18030 character)
                return None
            data = text.encode()
        if (b'"' in data or b"\\" in data or b"\x00" in data
                or (self.delimiter != "\t" and b"\t" in data)):
            return None
        return data

    def rows(self) -> Iterator[tuple[int, list[str] | RowError] | LineBlock]:
        for chunk in self.chunks:
            data = self._plain_utf8(chunk) if self.fast else None
            if data is not None:
                yield from self._plain_rows(data)
            else:
                yield from self._parsed_rows(chunk)

    def _plain_rows(self, data: bytes) -> Iterator[tuple[int, list[str] | RowError] | LineBlock]:
        # Lines are split on the first line's ending. A stray CR or LF inside a line, or lines
        # whose field counts are off in ways that cancel out, cannot pass unnoticed: the server
        # rejects such COPY data and the landing reads the file again through the csv module.
        n, tab = len(self.header), b"\t"
        if self.delimiter != "\t":
            data = data.replace(self.delimiter.encode(), tab)  # (the chunk has no tabs)
        crlf = data.find(b"\n") > 0 and data[data.find(b"\n") - 1] == 0x0D
        lines = data.split(b"\r\n" if crlf else b"\n")
        last = lines.pop()
        if last:  # the end of a file with no final line break
            lines.append(last)
        first = self.text.take(len(lines))
        if data.count(tab) == (n - 1) * len(lines):
            yield LineBlock(first, lines)
            return
        counts = list(map(bytes.count, lines, itertools.repeat(tab)))
        run = 0  # start of the current run of regular lines
        for i, count in enumerate(counts):
            if count == n - 1:
                continue
            if run < i:
                yield LineBlock(first + run, lines[run:i])
            run = i + 1
            line, number = lines[i].decode("utf-8", "surrogateescape"), first + i
            if not line.strip():
                continue
            row = line.split("\t")
            line = line.replace("\t", self.delimiter)  # as sent, for the quarantine
            if _SURROGATE.search(line):
                bad = next(j for j, v in enumerate(row) if _SURROGATE.search(v))
                yield number, RowError(self.source, number, self.header[bad] if bad < n else None,
                                       _undecodable_reason(line, self.text.encoding),
                                       clip(_show_undecodable(line)))
                continue
            if len(row) > n and not any(v.strip() for v in row[n:]):
                yield number, row[:n]  # trailing delimiters with nothing after them lose no data
                continue
            hint = "; truncated last line (no line terminator)" if last and i == len(lines) - 1 else ""
            much = "too many" if len(row) > n else "too few"
            yield number, RowError(self.source, number, None,
                                   f"{much} fields: {len(row)}, the header has {n}{hint}", clip(line))
        if run < len(lines):
            yield LineBlock(first + run, lines[run:])

    def _parsed_rows(self, chunk: _Chunk) -> Iterator[tuple[int, list[str] | RowError]]:
        reader, text, n = self.reader, self.text, len(self.header)
        self.pending.extend(text.lines(chunk))
        offset = chunk.first - 1 - reader.line_num  # reader.line_num counts the lines it read
        prev = chunk.first - 1
        while self.pending:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start, prev = prev + 1, reader.line_num + offset
                yield start, RowError(self.source, start, None, f"unparsable CSV: {exc}",
                                      clip(_show_undecodable(text.raw(start, prev))))
                continue
            start, prev = prev + 1, reader.line_num + offset
            if len(row) == n and prev == start and not text.suspect:
                yield start, row
                continue
            checked = _check_csv_row(row, self.header, text, self.source, start, prev)
            if checked is not None:
                yield start, checked


def _check_csv_row(row: list[str], header: list[str], text: _DecodedText, source: str,
                   start: int, end: int) -> list[str] | RowError | None:
    """The slow path for a record that is ragged, multi-line or suspect; ``None`` skips a blank."""
    n = len(header)
    raw = text.raw(start, end)
    flagged = {line for line in text.suspect if line <= end}
    text.suspect.difference_update(flagged)
    if not row or (len(row) == 1 and not row[0].strip() and n > 1):
        return None
    if any(start <= line <= end for line in flagged) and _SURROGATE.search(raw):
        bad = next((i for i, v in enumerate(row) if _SURROGATE.search(v)), None)
        field = header[bad] if bad is not None and bad < n else None
        return RowError(source, start, field, _undecodable_reason(raw, text.encoding),
                        clip(_show_undecodable(raw)))
    truncated = text.unterminated is not None and start <= text.unterminated <= end
    hint = "; truncated last line (no line terminator)" if truncated else ""
    if (end > start or truncated) and raw.count('"') % 2:
        return RowError(source, start, None, "unterminated quoted field" + hint, clip(raw))
    if len(row) > n and not any(v.strip() for v in row[n:]):
        row = row[:n]  # trailing delimiters with nothing after them lose no data
    if len(row) != n:
        much = "too many" if len(row) > n else "too few"
        return RowError(source, start, None, f"{much} fields: {len(row)}, the header has {n}{hint}",
                        clip(raw))
    return row


# --- XLSX ---------------------------------------------------------------------------------------


def _read_xlsx(source: Source) -> Records:
    import zipfile

    from openpyxl.utils.exceptions import InvalidFileException

    from ingest_connectors.xlsx_rows import open_workbook, sheet_values

    try:
        workbook = open_workbook(source.name)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(source.name, f"not a readable XLSX workbook: {exc}") from exc
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"workbook has {len(workbook.worksheets)} sheets; only the first was read")
    sheet_rows = sheet_values(workbook.worksheets[0])
    header: list[str] | None = None
    for _, values in sheet_rows:
        if any(v is not None and str(v).strip() for v in values):
            header = [to_text(v) or "" for v in values]
            while header and not header[-1].strip():
                header.pop()
            break
    if header is None:
        workbook.close()
        notes.append("empty workbook: no header and no rows")
        return Records(rows=(), header=None, encoding=None, notes=notes)

    def rows() -> Iterator[tuple[int, list[str | None] | RowError]]:
        n = len(header)
        for number, values in sheet_rows:
            cells = [to_text(v) for v in values]
            if len(cells) > n:
                extra = cells[n:]
                if any(v is not None and v.strip() for v in extra):
                    raw = "\t".join(v or "" for v in cells).rstrip("\t")
                    yield number, RowError(source.name, number, None,
                                           f"too many cells: values beyond the {n} header columns",
                                           clip(raw))
                    continue
                cells = cells[:n]
            if not any(v is not None and v.strip() for v in cells):
                continue
            cells.extend([None] * (n - len(cells)))
            yield number, cells

    return Records(rows=rows(), header=header, encoding=None, notes=notes, close=workbook.close)


# --- JSON and JSONL -----------------------------------------------------------------------------


def _json_decoder() -> json.JSONDecoder:
    # Numbers are kept as written ("0.20" stays "0.20"): raw data is text, parsing comes later.
    return json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str)


def _read_json(source: Source, encoding: str | None) -> Records:
    binary, text, notes = _open_text(Path(source.name), encoding)
    encoding = text.encoding
    chunks = text.chunks()
    decoder = _json_decoder()
    state = {"buf": "", "pos": 0, "bad": False}

    def fill() -> bool:
        chunk = next(chunks, None)
        if chunk is None:
            return False
        state["buf"] = state["buf"][state["pos"]:] + chunk
        state["pos"] = 0
        state["bad"] = state["bad"] or bool(_SURROGATE.search(chunk))
        return True

    def skip_ws() -> bool:
        """Move to the next non-blank character; False at the end of the file."""
        while True:
            state["pos"] = _JSON_WS.match(state["buf"], state["pos"]).end()
            if state["pos"] < len(state["buf"]):
                return True
            if not fill():
                return False

    if not skip_ws():
        binary.close()
        notes.append("empty file (0 bytes)" if not source.bytes else "empty file: no JSON value")
        return Records(rows=(), header=None, encoding=encoding, notes=notes)
    if state["buf"][state["pos"]] != "[":
        binary.close()
        raise SourceError(source.name, "a JSON file must hold one array of objects "
                                       f"(it starts with {state['buf'][state['pos']]!r})")
    state["pos"] += 1

    def rows() -> Iterator[tuple[int, dict | RowError]]:
        number = 0
        while True:
            if not skip_ws():
                notes.append("truncated JSON: the array is not closed")
                return
            buf, pos = state["buf"], state["pos"]
            if buf[pos] == "]":
                state["pos"] += 1
                if skip_ws():
                    notes.append("text after the closing bracket was ignored")
                return
            if buf[pos] == "," and number:
                state["pos"] += 1
                if not skip_ws():
                    notes.append("truncated JSON: the array is not closed")
                    return
            number += 1
            yield number, _next_json_element(state, fill, decoder, source.name, number, encoding)

    return Records(rows=rows(), header=None, encoding=encoding, notes=notes, close=binary.close)


def _next_json_element(state: dict, fill, decoder: json.JSONDecoder, source: str, number: int,
                       encoding: str) -> dict | RowError:
    """Decode the element at the current position, or skip past it as a quarantined row."""
    while True:
        buf, pos = state["buf"], state["pos"]
        try:
            value, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if len(buf) - pos < MAX_JSON_ELEMENT and fill():
                continue
            match = _JSON_RESYNC.search(buf, pos)
            end = match.start() + 1 if match else len(buf)
            raw = buf[pos:end]
            state["pos"] = match.end() if match else len(buf)
            reason = f"unparsable JSON element: {exc.msg}"
            if not match:
                reason += " (truncated at the end of the file)"
                raw = raw.rstrip().removesuffix("]")
            return RowError(source, number, None, reason, clip(_show_undecodable(raw)))
        state["pos"] = end
        raw = buf[pos:end]
        if state["bad"] and _SURROGATE.search(raw):
            field = next((k for k, v in value.items() if isinstance(v, str) and _SURROGATE.search(v)),
                         None) if isinstance(value, dict) else None
            return RowError(source, number, field, _undecodable_reason(raw, encoding),
                            clip(_show_undecodable(raw)))
        if not isinstance(value, dict):
            return RowError(source, number, None,
                            f"element is a JSON {type(value).__name__}, not an object", clip(raw))
        return value


def _read_jsonl(source: Source, encoding: str | None) -> Records:
    binary, text, notes = _open_text(Path(source.name), encoding)
    if not source.bytes:
        notes.append("empty file (0 bytes)")
    decode = _json_decoder().decode

    def rows() -> Iterator[tuple[int, dict | RowError]]:
        for number, line in enumerate(text, start=1):
            stripped = line.strip().lstrip("\ufeff")
            if not stripped:
                continue
            if number in text.suspect and _SURROGATE.search(line):
                yield number, RowError(source.name, number, None,
                                       _undecodable_reason(line, text.encoding),
                                       clip(_show_undecodable(line)))
                continue
            try:
                value = decode(stripped)
            except json.JSONDecodeError as exc:
                hint = " (truncated last line)" if number == text.unterminated else ""
                yield number, RowError(source.name, number, None,
                                       f"unparsable JSON line: {exc.msg}{hint}", clip(line))
                continue
            if not isinstance(value, dict):
                yield number, RowError(source.name, number, None,
                                       f"line is a JSON {type(value).__name__}, not an object",
                                       clip(line))
                continue
            yield number, value

    return Records(rows=rows(), header=None, encoding=text.encoding, notes=notes,
                   close=binary.close)


# --- the connector ------------------------------------------------------------------------------


def _natural_key(path: Path) -> list:
    return [int(p) if p.isdigit() else p for p in _NATURAL.split(path.name)]


class FileDropConnector:
    """Files in ``<landing>/files/<sector_slug>/<record_type_code>/``, one source per file."""

    kind = "file_drop"
    ordered = False

    def __init__(self, landing_dir: Path, *, encoding: str | None = None):
        self.landing_dir = Path(landing_dir)
        # An encoding to force instead of detecting one; GBK and GB2312 are read as their superset.
        self.encoding = "gb18030" if encoding and encoding.lower() in ("gbk", "gb2312") else encoding

    def feed_dir(self, feed: Feed) -> Path:
        return self.landing_dir / "files" / feed.sector.slug / feed.record_type.code

    def discover(self, feed: Feed, state: object = None) -> Iterator[Source]:
        folder = self.feed_dir(feed)
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir(), key=_natural_key):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith(_IGNORED_SUFFIXES):
                continue
            content_hash, size = sha256_file(path)
            yield Source(feed_key=feed.key, name=str(path), connector=self.kind, bytes=size,
                         content_hash=content_hash)

    def read(self, source: Source) -> Records:
        suffix = Path(source.name).suffix.lower()
        if suffix == ".csv":
            return _read_csv(source, self.encoding)
        if suffix == ".xlsx":
            return _read_xlsx(source)
        if suffix == ".json":
            return _read_json(source, self.encoding)
        if suffix == ".jsonl":
            return _read_jsonl(source, self.encoding)
        raise SourceError(source.name, f"unsupported file type {suffix or '(none)'}; "
                                       f"expected one of {', '.join(FORMATS)}")
