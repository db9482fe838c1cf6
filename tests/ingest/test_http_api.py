"""HTTP API feeds against a tiny local server: paging, resuming, retries and failures."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from ingest_support import CODES, assert_conserved, good_row, loads, make_feed, quarantined, raw_rows

from ingest_connectors import landing
from ingest_connectors.http_api import HttpApiConnector
from ingest_connectors.landing import land_feed

PATH = "/api/v1/testing/penalty"


class FakeApi:
    """Serves ``items`` in pages; ``faults`` are consumed one per request (500, timeout, …)."""

    def __init__(self):
        self.items: list = [dict(zip(CODES, good_row(i))) for i in range(1, 6)]
        self.faults: list[str] = []
        self.requests: list[str] = []
        self.token = "demo-token"

    def answer(self, path: str, headers) -> tuple[int, bytes]:
        self.requests.append(path)
        fault = self.faults.pop(0) if self.faults else None
        if fault == "500":
            return 500, b"internal error"
        if fault == "timeout":
            time.sleep(1.0)
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, b'{"error": "bad token"}'
        url = urlsplit(path)
        if url.path != PATH:
            return 404, b"not found"
        query = parse_qs(url.query)
        offset = int(query.get("cursor", ["c0"])[0][1:])
        size = int(query["page_size"][0])
        if fault == "malformed":
            return 200, b'{"items": [{"CF_XDR_MC": "half a page'
        page = self.items[offset:offset + size]
        end = offset + len(page)
        body = {"items": page, "next_cursor": f"c{end}", "has_more": end < len(self.items)}
        return 200, json.dumps(body, ensure_ascii=False).encode()


@pytest.fixture()
def api():
    fake = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = fake.answer(self.path, self.headers)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up waiting (timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture()
def api_feed():
    return make_feed("http_api", {"path": "/api/v1/testing", "page_size": 2,
                                  "token_env": "CREDIT_TEST_FEED_TOKEN"})


def connector(api, feed, **overrides):
    options = {"timeout": 0.5, "backoff": 0.01, "max_retries": 3, **overrides}
    return HttpApiConnector.from_settings(feed.sector.connector.settings, base_url=api.base_url,
                                          **options)


def cursor(conn):
    return conn.execute("select cursor from audit.api_cursor").fetchone()[0]


def test_each_page_is_a_source_and_a_rerun_fetches_only_new_items(conn, api, api_feed):
    first = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert first.sources_loaded == 3 and first.rows_loaded == 5
    assert cursor(conn) == "c5"
    sources = [r["source"] for r in loads(conn)]
    assert sources[0] == f"{api.base_url}{PATH}?page_size=2"
    assert sources[1] == f"{api.base_url}{PATH}?cursor=c2&page_size=2"

    api.items += [dict(zip(CODES, good_row(i))) for i in range(6, 9)]
    second = land_feed(api_feed, connector(api, api_feed), conn=conn)
    third = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert second.rows_loaded == 3 and third.outcomes == []
    names = [r[0] for r in raw_rows(conn, api_feed, "subject_name")]
    assert sorted(names) == sorted(f"黄石市测试公司{i}" for i in range(1, 9))
    assert cursor(conn) == "c8"
    assert_conserved(conn)


def test_server_errors_and_timeouts_are_retried_with_backoff(conn, api, api_feed):
    api.faults = ["500", "timeout", "500"]

    result = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert result.rows_loaded == 5 and not result.failures
    assert len(api.requests) == 3 + 3  # three failed attempts, then three pages


def test_a_persistent_server_error_fails_naming_the_url_and_page(conn, api, api_feed):
    api.faults = ["500"] * 10

    result = land_feed(api_feed, connector(api, api_feed, max_retries=2), conn=conn)

    [(source, message)] = result.failures
    assert source == f"{api.base_url}{PATH}?page_size=2"
    assert message.startswith(source) and "page 1: gave up after 3 attempts: HTTP 500" in message
    assert loads(conn)[0]["status"] == "failed"


def test_a_malformed_page_fails_after_the_pages_before_it_are_committed(conn, api, api_feed):
    api.faults = [None, "malformed"]

    broken = land_feed(api_feed, connector(api, api_feed), conn=conn)

    [(source, message)] = broken.failures
    assert source.endswith("?cursor=c2&page_size=2")
    assert "page 2: malformed page: not JSON" in message
    assert broken.rows_loaded == 2 and cursor(conn) == "c2"

    resumed = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert resumed.rows_loaded == 3
    assert len(raw_rows(conn, api_feed)) == 5  # nothing lost, nothing twice
    assert_conserved(conn)


def test_a_crash_while_landing_a_page_leaves_the_cursor_before_it(conn, api, api_feed, monkeypatch):
    flush = landing._SourceWriter._flush
    calls = []

    def failing_flush(self, block):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected crash while writing page 2")
        flush(self, block)

    monkeypatch.setattr(landing._SourceWriter, "_flush", failing_flush)
    crashed = land_feed(api_feed, connector(api, api_feed), conn=conn)
    monkeypatch.setattr(landing._SourceWriter, "_flush", flush)

    assert crashed.rows_loaded == 2 and "injected crash" in crashed.failures[0][1]
    assert cursor(conn) == "c2"

    land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert sorted(r[0] for r in raw_rows(conn, api_feed, "subject_name")) == [
        f"黄石市测试公司{i}" for i in range(1, 6)]
    assert_conserved(conn)


def test_a_wrong_token_fails_at_once(conn, api, api_feed, monkeypatch):
    monkeypatch.setenv("CREDIT_TEST_FEED_TOKEN", "not-the-token")

    result = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert "page 1: HTTP 401" in result.failures[0][1] and len(api.requests) == 1


def test_items_that_are_not_objects_are_quarantined(conn, api, api_feed):
    api.items[1] = ["not", "an", "object"]

    result = land_feed(api_feed, connector(api, api_feed), conn=conn)

    assert (result.rows_received, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    [bad] = quarantined(conn)
    assert bad["row_number"] == 2 and "not an object" in bad["reason"]
    assert bad["source"].endswith("?page_size=2")
    assert_conserved(conn)
