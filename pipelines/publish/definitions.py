import dagster as dg

from pipelines.publish.assets import publish_assets

defs = dg.Definitions(assets=publish_assets())
