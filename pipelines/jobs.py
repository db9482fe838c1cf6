"""Jobs: the main job (ingest → build → check → publish) and the reports job."""

import dagster as dg

REPORTS_GROUP = "reports"
#: Quarterly-partitioned assets (the inspection plans) run in their own job, not in the main job.
SUPERVISION_GROUP = "supervision"

main_job = dg.define_asset_job(
    name="main_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(REPORTS_GROUP, SUPERVISION_GROUP),
    description="Every feed ingested, every model built, every check run, every sector's gate-passed "
                "records published.",
    tags={"job": "main"},
)

reports_job = dg.define_asset_job(
    name="reports_job",
    selection=dg.AssetSelection.groups(REPORTS_GROUP),
    description="Auditor and department reports: Data Docs, quality report, feedback files, dbt docs.",
)
