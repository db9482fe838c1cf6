"""dbt as Dagster assets: plain models, incremental models and snapshots, each its own multi-asset.

The three are built differently: plain models (seeds, staging views, subject resolution, marts and
published views) are rebuilt whole; incremental models (gate tables, the unioned records, the
credit record fact) take only the loads of the run window, passed as ``--vars``; snapshots record
what changed. dbt tests run with their models and surface as asset checks. The graph interleaves
them (plain → incremental → plain → incremental → plain → snapshot → plain), which Dagster runs
by splitting the subsettable multi-assets into steps.
"""

import json
import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.resources import WarehouseResource
from pipelines.transform.project import dbt_project
from pipelines.transform.translator import CreditDbtTranslator

PROJECT = dbt_project()
INCREMENTAL = "config.materialized:incremental"
SNAPSHOTS = "resource_type:snapshot"

#: The highest load landed when the run starts: every incremental model of the run takes loads up
#: to it and no further, even if a department file lands while dbt is running.
LOAD_WINDOW_SQL = "select coalesce(max(load_id), 0) from audit.load where status = 'loaded'"


def load_window_vars(load_window_end: int | None, as_of_date: str | None = None) -> dict[str, object]:
    """The ``--vars`` of an incremental build: the run window (and, for back-dated rebuilds, the date)."""
    values: dict[str, object] = {}
    if load_window_end is not None:
        values["load_window_end"] = int(load_window_end)
    if as_of_date:
        values["as_of_date"] = as_of_date
    return values


#: Dagster runs these multi-assets as several steps, each a subset of the graph. With dbt's default
#: (eager) indirect selection a test comes along as soon as ANY of its parents is selected, so a
#: relationships test between the fact and a plain model ran in the plain step before the fact
#: existed. "buildable" runs a test in the step that builds the last of its parents.
INDIRECT_SELECTION = ["--indirect-selection", "buildable"]


def dbt_build_args(variables: dict[str, object] | None = None) -> list[str]:
    args = ["build", *INDIRECT_SELECTION]
    if variables:
        args += ["--vars", json.dumps(variables, sort_keys=True)]
    return args


def _prepare(warehouse: WarehouseResource) -> None:
    location = warehouse.prepare()
    # The run worker's dbt subprocess reads the profile from these (see dbt_project/profiles.yml).
    os.environ.update(location.dbt_env())


@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    dagster_dbt_translator=CreditDbtTranslator(),
    exclude=f"{INCREMENTAL} {SNAPSHOTS}",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Seeds, staging views, subject resolution, marts and published views, with their tests."""
    _prepare(warehouse)
    yield from dbt.cli(dbt_build_args(), context=context).stream()


@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    dagster_dbt_translator=CreditDbtTranslator(),
    select=INCREMENTAL,
    name="incremental_models",
)
def incremental_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Gate tables, unioned records and the credit record fact: only the loads not yet built."""
    _prepare(warehouse)
    with warehouse.connect() as conn:
        window_end = conn.execute(LOAD_WINDOW_SQL).fetchone()[0]
    context.log.info(f"run window: loads up to {window_end}")
    yield from dbt.cli(dbt_build_args(load_window_vars(window_end)), context=context).stream()


@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    dagster_dbt_translator=CreditDbtTranslator(),
    select=SNAPSHOTS,
    name="warehouse_snapshots",
)
def warehouse_snapshots(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """History of records and subjects (snap_credit_record, snap_credit_subject)."""
    _prepare(warehouse)
    yield from dbt.cli(dbt_build_args(), context=context).stream()


def dbt_resource() -> DbtCliResource:
    # The dbt installed beside this interpreter, whatever PATH says (webserver, daemon, tests).
    return DbtCliResource(project_dir=PROJECT, dbt_executable=str(Path(sys.executable).parent / "dbt"))
