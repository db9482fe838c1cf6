"""Static reports for auditors and departments, rebuilt after every main job."""

import dagster as dg

from credit import settings
from credit.dbt import run_dbt
from credit.gx.runner import build_data_docs
from credit.reports.feedback import write_feedback_files
from credit.reports.quality_report import write_quality_report
from pipelines.jobs import REPORTS_GROUP
from pipelines.resources import WarehouseResource


@dg.asset(key=["reports", "data_docs"], group_name=REPORTS_GROUP, kinds={"html"},
          description="Great Expectations Data Docs: every suite and validation result, static HTML.")
def data_docs() -> dg.MaterializeResult:
    index = build_data_docs(settings.reports_dir() / "data_docs")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(index))})


@dg.asset(key=["reports", "quality_report"], group_name=REPORTS_GROUP, kinds={"html"},
          description="The auditors' quality report: conservation per source, pass rates per feed and "
                      "rule, trend over runs, top failing rules, publication-deadline compliance.")
def quality_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    index = write_quality_report(warehouse.location(), settings.reports_dir() / "quality")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(index))})


@dg.asset(key=["reports", "department_feedback"], group_name=REPORTS_GROUP, kinds={"xlsx"},
          description="One XLSX per department listing its rows to correct and why.")
def department_feedback(warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = settings.reports_dir() / "feedback"
    counts = write_feedback_files(warehouse.location(), out)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out)),
                                          "rows_to_correct": sum(counts.values()), "departments": counts})


@dg.asset(key=["reports", "dbt_docs"], group_name=REPORTS_GROUP, kinds={"dbt", "html"},
          description="dbt docs of every model, column and test (static site).")
def dbt_docs(warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = settings.reports_dir() / "dbt_docs"
    run_dbt(["docs", "generate", "--static", "--target-path", str(out)], warehouse.location(), capture=True)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out / "static_index.html"))})
