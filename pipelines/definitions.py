"""The code location: small per-stage Definitions merged into one."""

import dagster as dg

from pipelines.ingest.definitions import defs as ingest_defs
from pipelines.jobs import main_job, reports_job
from pipelines.publish.definitions import defs as publish_defs
from pipelines.quality.definitions import defs as quality_defs
from pipelines.reports.definitions import defs as reports_defs
from pipelines.resources import WarehouseResource
from pipelines.transform.definitions import defs as transform_defs


def build_definitions() -> dg.Definitions:
    shared = dg.Definitions(resources={"warehouse": WarehouseResource()}, jobs=[main_job, reports_job])
    return dg.Definitions.merge(shared, ingest_defs, transform_defs, quality_defs, publish_defs, reports_defs)


defs = build_definitions()
