"""Project paths and the environment variables that configure them.

All generated or local state lives below ``.local/`` in the project (git-ignored) unless an
environment variable moves it, so a fresh clone needs no configuration at all.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The one setting that moves the warehouse to an external PostgreSQL server.
WAREHOUSE_URL_ENV = "CREDIT_WAREHOUSE_URL"
#: Key for the keyed hash of personal identifiers. Never committed; a fixed development key is
#: used (and logged as such) when it is unset so the demo runs with no configuration.
PII_HASH_KEY_ENV = "CREDIT_PII_HASH_KEY"


def state_dir() -> Path:
    """Root of all local state: embedded database, Dagster home, landing zone, reports."""
    return Path(os.environ.get("CREDIT_STATE_DIR", PROJECT_ROOT / ".local")).resolve()


def embedded_pgdata_dir() -> Path:
    return state_dir() / "pgdata"


def landing_dir() -> Path:
    return Path(os.environ.get("CREDIT_LANDING_DIR", state_dir() / "landing")).resolve()


def reports_dir() -> Path:
    return Path(os.environ.get("CREDIT_REPORTS_DIR", PROJECT_ROOT / "reports")).resolve()


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME", state_dir() / "dagster_home")).resolve()


DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CONFIG_DIR = PROJECT_ROOT / "config"
