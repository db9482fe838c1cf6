"""Helpers shared by the resolution tests: run the pipeline's steps on simulated data without
Dagster (generate → land every feed and the registration base data → dbt build)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from psycopg import sql

from credit import pii, warehouse
from credit.dbt import run_dbt

REGISTRATION_BASE_FILE = "registration/registration_base.csv"


def _check(result, what: str) -> None:
    assert result.returncode == 0, f"{what} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"


def install_udfs(location: warehouse.WarehouseLocation) -> None:
    _check(run_dbt(["run-operation", "install_udfs_now"], location, check=False, capture=True),
           "dbt run-operation install_udfs_now")


def generate(preset: str, seed: int, landing: Path, truth: Path, scale: float = 1.0) -> dict:
    from ingest_connectors.simulator.generate import generate as simulate

    return simulate(preset=preset, seed=seed, scale=scale, out_dir=landing, truth_dir=truth)


def generate_day(day: dt.date, preset: str, seed: int, landing: Path, truth: Path) -> dict:
    from ingest_connectors.simulator.generate import generate_day as simulate_day

    return simulate_day(day, preset=preset, seed=seed, out_dir=landing, truth_dir=truth)


def load_registration_base(location: warehouse.WarehouseLocation, landing: Path) -> int:
    """What the ``raw/registration_base`` asset does: the full extract replaces the table."""
    path = landing / REGISTRATION_BASE_FILE
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    with warehouse.connect(location) as conn:
        conn.execute("create schema if not exists raw")
        conn.execute("drop table if exists raw.registration_base")
        conn.execute(sql.SQL("create table raw.registration_base ({})").format(
            sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header)))
        with path.open("rb") as handle, conn.cursor().copy(
                "copy raw.registration_base from stdin with (format csv, header true)") as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        rows = conn.execute("select count(*) from raw.registration_base").fetchone()[0]
        conn.commit()
    return rows


def land_everything(location: warehouse.WarehouseLocation, landing: Path) -> None:
    """Land every feed of the catalogue (new sources only) and the registration base data."""
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.landing import connector_for, land_feed
    from ingest_connectors.simulator.api_server import serve_department_apis

    with warehouse.connect(location) as conn:
        warehouse.ensure_pipeline_schemas(conn)
        pii.install_key(conn)
        conn.commit()
    with serve_department_apis(landing / "api") as base_url:
        for feed in catalogue().feeds():
            connector = connector_for(feed, landing_dir=landing, api_base_url=base_url)
            result = land_feed(feed, connector, location=location)
            assert not result.failures, (feed.key, result.failures)
    load_registration_base(location, landing)


def release_everything(location: warehouse.WarehouseLocation) -> None:
    """What the publish assets do for every sector: release all landed loads to pub.*."""
    with warehouse.connect(location) as conn:
        conn.execute("""
            insert into audit.sector_release (sector_slug, released_up_to_load_id, run_id)
            select split_part(feed_key, '__', 1), max(load_id), 'tests/resolution'
            from audit.load where status = 'loaded' group by 1
            on conflict (sector_slug) do update
            set released_up_to_load_id = excluded.released_up_to_load_id""")
        conn.commit()


def dbt_build(location: warehouse.WarehouseLocation, *args: str) -> None:
    """``dbt build`` of the whole project (seeds, snapshots, models, tests), as the main job does."""
    _check(run_dbt(["build", *args], location, check=False, capture=True), "dbt build")


def assignments(location: warehouse.WarehouseLocation) -> dict[str, str | None]:
    """record_row_id → subject_id (None: held for review) for every resolved record."""
    with warehouse.connect(location) as conn:
        return dict(conn.execute(
            "select record_row_id, subject_id from intermediate.int_records__resolved").fetchall())


def subjects(location: warehouse.WarehouseLocation) -> dict[str, str]:
    """subject_id → subject_key for every subject of the master."""
    with warehouse.connect(location) as conn:
        return dict(conn.execute("select subject_id, subject_key from core.dim_credit_subject").fetchall())
