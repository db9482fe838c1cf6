"""Fixtures for the property tests: the identifier SQL functions, installed by dbt, in their own
database (``credit_test_identifiers``) on the warehouse server.

The database name is set only while locating the warehouse (not for the whole session), so
other test packages keep theirs. dbt writes its target/ and logs into a folder of its own, so a
dbt run elsewhere in the project at the same time does not share its parse state.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from credit import warehouse
from credit.dbt import run_dbt

IDENTIFIERS_DB = "credit_test_identifiers"


@pytest.fixture(scope="session")
def identifiers_location(request, tmp_path_factory) -> warehouse.WarehouseLocation:
    """The test database, with the dbt project's SQL functions (``util.*``) freshly installed."""
    # dbt's own folder for these tests: pytest's cache (kept between runs, so dbt parses the
    # project partially, in seconds) or, with the cache plugin off, a temporary one.
    cache = getattr(request.config, "cache", None)
    dbt_dir = (cache.mkdir("dbt_identifiers") if cache is not None
               else tmp_path_factory.mktemp("dbt_identifiers"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(warehouse.DATABASE_OVERRIDE_ENV, IDENTIFIERS_DB)
        location = warehouse.locate()
        mp.setenv("DBT_TARGET_PATH", str(dbt_dir / "target"))
        mp.setenv("DBT_LOG_PATH", str(dbt_dir / "logs"))
        result = run_dbt(["run-operation", "install_udfs_now"], location, check=False,
                         capture=True)
    assert result.returncode == 0, (
        f"dbt run-operation install_udfs_now failed:\n{result.stdout[-4000:]}\n"
        f"{result.stderr[-2000:]}"
    )
    return location


@pytest.fixture(scope="session")
def identifiers_conn(identifiers_location) -> psycopg.Connection:
    """One autocommit connection for the whole session (one round trip per batch of values)."""
    with warehouse.connect(identifiers_location, autocommit=True) as conn:
        yield conn
