"""Build a warehouse outside Dagster: simulate, land every feed, run dbt, release every sector.

Shared by the archive tests and ``bench/bench_build.py``; the Dagster main job does the same steps
through its assets (tests/e2e covers that path).
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from psycopg import sql

from credit import pii, settings, warehouse
from credit.dbt import run_dbt
from ingest_connectors.catalogue import catalogue
from ingest_connectors.landing import connector_for, land_feed

#: The archive and what it needs: its published models, marts, snapshots and everything upstream
#: of them (other stages' models are built by their own tests and by the main job).
ARCHIVE_MODELS = ("pub_credit_record", "pub_credit_subject", "pub_double_publicity_penalty",
                  "pub_double_publicity_licence", "mart_archive__record", "mart_archive__record_history",
                  "mart_publication__record", "snap_credit_record", "snap_credit_subject",
                  "fct_credit_record", "dim_information_category")
ARCHIVE_SELECTION = ("--select", *(f"+{m}" for m in ARCHIVE_MODELS), "--indirect-selection", "cautious")

RELEASE_ALL_SQL = """
insert into audit.sector_release (sector_slug, released_up_to_load_id, released_at, run_id)
select split_part(feed_key, '__', 1), max(load_id), now(), 'harness'
from audit.load where status = 'loaded'
group by 1
on conflict (sector_slug) do update
set released_up_to_load_id = greatest(audit.sector_release.released_up_to_load_id,
                                      excluded.released_up_to_load_id),
    released_at = excluded.released_at, run_id = excluded.run_id
"""


def prepare(location: warehouse.WarehouseLocation) -> None:
    with warehouse.connect(location) as conn:
        warehouse.ensure_pipeline_schemas(conn)
        pii.install_key(conn)
        conn.commit()


def land_registration_base(location: warehouse.WarehouseLocation, landing: Path) -> None:
    path = landing / "registration" / "registration_base.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    with warehouse.connect(location) as conn:
        conn.execute("create schema if not exists raw")
        conn.execute("drop table if exists raw.registration_base")
        conn.execute(sql.SQL("create table raw.registration_base ({})").format(
            sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header)))
        with path.open("rb") as handle, conn.cursor().copy(
            "copy raw.registration_base from stdin with (format csv, header true)"
        ) as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        conn.commit()


def land_all(location: warehouse.WarehouseLocation, landing: Path) -> int:
    """Land every new source of every feed (files, simulated APIs, department databases)."""
    from ingest_connectors.simulator.api_server import serve_department_apis

    rows = 0
    with serve_department_apis(landing / "api") as base_url:
        for feed in catalogue().feeds():
            connector = connector_for(feed, landing_dir=landing, api_base_url=base_url)
            result = land_feed(feed, connector, location=location)
            rows += result.rows_loaded
    land_registration_base(location, landing)
    return rows


def release_all(location: warehouse.WarehouseLocation) -> None:
    with warehouse.connect(location) as conn:
        conn.execute(RELEASE_ALL_SQL)
        conn.commit()


def target_path(location: warehouse.WarehouseLocation) -> Path:
    """A dbt target directory per database, so builds of different databases (and the Dagster
    code location's manifest in dbt_project/target) never overwrite each other's artefacts."""
    return settings.state_dir() / "dbt_targets" / location.dbname


def dbt(location: warehouse.WarehouseLocation, *args: str, variables: dict | None = None, check: bool = True):
    """Run dbt against ``location``; returns the completed process with ``seconds`` added."""
    command = [*args, "--target-path", str(target_path(location))]
    if variables:
        command += ["--vars", json.dumps(variables)]
    started = time.monotonic()
    result = run_dbt(command, location, check=False, capture=True)
    result.seconds = time.monotonic() - started
    if check and result.returncode != 0:
        lines = [line for line in result.stdout.splitlines()
                 if "ERROR" in line or "FAIL" in line or "Error" in line or "error" in line]
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n" + ("\n".join(lines)[-6000:] or result.stdout[-6000:]))
    return result


def run_results(location: warehouse.WarehouseLocation) -> dict:
    """The last dbt invocation's run_results.json for ``location``."""
    return json.loads((target_path(location) / "run_results.json").read_text(encoding="utf-8"))
