import dagster as dg

from pipelines.quality.checks import sector_checks

defs = dg.Definitions(asset_checks=sector_checks())
