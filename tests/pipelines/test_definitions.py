"""The Dagster code location loads cleanly and has the shape the project promises."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg

from credit import settings
from ingest_connectors.catalogue import catalogue


def _load_defs() -> dg.Definitions:
    from pipelines.definitions import defs

    return defs


def test_code_location_validates_with_no_project_deprecation_warnings():
    # A fresh interpreter, so module import (where most deprecations fire) is covered too.
    code = (
        "import warnings\n"
        "for m in ('pipelines', 'credit', 'ingest_connectors'):\n"
        "    warnings.filterwarnings('error', category=DeprecationWarning, module=m)\n"
        "import dagster as dg\n"
        "from pipelines.definitions import defs\n"
        "dg.Definitions.validate_loadable(defs)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_workspace_loads_through_the_dagster_cli():
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", str(settings.PROJECT_ROOT / "workspace.yaml")],
        cwd=settings.PROJECT_ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_one_asset_per_feed_grouped_per_sector():
    defs = _load_defs()
    graph = defs.resolve_asset_graph()
    for feed in catalogue().feeds():
        node = graph.get(dg.AssetKey(["raw", feed.raw_table]))
        assert node.group_name == f"sector_{feed.sector.number:02d}_{feed.sector.slug}"


def test_every_feed_has_a_blocking_gate_check_that_withholds_only_its_sectors_publication():
    from pipelines.quality.checks import GATE_CHECK, gate_check_name, gate_key, gate_model_key

    defs = _load_defs()
    graph = defs.resolve_asset_graph()
    gate_checks = {k for k in graph.asset_check_keys if k.name.endswith(f"__{GATE_CHECK}")}
    assert len(gate_checks) == len(list(catalogue().feeds(include_platform=True)))
    for sector in catalogue().sectors:
        key = gate_key(sector)
        for rt in sector.record_types:
            check = dg.AssetCheckKey(key, gate_check_name(rt.code))
            assert check in gate_checks and graph.get_check_spec(check).blocking
            # the gate judges the freshly built gate table of each feed ...
            assert gate_model_key(f"{sector.slug}__{rt.code}") in graph.get(key).parent_keys
        # ... and the only thing downstream of it is the sector's publication
        assert graph.get(key).child_keys == {dg.AssetKey(["publish", sector.slug])}


def test_jobs_sensor_and_schedule_exist():
    defs = _load_defs()
    assert defs.resolve_job_def("main_job") is not None
    assert defs.resolve_job_def("reports_job") is not None
    assert defs.resolve_sensor_def("new_department_files") is not None
    assert defs.resolve_schedule_def("department_pulls") is not None
