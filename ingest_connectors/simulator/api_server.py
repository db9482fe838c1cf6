"""A stand-in for the departments' HTTP APIs, serving the simulator's ``api/`` directory.

``GET /api/v1/<sector_slug>/<record_type_code>?cursor=<opaque>&page_size=<n>`` with
``Authorization: Bearer <token>`` answers ``{"items": [...], "next_cursor": "...", "has_more": bool}``.

The cursor encodes a byte offset into ``api/<sector_slug>/<record_type_code>.jsonl``; the file is
re-read on every request, so lines appended later (``--day``) are new items for a client that
resumes from its last ``next_cursor``. ``next_cursor`` is only ``null`` when the feed is empty and
no cursor was given; on the last page it is the resume point and ``has_more`` is false.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Mapping
from urllib.parse import parse_qs, urlsplit

DEFAULT_TOKEN = "demo-token"  # what ingest_connectors.http_api sends when its token variable is unset
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass
class FaultPlan:
    """Faults to inject, by request number (1-based, counting every API request in arrival order).

    * ``fail_first``: the first N requests answer HTTP 500.
    * ``slow_requests``: these requests sleep ``slow_seconds`` before answering normally.
    * ``malformed_requests``: these requests answer 200 with a broken page — ``malformed_kind``
      ``"invalid_json"`` (truncated JSON) or ``"items_not_list"`` (``items`` is an object).
    """

    fail_first: int = 0
    slow_requests: tuple[int, ...] = ()
    slow_seconds: float = 5.0
    malformed_requests: tuple[int, ...] = ()
    malformed_kind: str = "invalid_json"
    requests: int = 0
    log: list[tuple[int, str, int]] = field(default_factory=list)  # (n, path, status)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def next_request(self) -> int:
        with self._lock:
            self.requests += 1
            return self.requests


def encode_cursor(feed: str, offset: int) -> str:
    raw = json.dumps({"v": 1, "feed": feed, "offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, feed: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if data.get("v") != 1 or data.get("feed") != feed or not isinstance(data.get("offset"), int) or data["offset"] < 0:
        raise ValueError("cursor does not belong to this feed")
    return data["offset"]


def read_page(path: Path, offset: int, page_size: int) -> tuple[list[dict], int, bool]:
    """Items from complete lines starting at ``offset``; the new offset; whether more follow."""
    items: list[dict] = []
    if not path.exists():
        if offset:
            raise ValueError("cursor beyond the end of the feed")
        return items, 0, False
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        if offset > size:
            raise ValueError("cursor beyond the end of the feed")
        if offset:
            fh.seek(offset - 1)
            if fh.read(1) != b"\n":
                raise ValueError("cursor does not point at a line start")
        fh.seek(offset)
        position = offset
        while len(items) < page_size:
            line = fh.readline()
            if not line.endswith(b"\n"):  # EOF, or a line still being written
                break
            position += len(line)
            if line.strip():
                items.append(json.loads(line))
        more_line = fh.readline()
        has_more = more_line.endswith(b"\n")
    return items, position, has_more


def _make_handler(api_dir: Path, tokens: str | Mapping[str, str], faults: FaultPlan):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, n: int | None = None) -> None:
            if n is not None:
                with faults._lock:
                    faults.log.append((n, self.path, status))
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, obj, n: int | None = None) -> None:
            self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), n)

        def do_GET(self) -> None:  # noqa: N802 (stdlib name)
            url = urlsplit(self.path)
            if url.path == "/healthz":
                return self._json(200, {"status": "ok"})
            parts = [p for p in url.path.split("/") if p]
            if len(parts) < 3 or parts[:2] != ["api", "v1"]:
                return self._json(404, {"error": "not found"})
            n = faults.next_request()
            if n <= faults.fail_first:
                return self._json(500, {"error": "internal server error (injected)"}, n)
            if n in faults.slow_requests:
                time.sleep(faults.slow_seconds)
            sector = parts[2]
            expected = tokens.get(sector, tokens.get("*")) if isinstance(tokens, Mapping) else tokens
            if self.headers.get("Authorization", "") != f"Bearer {expected}" or expected is None:
                return self._json(401, {"error": "missing or invalid bearer token"}, n)
            if len(parts) == 3:
                folder = api_dir / sector
                if not folder.is_dir():
                    return self._json(404, {"error": f"no sector {sector}"}, n)
                return self._json(200, {"record_types": sorted(p.stem for p in folder.glob("*.jsonl"))}, n)
            if len(parts) != 4:
                return self._json(404, {"error": "not found"}, n)
            record_type = parts[3]
            path = api_dir / sector / f"{record_type}.jsonl"
            if not path.is_file() or record_type.startswith("."):
                return self._json(404, {"error": f"no feed {sector}/{record_type}"}, n)
            query = parse_qs(url.query)
            try:
                page_size = int(query.get("page_size", [DEFAULT_PAGE_SIZE])[0])
                if not 1 <= page_size <= MAX_PAGE_SIZE:
                    raise ValueError
            except ValueError:
                return self._json(400, {"error": f"page_size must be 1..{MAX_PAGE_SIZE}"}, n)
            feed = f"{sector}/{record_type}"
            cursor = query.get("cursor", [""])[0]
            try:
                offset = decode_cursor(cursor, feed) if cursor else 0
                items, position, has_more = read_page(path, offset, page_size)
            except (ValueError, json.JSONDecodeError, UnicodeDecodeError, base64.binascii.Error):
                return self._json(400, {"error": "invalid cursor"}, n)
            next_cursor = encode_cursor(feed, position) if (cursor or position) else None
            if n in faults.malformed_requests:
                if faults.malformed_kind == "items_not_list":
                    return self._json(200, {"items": {"error": "not a list"}, "next_cursor": next_cursor,
                                            "has_more": has_more}, n)
                text = json.dumps({"items": items, "next_cursor": next_cursor, "has_more": has_more},
                                  ensure_ascii=False)
                return self._send(200, text[: max(1, len(text) // 2)].encode("utf-8"), n)  # truncated
            return self._json(200, {"items": items, "next_cursor": next_cursor, "has_more": has_more}, n)

    return Handler


@contextlib.contextmanager
def serve_department_apis(api_dir: Path | str, host: str = "127.0.0.1", port: int = 0,
                          token: str | Mapping[str, str] = DEFAULT_TOKEN,
                          faults: FaultPlan | None = None) -> Iterator[str]:
    """Serve ``api_dir`` (the simulator's ``<out>/api``) in a background thread; yields the base
    URL (``http://127.0.0.1:<port>``). ``token`` is one bearer token for every sector, or a
    mapping sector slug → token (key ``"*"`` for the rest)."""
    faults = faults if faults is not None else FaultPlan()
    server = ThreadingHTTPServer((host, port), _make_handler(Path(api_dir), token, faults))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, name="simulated-department-api", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
