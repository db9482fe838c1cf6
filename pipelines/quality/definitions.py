import dagster as dg

from pipelines.quality.checks import sector_gates

defs = dg.Definitions(assets=sector_gates())
