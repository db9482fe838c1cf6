import dagster as dg

from ingest_connectors.catalogue import catalogue
from pipelines.lifecycle.assets import joint_measure_outbox, list_releases
from pipelines.lifecycle.resources import MeasureEndpoints
from pipelines.lifecycle.sensors import joint_measures_delivery_sensor
from pipelines.quality.checks import _sector_checks

# The credit platform's feeds get the same field-specification gate as the sectors' (the sectors'
# checks are built in pipelines/quality for catalogue().sectors only).
defs = dg.Definitions(
    assets=[joint_measure_outbox, list_releases],
    asset_checks=[_sector_checks(platform) for platform in catalogue().platform],
    sensors=[joint_measures_delivery_sensor],
    resources={"measure_endpoints": MeasureEndpoints()},
)
