"""How dbt nodes appear in Dagster: groups by layer (and sector for staging), owners, links."""

from __future__ import annotations

from typing import Any, Mapping

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class CreditDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        if node.get("resource_type") == "source":
            return spec
        fqn = node.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "models"
        # staging/<sector>/stg_… → group "staging"; the sector becomes a tag for filtering
        tags = {"layer": layer}
        if layer == "staging" and len(fqn) > 3:
            tags["sector"] = fqn[2]
        return spec.replace_attributes(group_name=f"dbt_{layer}", owners=["team:data-platform"]).merge_attributes(tags=tags)
