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
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ingest_connectors.base import Records, RowError, Source, SourceError, clip, sha256_file, to_text
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
    return choice, f"neither UTF-8 nor GB18030 decodes cleanly; charset-normalizer suggests {guess or 'nothing'}"


def _show_undecodable(text: str) -> str:
    """Text with undecodable bytes shown as ``\\xNN``."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def _undecodable_reason(text: str, encoding: str) -> str:
    sample = "".join(f"\\x{ord(c) - 0xDC00:02x}" for c in _SURROGATE.findall(text)[:8])
    return f"undecodable bytes as {encoding}: {sample}"


class _DecodedText:
    """A byte stream decoded in chunks; undecodable bytes become lone surrogates (U+DC80–U+DCFF).

    Iterating gives lines split like ``open(newline='')`` (what the csv module expects), and keeps
    the lines of the current record in :attr:`lines` so a bad record can be quarantined verbatim.
    :attr:`suspect` flags a line with undecodable bytes or a last line with no terminator.
    """

    def __init__(self, binary: BinaryIO, encoding: str):
        self._binary = binary
        self._decoder = codecs.getincrementaldecoder(encoding)("surrogateescape")
        self.lines: list[str] = []
        self.suspect = False
        self.unterminated = False

    def chunks(self) -> Iterator[str]:
        while True:
            raw = self._binary.read(CHUNK_BYTES)
            text = self._decoder.decode(raw, final=not raw)
            if text:
                yield text
            if not raw:
                return

    def __iter__(self) -> Iterator[str]:
        lines, pending = self.lines, ""
        for text in self.chunks():
            text = pending + text
            parts = io.StringIO(text, newline="").readlines()
            pending = parts.pop() if not parts[-1].endswith("\n") else ""
            if _SURROGATE.search(text):
                for line in parts:
                    if _SURROGATE.search(line):
                        self.suspect = True
                    lines.append(line)
                    yield line
            else:
                for line in parts:
                    lines.append(line)
                    yield line
        if pending:
            self.suspect = self.unterminated = True
            lines.append(pending)
            yield pending


def _open_text(path: Path, encoding: str | None) -> tuple[BinaryIO, _DecodedText, str, list[str]]:
    binary = open(path, "rb")
    notes: list[str] = []
    if encoding is None:
        encoding, note = detect_encoding(binary.read(PREFIX_BYTES))
        binary.seek(0)
        if note:
            notes.append(note)
    return binary, _DecodedText(binary, encoding), encoding, notes


# --- CSV ----------------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(source: Source, encoding: str | None) -> Records:
    path = Path(source.name)
    binary, text, encoding, notes = _open_text(path, encoding)
    lines = text.lines
    line_iter = iter(text)
    # The delimiter is sniffed from the header line alone: department headers are field names.
    first, header_line = next(line_iter, None), 1
    while first is not None and not first.strip("\r\n\t \ufeff"):
        first, header_line = next(line_iter, None), header_line + 1
    if first is None:
        binary.close()
        notes.append("empty file: no header and no rows" if source.bytes else "empty file (0 bytes)")
        return Records(rows=(), header=None, encoding=encoding, notes=notes)
    delimiter = _delimiter(first)
    lines.clear()
    header_reader = csv.reader([first], delimiter=delimiter)
    header = [h.lstrip("\ufeff") for h in next(header_reader)]
    reader = csv.reader(line_iter, delimiter=delimiter)
    text.suspect = False

    def rows() -> Iterator[tuple[int, list[str] | RowError]]:
        n = len(header)
        prev = offset = header_line  # reader.line_num counts the lines after the header
        while True:
            try:
                for row in reader:
                    start = prev + 1
                    prev = reader.line_num + offset
                    if len(row) == n and prev == start and not text.suspect:
                        lines.clear()
                        yield start, row
                        continue
                    checked = _check_csv_row(row, header, "".join(lines), text, source.name,
                                             start, encoding)
                    lines.clear()
                    text.suspect = False
                    if checked is not None:
                        yield start, checked
                return
            except csv.Error as exc:
                start = prev + 1
                prev = reader.line_num + offset
                raw = "".join(lines)
                lines.clear()
                text.suspect = False
                yield start, RowError(source.name, start, None, f"unparsable CSV: {exc}",
                                      clip(_show_undecodable(raw)))

    return Records(rows=rows(), header=header, encoding=encoding, notes=notes, close=binary.close)


def _check_csv_row(
    row: list[str], header: list[str], raw: str, text: _DecodedText, source: str, start: int,
    encoding: str,
) -> list[str] | RowError | None:
    """The slow path for a record that is ragged, multi-line or suspect; ``None`` skips a blank."""
    n = len(header)
    if not row or (len(row) == 1 and not row[0].strip() and n > 1):
        return None
    if _SURROGATE.search(raw):
        bad = next((i for i, v in enumerate(row) if _SURROGATE.search(v)), None)
        field = header[bad] if bad is not None and bad < n else None
        return RowError(source, start, field, _undecodable_reason(raw, encoding),
                        clip(_show_undecodable(raw)))
    truncated = text.unterminated and not raw.endswith(("\n", "\r"))
    hint = "; truncated last line (no line terminator)" if truncated else ""
    if raw.count('"') % 2:
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

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(source.name, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(source.name, f"not a readable XLSX workbook: {exc}") from exc
    notes = []
    if len(workbook.worksheets) > 1:
        notes.append(f"workbook has {len(workbook.worksheets)} sheets; only the first was read")
    sheet_rows = enumerate(workbook.worksheets[0].iter_rows(min_row=1, values_only=True), start=1)
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
    binary, text, encoding, notes = _open_text(Path(source.name), encoding)
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
    binary, text, encoding, notes = _open_text(Path(source.name), encoding)
    if not source.bytes:
        notes.append("empty file (0 bytes)")
    decode = _json_decoder().decode

    def rows() -> Iterator[tuple[int, dict | RowError]]:
        for number, line in enumerate(text, start=1):
            text.lines.clear()
            stripped = line.strip().lstrip("\ufeff")
            if not stripped:
                continue
            if text.suspect:
                text.suspect = False
                if _SURROGATE.search(line):
                    yield number, RowError(source.name, number, None,
                                           _undecodable_reason(line, encoding),
                                           clip(_show_undecodable(line)))
                    continue
            try:
                value = decode(stripped)
            except json.JSONDecodeError as exc:
                hint = " (truncated last line)" if text.unterminated else ""
                yield number, RowError(source.name, number, None,
                                       f"unparsable JSON line: {exc.msg}{hint}", clip(line))
                continue
            if not isinstance(value, dict):
                yield number, RowError(source.name, number, None,
                                       f"line is a JSON {type(value).__name__}, not an object",
                                       clip(line))
                continue
            yield number, value

    return Records(rows=rows(), header=None, encoding=encoding, notes=notes, close=binary.close)


# --- the connector ------------------------------------------------------------------------------


def _natural_key(path: Path) -> list:
    return [int(p) if p.isdigit() else p for p in _NATURAL.split(path.name)]


class FileDropConnector:
    """Files in ``<landing>/files/<sector_slug>/<record_type_code>/``, one source per file."""

    kind = "file_drop"
    ordered = False

    def __init__(self, landing_dir: Path, *, encoding: str | None = None):
        self.landing_dir = Path(landing_dir)
        self.encoding = encoding  # force an encoding instead of detecting it

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
