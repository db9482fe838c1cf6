"""Fixtures for the resolution tests, all in their own database ``credit_test_resolution``.

* ``resolution_location``: the database, emptied once per session, with the dbt project's SQL
  functions (``util.*``) installed — enough for the name-normalisation property test.
* ``demo``: the simulator's DEMO preset generated into a temporary folder, every feed landed
  (file drops, the department APIs served locally, the department databases), the registration
  base data loaded and ``dbt build`` run: the warehouse as the demo pipeline leaves it, with the
  ground truth beside it.

dbt writes its target/ and logs into a folder of its own (pytest's cache), so a dbt run
elsewhere in the project at the same time does not share its parse state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from credit import settings, warehouse
import resolution_support as support

RESOLUTION_DB = "credit_test_resolution"
DEMO_PRESET, DEMO_SEED = "demo", 20261127


@pytest.fixture(scope="session")
def dbt_dirs(request, tmp_path_factory) -> dict[str, str]:
    cache = getattr(request.config, "cache", None)
    base = cache.mkdir("dbt_resolution") if cache is not None else tmp_path_factory.mktemp("dbt_resolution")
    return {"DBT_TARGET_PATH": str(Path(base) / "target"), "DBT_LOG_PATH": str(Path(base) / "logs")}


@pytest.fixture(scope="session")
def resolution_location(dbt_dirs) -> warehouse.WarehouseLocation:
    """The test database, recreated once per session, with ``util.*`` installed."""
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get(settings.WAREHOUSE_URL_ENV):
            mp.setenv(warehouse.DATABASE_OVERRIDE_ENV, RESOLUTION_DB)
        location = warehouse.locate(create=False)
        if location.embedded:
            warehouse.drop_database(location)  # a fresh database every session
        location = warehouse.locate()
        for key, value in dbt_dirs.items():
            mp.setenv(key, value)
        support.install_udfs(location)
    return location


@pytest.fixture(scope="session")
def udf_conn(resolution_location) -> psycopg.Connection:
    with warehouse.connect(resolution_location, autocommit=True) as conn:
        yield conn


@dataclass
class DemoRun:
    location: warehouse.WarehouseLocation
    landing: Path
    truth: Path
    dbt_env: dict[str, str]


@pytest.fixture(scope="session")
def demo(resolution_location, dbt_dirs, tmp_path_factory) -> DemoRun:
    root = tmp_path_factory.mktemp("resolution_demo")
    landing, truth = root / "landing", root / "ground_truth"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in dbt_dirs.items():
            mp.setenv(key, value)
        support.generate(DEMO_PRESET, DEMO_SEED, landing, truth)
        support.land_everything(resolution_location, landing)
        support.release_everything(resolution_location)
        support.dbt_build(resolution_location)
    return DemoRun(resolution_location, landing, truth, dbt_dirs)
