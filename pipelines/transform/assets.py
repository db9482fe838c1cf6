"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipelines.resources import WarehouseResource
from pipelines.transform.project import dbt_project
from pipelines.transform.translator import CreditDbtTranslator

PROJECT = dbt_project()

@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    dagster_dbt_translator=CreditDbtTranslator(),
    exclude="resource_type:snapshot",
)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """Seeds, staging, gate, core, marts and published views, with their tests."""
    location = warehouse.prepare()
    # The run worker's dbt subprocess reads the profile from these (see dbt_project/profiles.yml).
    os.environ.update(location.dbt_env())
    yield from dbt.cli(["build"], context=context).stream()

def dbt_resource() -> DbtCliResource:
    # The dbt installed beside this interpreter, whatever PATH says (webserver, daemon, tests).
    return DbtCliResource(project_dir=PROJECT, dbt_executable=str(Path(sys.executable).parent / "dbt"))
