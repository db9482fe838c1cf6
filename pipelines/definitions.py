"""The code location: small per-stage Definitions merged into one."""

import dagster as dg

from pipelines.ingest import definitions as ingest
from pipelines.jobs import main_job, reports_job
from pipelines.lifecycle import definitions as lifecycle
from pipelines.publish import definitions as publish
from pipelines.quality import definitions as quality
from pipelines.ratings import definitions as ratings
from pipelines.reports import definitions as reports
from pipelines.resources import WarehouseResource
from pipelines.transform import definitions as transform


def build_definitions() -> dg.Definitions:
    shared = dg.Definitions(resources={"warehouse": WarehouseResource()}, jobs=[main_job, reports_job])
    # modules, not their Definitions objects: Dagster allows one Definitions at module scope
    return dg.Definitions.merge(shared, ingest.defs, transform.defs, quality.defs, publish.defs, reports.defs, ratings.defs,
                                 lifecycle.defs)


defs = build_definitions()
