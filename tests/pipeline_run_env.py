"""Set-up shared by the fixtures that run the real Dagster jobs (tests/e2e, tests/lifecycle): the
pipeline's landing zone, reports and Dagster home in a temporary folder, and a fresh database on
the warehouse server (an external server's database, named by CREDIT_WAREHOUSE_URL, is kept)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from credit import settings, warehouse


def fresh_pipeline_env(root: Path, database: str) -> tuple[dict[str, str], warehouse.WarehouseLocation]:
    """Point the process at folders under ``root`` and an emptied ``database``; returns the
    environment variables set and the warehouse location."""
    env = {
        "CREDIT_LANDING_DIR": str(root / "landing"),
        "CREDIT_REPORTS_DIR": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    if not os.environ.get(settings.WAREHOUSE_URL_ENV):
        env[warehouse.DATABASE_OVERRIDE_ENV] = database
    os.environ.update(env)
    location = warehouse.locate(create=False)
    if location.embedded:
        warehouse.drop_database(location)  # a fresh database every session
    location = warehouse.locate()
    Path(env["DAGSTER_HOME"]).mkdir()
    shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", Path(env["DAGSTER_HOME"]) / "dagster.yaml")
    return env, location
