"""Lifecycle assets: the joint-measure outbox (main job) and the quarterly list release (reports).

The list engine, repair, objections, commitments, rectification and voluntary registration are dbt
models (models/marts/lists, models/marts/lifecycle, models/pub/pub_list*) and appear as dbt assets.
"""

import datetime as dt

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from credit import settings
from credit.lifecycle import outbox
from credit.lifecycle.releases import Quarter, write_releases
from pipelines.jobs import REPORTS_GROUP
from pipelines.lifecycle.resources import MeasureEndpoints
from pipelines.resources import WarehouseResource
from pipelines.transform.assets import warehouse_models

LIFECYCLE_GROUP = "lifecycle"
#: One partition per calendar quarter, keyed by its first day ("2026-10-01"), the quarter in progress
#: included. Equal to the ratings' quarterly partitions (pipelines/ratings) on purpose: a selection
#: that reaches both (the sensors' and schedules' "downstream of a feed") must see one partitions
#: definition. Quarters before the first partition are still written by an unpartitioned run.
QUARTERS = dg.TimeWindowPartitionsDefinition(
    start="2021-10-01", cron_schedule="0 0 1 1,4,7,10 *", fmt="%Y-%m-%d", timezone="Asia/Shanghai", end_offset=1)


@dg.asset(
    key=["lifecycle", "joint_measure_outbox"],
    deps=[get_asset_key_for_model([warehouse_models], "mart_list__joint_measure_action")],
    group_name=LIFECYCLE_GROUP,
    kinds={"postgres", "http"},
    description="One-click joint rewards and punishments: queue the actions of list entries that took effect "
                "or ended (lifecycle.joint_measure_outbox, idempotency key per action) and deliver them to the "
                "departments' endpoints. Undelivered actions wait in the outbox; the sensor "
                "joint_measures_delivery retries them until acknowledged.",
)
def joint_measure_outbox(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                         measure_endpoints: MeasureEndpoints) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        added = outbox.sync_outbox(conn)
        base_url = measure_endpoints.base_url()
        report = outbox.DeliveryReport()
        if base_url:
            report = outbox.deliver_pending(conn, base_url)
        else:
            context.log.warning("no joint-measure endpoint configured (CREDIT_MEASURES_ENDPOINT_URL): "
                                "actions wait in the outbox")
        summary = outbox.outbox_summary(conn)
    if report.failed:
        context.log.warning(f"{report.failed} deliveries failed ({report.errors}); they will be retried")
    return dg.MaterializeResult(metadata={"actions_added": added, **report.as_metadata(),
                                          "outbox": summary, "endpoint": base_url or "(not configured)"})


@dg.asset(
    key=["reports", "list_releases"],
    deps=[get_asset_key_for_model([warehouse_models], "pub_release_quarter"),
          get_asset_key_for_model([warehouse_models], "mart_list__entry")],
    partitions_def=QUARTERS,
    group_name=REPORTS_GROUP,
    kinds={"html", "csv"},
    description="The quarterly red and black list release: reports/releases/<YYYYQn>/ release.html, "
                "counts_by_sector.csv, entries.csv. A partition writes its quarter; run without a partition "
                "(the reports job) it writes every quarter in the data, up to today's.",
)
def list_releases(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = settings.reports_dir() / "releases"
    quarters = None
    if context.has_partition_key:
        quarters = [Quarter.parse(context.partition_key)]
    with warehouse.connect() as conn:
        written = write_releases(conn, out, quarters, today=dt.date.today())
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(out / "index.html")),
        "quarters": len(written),
        "first": written[0]["quarter"] if written else None,
        "last": written[-1]["quarter"] if written else None,
        "entries_in_force_last": written[-1]["entries_in_force"] if written else 0,
    })
