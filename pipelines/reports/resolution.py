"""The resolution report: record → subject assignment against ground truth, and the review queue."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from credit import settings
from credit.resolution_report import write_resolution_report
from pipelines.jobs import REPORTS_GROUP
from pipelines.resources import WarehouseResource
from pipelines.transform.assets import warehouse_models


@dg.asset(key=["reports", "resolution_report"], group_name=REPORTS_GROUP, kinds={"html"},
          deps=[get_asset_key_for_model([warehouse_models], "mart_resolution__review_queue")],
          description="Credit subject resolution: precision and recall of record → subject "
                      "assignment by match method against the simulator's ground truth (when there "
                      "is one, CREDIT_GROUND_TRUTH_DIR), and the review-queue size by reason.")
def resolution_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    report, index = write_resolution_report(warehouse.location(), settings.reports_dir() / "resolution")
    metadata: dict = {"review_queue_size": report.review_queue_size, "subjects": report.subjects,
                      "review_queue_by_reason": report.review_queue_by_reason}
    if index is not None:
        metadata["path"] = dg.MetadataValue.path(str(index))
        metadata["ground_truth"] = dg.MetadataValue.path(str(report.ground_truth))
        for name, score in {**report.by_class, "overall": report.overall}.items():
            if score.precision is not None:
                metadata[f"precision_{name}"] = dg.MetadataValue.float(score.precision)
            if score.recall is not None:
                metadata[f"recall_{name}"] = dg.MetadataValue.float(score.recall)
        metadata["by_method"] = dg.MetadataValue.md(_method_table(report))
        metadata["name_only_not_in_review"] = report.name_only_lost
    return dg.MaterializeResult(metadata=metadata)


def _method_table(report) -> str:
    def pct(value):
        return "—" if value is None else f"{value * 100:.2f} %"

    lines = ["| method | records | assigned | correct | precision | recall |",
             "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {m} | {s.records} | {s.assigned} | {s.correct} | {pct(s.precision)} | {pct(s.recall)} |"
              for m, s in report.by_method.items()]
    return "\n".join(lines)
