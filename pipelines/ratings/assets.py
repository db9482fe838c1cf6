"""Ratings and differentiated supervision in Dagster (issue 7; docs/ratings.md).

The ratings themselves are dbt models (marts/ratings, marts/supervision, pub.rating*) built by the
main job with the rest of the warehouse. Here:

- ``supervision/inspection_plan`` — the quarterly random-inspection draw, one partition per quarter
  (2021Q4 … the current quarter). It cannot sit in the unpartitioned main job, so it has its own
  job, ``inspection_plan_job``, and a schedule (stopped by default) that draws each new quarter.
- ``reports/rating_report`` — the rating report, in the "reports" group, so the reports job
  writes it into reports/ratings/.
"""


import dagster as dg

from credit import settings
from credit.ratings.inspection import Quarter, draw_plan
from credit.ratings.report import write_rating_report
from pipelines.jobs import REPORTS_GROUP, SUPERVISION_GROUP
from pipelines.resources import WarehouseResource

#: One partition per calendar quarter, keyed by its first day ("2026-10-01"); the demo data starts
#: in 2021Q4, and end_offset=1 includes the quarter in progress.
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    start="2021-10-01",
    cron_schedule="0 0 1 1,4,7,10 *",
    fmt="%Y-%m-%d",
    timezone="Asia/Shanghai",
    end_offset=1,
)

RATING_ASSETS = [
    dg.AssetKey(["marts", "mart_rating__current"]),
    dg.AssetKey(["marts", "mart_supervision__inspection_frame"]),
]


def partition_key_of(quarter: str) -> str:
    """The partition key of a quarter given as '2026Q4', a date in it, or a partition key."""
    return Quarter.parse(quarter).start.isoformat()


@dg.asset(
    key=["supervision", "inspection_plan"],
    group_name=SUPERVISION_GROUP,
    partitions_def=quarterly_partitions,
    deps=[dg.AssetKey(["marts", "mart_supervision__inspection_frame"])],
    kinds={"postgres"},
    description="The quarter's random-inspection plan (双随机): per grade round(ratio × population) subjects "
                "drawn by md5(seed || ':' || subject_id) with the published seed, officers from the "
                "department roster, subjects inspected in the last N months left out. Published in "
                "pub.inspection_plan and pub.inspection_plan_subject.",
)
def inspection_plan(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    quarter = Quarter.parse(context.partition_key)
    warehouse.prepare()  # the configuration as it is now (config/inspection.yaml)
    with warehouse.connect() as conn:
        plan = draw_plan(conn, quarter)
    context.log.info(f"{plan.quarter}: {plan.subjects_selected} of {plan.frame_subjects} subjects, seed {plan.seed}")
    return dg.MaterializeResult(metadata={
        "quarter": plan.quarter,
        "seed": plan.seed,
        "frame_subjects": plan.frame_subjects,
        "subjects_selected": plan.subjects_selected,
        "strata": dg.MetadataValue.md(
            "| stratum | ratio | population | target | eligible | selected |\n|---|---|---|---|---|---|\n"
            + "\n".join(f"| {s['stratum']} | {s['ratio']:.0%} | {s['population']} | {s['target']} | "
                        f"{s['eligible']} | {s['selected']} |" for s in plan.strata)),
    })


@dg.asset(
    key=["reports", "rating_report"],
    group_name=REPORTS_GROUP,
    kinds={"html"},
    deps=RATING_ASSETS,
    description="The rating report: score and grade distributions overall, per sector and per district, "
                "sector ratings, grade changes, the latest inspection plan and integrity candidates.",
)
def rating_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    index = write_rating_report(warehouse.location(), settings.reports_dir() / "ratings")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(index))})


inspection_plan_job = dg.define_asset_job(
    name="inspection_plan_job",
    selection=dg.AssetSelection.assets(inspection_plan),
    description="Draw the random-inspection plan of a quarter (one partition per quarter).",
    tags={"job": "inspection_plan"},
)

inspection_plan_schedule = dg.build_schedule_from_partitioned_job(
    inspection_plan_job,
    name="inspection_plan_each_quarter",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
