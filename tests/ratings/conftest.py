"""Fixtures for the rating tests, all in their own database ``credit_test_ratings``.

``rated``: the simulator's TEST preset generated into a temporary folder, every feed landed, the
rating configuration installed from a private copy of config/ (so a test may edit it), and the
models the ratings need plus the rating models built with dbt; the rating models' data tests run
too. dbt writes its target/ and logs into a folder of its own, so a dbt run elsewhere in the
project at the same time does not share its parse state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

import ratings_support as support
from credit import settings, warehouse

RATINGS_DB = "credit_test_ratings"
PRESET, SEED = "test", 7


@dataclass
class RatedWarehouse:
    location: warehouse.WarehouseLocation
    landing: Path
    truth: Path
    config_dir: Path
    root: Path

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.location.conninfo(), **kwargs)

    def rows(self, query: str, params=()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()

    def value(self, query: str, params=()):
        return self.rows(query, params)[0][0]

    def install_config(self, config_dir: Path | None = None) -> None:
        support.prepare(self.location, config_dir or self.config_dir)


@pytest.fixture(scope="session")
def rated(request, tmp_path_factory) -> RatedWarehouse:
    cache = getattr(request.config, "cache", None)
    base = Path(cache.mkdir("dbt_ratings")) if cache is not None else tmp_path_factory.mktemp("dbt_ratings")
    root = tmp_path_factory.mktemp("ratings")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DBT_TARGET_PATH", str(base / "target"))
        mp.setenv("DBT_LOG_PATH", str(base / "logs"))
        # Named explicitly: other test sessions' fixtures may have moved CREDIT_WAREHOUSE_DB.
        location = warehouse.locate(create=False)
        if not os.environ.get(settings.WAREHOUSE_URL_ENV):
            location = location.with_database(RATINGS_DB)
        if location.embedded:
            warehouse.drop_database(location)  # a fresh database every session
        warehouse.ensure_database(location)
        landing, truth = root / "landing", root / "truth"
        support.simulate(PRESET, SEED, landing, truth)
        config_dir = support.copy_config(root / "config")
        support.prepare(location, config_dir)
        support.land_everything(location, landing)
        support.build_upstream_and_ratings(location)
        yield RatedWarehouse(location, landing, truth, config_dir, root)
