import dagster as dg

from pipelines.ingest.assets import feed_assets
from pipelines.ingest.registration_base import registration_base
from pipelines.ingest.resources import FeedEndpoints
from pipelines.ingest.sensors import new_files_sensor, pull_schedule

defs = dg.Definitions(
    assets=[*feed_assets(), registration_base],
    sensors=[new_files_sensor],
    schedules=[pull_schedule],
    resources={"feed_endpoints": FeedEndpoints()},
)
