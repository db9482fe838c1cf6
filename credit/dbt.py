"""Run dbt against the warehouse from :mod:`credit.warehouse`, outside Dagster (CLI, tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from credit import settings, warehouse


def dbt_environment(location: warehouse.WarehouseLocation | None = None) -> dict[str, str]:
    """The process environment dbt needs: profile values derived from the warehouse location."""
    location = location or warehouse.locate()
    env = dict(os.environ)
    env.update(location.dbt_env())
    env["DBT_PROFILES_DIR"] = str(settings.DBT_PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(settings.DBT_PROJECT_DIR)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def run_dbt(
    args: list[str], location: warehouse.WarehouseLocation | None = None, *, check: bool = True,
    capture: bool = False,
) -> subprocess.CompletedProcess:
    """Run ``dbt <args>`` in a subprocess (dbt keeps global state that in-process runs share)."""
    cmd = [str(Path(sys.executable).parent / "dbt"), *args]
    return subprocess.run(
        cmd, env=dbt_environment(location), cwd=settings.DBT_PROJECT_DIR, check=check,
        capture_output=capture, text=True,
    )
