"""The dbt project, wrapped once for Dagster."""

from __future__ import annotations

import functools
import os

from dagster_dbt import DbtProject

from credit import settings

# profiles.yml reads the warehouse from CREDIT_DBT_* (set per run from credit.warehouse); parsing
# the project needs no connection, so harmless defaults let the code location load anywhere.
_PARSE_DEFAULTS = {"CREDIT_DBT_HOST": "localhost", "CREDIT_DBT_DBNAME": "credit_warehouse"}


@functools.cache
def dbt_project() -> DbtProject:
    for key, value in _PARSE_DEFAULTS.items():
        os.environ.setdefault(key, value)
    project = DbtProject(
        project_dir=settings.DBT_PROJECT_DIR,
        profiles_dir=settings.DBT_PROJECT_DIR,
    )
    if not project.manifest_path.exists():
        # A fresh clone has no manifest yet; parsing takes seconds and needs no database.
        project.preparer.prepare(project)
    return project
