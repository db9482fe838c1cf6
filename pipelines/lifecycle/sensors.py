"""The joint-measure delivery sensor: retries the outbox until every action is acknowledged."""

import dagster as dg

from credit.lifecycle import outbox
from pipelines.lifecycle.resources import MeasureEndpoints
from pipelines.resources import WarehouseResource


@dg.sensor(
    name="joint_measures_delivery",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Queues the joint rewards and punishments of list entries that took effect or ended since the "
                "last tick (entries take effect and expire with the date, without a run) and delivers every "
                "pending action whose retry is due to its department; skips while no endpoint is configured.",
)
def joint_measures_delivery_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource,
                                   measure_endpoints: MeasureEndpoints):
    base_url = measure_endpoints.base_url()
    if not base_url:
        return dg.SkipReason("no joint-measure endpoint configured (CREDIT_MEASURES_ENDPOINT_URL)")
    with warehouse.connect() as conn:
        exists = conn.execute("select to_regclass('marts.mart_list__joint_measure_action') is not null").fetchone()[0]
        if not exists:
            return dg.SkipReason("the list marts are not built yet")
        added = outbox.sync_outbox(conn)
        report = outbox.deliver_pending(conn, base_url)
    return dg.SkipReason(f"queued {added}; delivered {report.delivered} ({report.duplicates} duplicates), "
                         f"failed {report.failed}, pending {report.pending_left}")
