"""The end-to-end fixture: the real main job, once per session, on the simulator's test preset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from credit import settings, warehouse
from pipeline_run_env import fresh_pipeline_env

E2E_DATABASE = "credit_test_e2e"
PRESET, SEED = "test", 7


@dataclass
class E2ERun:
    location: warehouse.WarehouseLocation
    main: object
    reports: object
    landing: Path
    truth: Path
    reports_dir: Path
    instance: object


@pytest.fixture(scope="session")
def e2e(tmp_path_factory) -> E2ERun:
    import dagster as dg

    from credit.dbt import run_dbt
    from credit.demo import department_apis
    from credit.runner import run_job
    from ingest_connectors.simulator.generate import generate
    from rich.console import Console

    root = tmp_path_factory.mktemp("e2e")
    _, location = fresh_pipeline_env(root, E2E_DATABASE)
    truth = root / "ground_truth"
    generate(preset=PRESET, seed=SEED, out_dir=settings.landing_dir(), truth_dir=truth)
    run_dbt(["parse", "--quiet"], location)

    from pipelines.definitions import defs

    instance = dg.DagsterInstance.get()
    with department_apis(Console(quiet=True)):
        main = run_job(defs, "main_job", instance, label="e2e main job")
    reports = run_job(defs, "reports_job", instance, label="e2e reports")
    return E2ERun(location, main, reports, settings.landing_dir(), truth, settings.reports_dir(), instance)
