"""Helpers of the rating tests: build a small warehouse without Dagster (simulate → land → dbt) and
read it back. Named apart from other test folders' helpers so pytest's rootdir imports never clash."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from psycopg import sql

from credit import pii, warehouse
from credit.dbt import run_dbt
from credit.ratings import config as rating_config

REGISTRATION_BASE_FILE = "registration/registration_base.csv"

#: Everything the rating models need, and the rating models themselves (upstream tests are other
#: suites' business; ours run separately on the rating models only).
RATING_SELECTION = [
    "+path:models/marts/ratings", "+path:models/marts/supervision",
    "+pub_rating", "+pub_rating_explanation", "+pub_rating_history", "+pub_rating_change",
    "+pub_rating_sector", "+pub_inspection_plan", "+pub_inspection_plan_subject", "+pub_integrity_candidate",
]
RATING_MODELS = [
    "path:models/marts/ratings", "path:models/marts/supervision",
    "pub_rating", "pub_rating_explanation", "pub_rating_history", "pub_rating_change", "pub_rating_sector",
    "pub_inspection_plan", "pub_inspection_plan_subject", "pub_integrity_candidate",
]


def check(result, what: str) -> None:
    assert result.returncode == 0, f"{what} failed:\n{result.stdout[-8000:]}\n{result.stderr[-2000:]}"


def dbt(location: warehouse.WarehouseLocation, *args: str) -> None:
    check(run_dbt(list(args), location, check=False, capture=True), "dbt " + " ".join(args))


def build_upstream_and_ratings(location: warehouse.WarehouseLocation) -> None:
    dbt(location, "seed")
    dbt(location, "run", "--select", *RATING_SELECTION)
    run_rating_tests(location)


def rerun_ratings(location: warehouse.WarehouseLocation, *extra: str) -> None:
    dbt(location, "run", "--select", *RATING_MODELS, *extra)
    run_rating_tests(location)


def run_rating_tests(location: warehouse.WarehouseLocation) -> None:
    dbt(location, "test", "--select", *RATING_MODELS)


def simulate(preset: str, seed: int, landing: Path, truth: Path) -> dict:
    from ingest_connectors.simulator.generate import generate

    return generate(preset=preset, seed=seed, out_dir=landing, truth_dir=truth)


def simulate_day(day: dt.date, preset: str, seed: int, landing: Path, truth: Path) -> dict:
    from ingest_connectors.simulator.generate import generate_day

    return generate_day(day, preset=preset, seed=seed, out_dir=landing, truth_dir=truth)


def prepare(location: warehouse.WarehouseLocation, config_dir: Path) -> None:
    """What WarehouseResource.prepare does before every run."""
    with warehouse.connect(location) as conn:
        warehouse.ensure_pipeline_schemas(conn)
        pii.install_key(conn)
        rating_config.install_rating_config(conn, config_dir)


def land_everything(location: warehouse.WarehouseLocation, landing: Path) -> None:
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.landing import connector_for, land_feed
    from ingest_connectors.simulator.api_server import serve_department_apis

    with serve_department_apis(landing / "api") as base_url:
        for feed in catalogue().feeds():
            connector = connector_for(feed, landing_dir=landing, api_base_url=base_url)
            result = land_feed(feed, connector, location=location)
            assert not result.failures, (feed.key, result.failures)
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
        conn.execute("""
            insert into audit.sector_release (sector_slug, released_up_to_load_id, run_id)
            select split_part(feed_key, '__', 1), max(load_id), 'tests/ratings'
            from audit.load where status = 'loaded' group by 1
            on conflict (sector_slug) do update
            set released_up_to_load_id = excluded.released_up_to_load_id""")
        conn.commit()


def copy_config(target: Path) -> Path:
    """A private copy of the three configuration files, to edit in a test."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (rating_config.RATING_MODEL_FILE, rating_config.INSPECTION_FILE, rating_config.INTEGRITY_FILE):
        shutil.copy(rating_config.config_dir() / name, target / name)
    return target


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
