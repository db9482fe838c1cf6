import dagster as dg

from ingest_connectors.catalogue import catalogue
from pipelines.lifecycle.assets import joint_measure_outbox, list_releases
from pipelines.lifecycle.resources import MeasureEndpoints
from pipelines.lifecycle.sensors import joint_measures_delivery_sensor
from pipelines.quality.checks import sector_gates

# The credit platform's feeds get the same field-specification gate as the sectors' (the sectors'
# gates are built in pipelines/quality for catalogue().sectors only).
defs = dg.Definitions(
    assets=[joint_measure_outbox, list_releases, *sector_gates(list(catalogue().platform))],
    sensors=[joint_measures_delivery_sensor],
    resources={"measure_endpoints": MeasureEndpoints()},
)
