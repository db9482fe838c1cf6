"""Fixtures of the quality-gate tests: a test database with hand-made staging-shaped tables."""

from __future__ import annotations

import os

import psycopg
import pytest

TEST_DATABASE = "credit_test_gx"


@pytest.fixture(scope="session")
def location():
    """The embedded (or external) warehouse server, on the test database ``credit_test_gx``."""
    from credit import warehouse

    old = os.environ.get(warehouse.DATABASE_OVERRIDE_ENV)
    os.environ[warehouse.DATABASE_OVERRIDE_ENV] = TEST_DATABASE
    try:
        loc = warehouse.locate()
    finally:
        if old is None:
            os.environ.pop(warehouse.DATABASE_OVERRIDE_ENV, None)
        else:
            os.environ[warehouse.DATABASE_OVERRIDE_ENV] = old
    assert loc.dbname == TEST_DATABASE
    with psycopg.connect(loc.conninfo(), autocommit=True) as conn:
        conn.execute("drop schema if exists staging cascade")
        conn.execute("drop schema if exists audit cascade")
    return loc


@pytest.fixture
def db(location):
    with psycopg.connect(location.conninfo(), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def gx_project(tmp_path_factory):
    """A copy of expectations/ (only great_expectations.yml), so stores land in a temp dir."""
    from credit import settings

    root = tmp_path_factory.mktemp("gx_project")
    (root / "great_expectations.yml").write_text(
        (settings.EXPECTATIONS_DIR / "great_expectations.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return root
