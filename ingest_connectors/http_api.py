"""HTTP API feeds: cursor-paged JSON, one page per source.

``GET {base}{path}/<record_type_code>?cursor=<opaque>&page_size=<n>`` with ``Authorization: Bearer
<token>`` answers ``{"items": [...], "next_cursor": str | null, "has_more": bool}``; resuming from
the last ``next_cursor`` returns only new items. Each page is landed in one transaction together
with the cursor that follows it (``audit.api_cursor``), so a crash resumes from the last committed
page without losing or repeating rows.

The token is read from the environment variable named by the connector's ``token_env`` setting;
when that is unset the simulator's token ``demo-token`` is sent, so the demo runs with no setup.
Server errors (5xx, 429), timeouts and dropped connections are retried with exponential backoff,
a bounded number of times; other HTTP errors and malformed pages fail at once, naming the URL.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from ingest_connectors.base import Checkpoint, Records, RowError, Source, SourceError, StateStore
from ingest_connectors.catalogue import Feed

log = logging.getLogger(__name__)

#: Token of the simulator's API server, sent when the feed's token variable is unset.
DEMO_TOKEN = "demo-token"
#: Base URL used when neither the caller nor the connector settings give one.
BASE_URL_ENV = "CREDIT_FEED_API_URL"
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}
_RETRYABLE_ERRORS = (requests.Timeout, requests.ConnectionError,
                     requests.exceptions.ChunkedEncodingError)


class HttpApiConnector:
    kind = "http_api"
    ordered = True

    def __init__(self, base_url: str, *, path: str | None = None, page_size: int = 500,
                 token: str | None = None, timeout: float | tuple[float, float] = (5.0, 30.0),
                 max_retries: int = 4, backoff: float = 0.5, max_backoff: float = 8.0,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.path = path
        self.page_size = page_size
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token or DEMO_TOKEN}"
        self.session.headers.setdefault("Accept", "application/json")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, base_url: str | None = None,
                      **overrides: Any) -> "HttpApiConnector":
        base_url = base_url or settings.get("base_url") or os.environ.get(BASE_URL_ENV)
        if not base_url:
            raise ValueError(f"no API base URL: pass base_url, set 'base_url' in the connector "
                             f"settings or set {BASE_URL_ENV}")
        token_env = settings.get("token_env")
        token = os.environ.get(token_env) if token_env else None
        if not token:
            log.info("%s is unset: sending the demo token", token_env or "token_env")
        options = {k: settings[k] for k in ("page_size", "timeout", "max_retries", "backoff")
                   if k in settings}
        if isinstance(options.get("timeout"), list):  # YAML has no tuples: [connect, read]
            options["timeout"] = tuple(options["timeout"])
        return cls(base_url, path=settings.get("path"), token=token, **{**options, **overrides})

    def endpoint(self, feed: Feed) -> str:
        path = (self.path or f"/api/v1/{feed.sector.slug}").rstrip("/")
        return f"{self.base_url}{path}/{feed.record_type.code}"

    def _get(self, url: str, page: int) -> bytes:
        problem = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))
            try:
                response = self.session.get(url, timeout=self.timeout)
            except _RETRYABLE_ERRORS as exc:
                problem = f"{type(exc).__name__}: {exc}"
                log.warning("%s (page %d, attempt %d): %s", url, page, attempt + 1, problem)
                continue
            if response.status_code < 300:
                return response.content
            problem = f"HTTP {response.status_code} {response.reason}"
            if response.status_code not in _RETRYABLE_STATUS:
                raise SourceError(url, f"page {page}: {problem}: {response.text[:200]}")
            log.warning("%s (page %d, attempt %d): %s", url, page, attempt + 1, problem)
        raise SourceError(url, f"page {page}: gave up after {self.max_retries + 1} attempts: {problem}")

    @staticmethod
    def _parse(body: bytes, url: str, page: int) -> tuple[list, str | None, bool]:
        def malformed(why: str) -> SourceError:
            return SourceError(url, f"page {page}: malformed page: {why}")

        try:
            # Numbers are kept as written: raw data is text, parsing comes later.
            doc = json.loads(body, parse_float=str, parse_int=str)
        except (ValueError, UnicodeDecodeError) as exc:
            raise malformed(f"not JSON ({exc}); body starts {body[:80]!r}") from exc
        if not isinstance(doc, dict):
            raise malformed(f"expected an object, got a JSON {type(doc).__name__}")
        items, next_cursor, has_more = doc.get("items"), doc.get("next_cursor"), doc.get("has_more")
        if not isinstance(items, list):
            raise malformed("'items' is missing or not a list")
        if not isinstance(has_more, bool):
            raise malformed("'has_more' is missing or not true/false")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise malformed("'next_cursor' is neither a string nor null")
        if has_more and not next_cursor:
            raise malformed("'has_more' is true but there is no 'next_cursor'")
        return items, next_cursor, has_more

    def discover(self, feed: Feed, state: StateStore) -> Iterator[Source]:
        endpoint = self.endpoint(feed)
        scope = urlsplit(endpoint).path  # the cursor survives a change of host or port
        saved = state.checkpoint("api_cursor", feed.key, scope)
        cursor = saved["cursor"] if saved else None
        page = 0
        while True:
            page += 1
            params = {"cursor": cursor, "page_size": self.page_size} if cursor else {
                "page_size": self.page_size}
            url = f"{endpoint}?{urlencode(params)}"
            body = self._get(url, page)
            items, next_cursor, has_more = self._parse(body, url, page)
            # A last page with no next_cursor leaves the cursor where it was; re-reading that page
            # returns the same body, which is skipped by its content hash.
            following = next_cursor or cursor
            if not items and following == cursor:
                return  # nothing new
            yield Source(
                feed_key=feed.key, name=url, connector=self.kind, bytes=len(body),
                content_hash=hashlib.sha256(body).hexdigest(),
                checkpoint=Checkpoint("api_cursor", {"endpoint": scope, "cursor": following}),
                payload=items)
            if not has_more:
                return
            if next_cursor == cursor:
                raise SourceError(url, f"page {page}: next_cursor repeats the request's cursor")
            cursor = next_cursor

    def read(self, source: Source) -> Records:
        def rows():
            for number, item in enumerate(source.payload, start=1):
                if isinstance(item, dict):
                    yield number, item
                else:
                    yield number, RowError(source.name, number, None,
                                           f"item is a JSON {type(item).__name__}, not an object",
                                           json.dumps(item, ensure_ascii=False)[:4096])

        return Records(rows=rows(), header=None, encoding="utf-8")
