"""The code location: small per-stage Definitions merged into one."""

from __future__ import annotations

import dagster as dg

from pipelines.resources import WarehouseResource
from pipelines.transform.definitions import defs as transform_defs


def build_definitions() -> dg.Definitions:
    shared = dg.Definitions(resources={"warehouse": WarehouseResource()})
    return dg.Definitions.merge(shared, transform_defs)


defs = build_definitions()
