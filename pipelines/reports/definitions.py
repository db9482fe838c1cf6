import dagster as dg

from pipelines.reports.assets import data_docs, dbt_docs, department_feedback, quality_report
from pipelines.reports.resolution import resolution_report

defs = dg.Definitions(assets=[data_docs, quality_report, department_feedback, dbt_docs, resolution_report])
