"""Database feeds: incremental pulls from a department's database by watermark.

Each record type is a table named by its code, with the fields' ``column`` names plus ``row_id``
(integer key) and ``updated_at`` (increasing; ISO text or a timestamp). Rows are pulled in
``(updated_at, row_id)`` order after the last committed watermark, in batches; each batch is one
source, landed in one transaction with its new watermark (``audit.db_watermark``). The pair, not
``updated_at`` alone, is the watermark so that rows sharing a timestamp across a batch boundary
are neither lost nor repeated. Row numbers are the source's ``row_id``.

Any SQLAlchemy URL works (the demo uses ``<landing>/db/<sector_slug>.sqlite``, opened read-only;
the tests also pull from MariaDB). Errors name the URL with its password masked.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ingest_connectors.base import Checkpoint, Records, Source, SourceError, StateStore, to_text
from ingest_connectors.catalogue import Feed

ROW_ID = "row_id"


def _watermark_text(value: Any) -> str | None:
    # str() of a datetime is 'YYYY-MM-DD HH:MM:SS[.ffffff]', which every database compares back.
    return None if value is None else value if isinstance(value, str) else str(value)


class DatabaseConnector:
    kind = "database"
    ordered = True

    def __init__(self, url: str | sa.URL, *, batch_size: int = 10_000, connect_timeout: int = 10,
                 table_prefix: str = "", watermark_column: str = "updated_at"):
        url = sa.make_url(url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
                and not url.database.startswith("file:"):
            # Read-only: a missing file is an error instead of a new empty database.
            url = url.set(database=f"file:{url.database}?mode=ro", query={"uri": "true"})
        self.url = url
        self.safe_url = url.render_as_string(hide_password=True)
        self.batch_size = batch_size
        self.connect_timeout = connect_timeout
        self.table_prefix = table_prefix  # when several sectors share one database
        self.watermark_column = watermark_column

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *, url: str | None = None,
                      landing_dir: Path | None = None, sector_slug: str | None = None,
                      **overrides: Any) -> "DatabaseConnector":
        url_env = settings.get("url_env")
        url = url or settings.get("url") or (os.environ.get(url_env) if url_env else None)
        if not url:
            if landing_dir is None or sector_slug is None:
                raise ValueError("no database URL and no landing directory to find the demo database")
            url = f"sqlite:///{Path(landing_dir) / 'db' / f'{sector_slug}.sqlite'}"
        options = {k: settings[k] for k in ("batch_size", "connect_timeout", "table_prefix",
                                            "watermark_column") if k in settings}
        return cls(url, **{**options, **overrides})

    def _engine(self) -> sa.Engine:
        backend = self.url.get_backend_name()
        connect_args = {} if backend == "sqlite" else {"connect_timeout": self.connect_timeout}
        return sa.create_engine(self.url, connect_args=connect_args, poolclass=sa.pool.NullPool)

    def _error(self, exc: sa.exc.DBAPIError, doing: str) -> SourceError:
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        return SourceError(self.safe_url, f"{doing}: {reason}")

    def discover(self, feed: Feed, state: StateStore) -> Iterator[Source]:
        table_name = self.table_prefix + feed.record_type.code
        saved = state.checkpoint("db_watermark", feed.key, self.safe_url) or {}
        watermark, last_row_id = saved.get("watermark"), saved.get("last_row_id")
        engine = self._engine()
        try:
            try:
                with engine.connect() as conn:
                    exists = sa.inspect(conn).has_table(table_name)
            except sa.exc.DBAPIError as exc:
                raise self._error(exc, "database is unreachable") from exc
            if not exists:
                raise SourceError(self.safe_url, f"table {table_name!r} not found")
            stamp, row_id = sa.column(self.watermark_column), sa.column(ROW_ID)
            table = sa.table(table_name, stamp, row_id)
            while True:
                query = sa.select(sa.text("*")).select_from(table)
                if watermark is not None:
                    query = query.where(sa.or_(
                        stamp > watermark, sa.and_(stamp == watermark, row_id > last_row_id)))
                query = query.order_by(stamp, row_id).limit(self.batch_size)
                try:
                    with engine.connect() as conn:
                        result = conn.execute(query)
                        keys = list(result.keys())
                        batch = result.fetchall()
                except sa.exc.DBAPIError as exc:
                    raise self._error(exc, f"reading table {table_name!r}") from exc
                if not batch:
                    return
                for needed in (ROW_ID, self.watermark_column):
                    if needed not in keys:
                        raise SourceError(self.safe_url, f"table {table_name!r} has no {needed} column")
                id_at, ts_at = keys.index(ROW_ID), keys.index(self.watermark_column)
                body = json.dumps([[to_text(v) for v in row] for row in batch],
                                  ensure_ascii=False).encode()
                first, last = batch[0], batch[-1]
                new_watermark, new_row_id = _watermark_text(last[ts_at]), int(last[id_at])
                name = (f"{self.safe_url} table {table_name} rows {first[id_at]}…{last[id_at]}"
                        f" ({self.watermark_column} {_watermark_text(first[ts_at])} … {new_watermark})")
                yield Source(
                    feed_key=feed.key, name=name, connector=self.kind, bytes=len(body),
                    content_hash=hashlib.sha256(body).hexdigest(),
                    checkpoint=Checkpoint("db_watermark", {
                        "database_url": self.safe_url, "table_name": table_name,
                        "watermark": new_watermark, "last_row_id": new_row_id}),
                    payload=(keys, batch, self.watermark_column))
                watermark, last_row_id = new_watermark, new_row_id
                if len(batch) < self.batch_size:
                    return
        finally:
            engine.dispose()

    def read(self, source: Source) -> Records:
        keys, batch, stamp = source.payload
        keep = [i for i, k in enumerate(keys) if k not in (ROW_ID, stamp)]
        id_at = keys.index(ROW_ID)

        def rows():
            for row in batch:
                yield int(row[id_at]), [to_text(row[i]) for i in keep]

        return Records(rows=rows(), header=[keys[i] for i in keep], encoding=None)
