"""The field-specification gate as Dagster asset checks: one GX validation step per sector.

Each staged feed gets a blocking check (a critical rule broken beyond the tolerance blocks the
sector's publication) and a non-blocking warning check. GX runs in the database.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from credit.gx.runner import validate_feeds
from ingest_connectors.catalogue import Sector, catalogue
from pipelines.resources import WarehouseResource
from pipelines.transform.assets import warehouse_models

GATE_CHECK = "field_specification_gate"
WARNING_CHECK = "field_specification_warnings"


def staging_key(feed_key: str) -> dg.AssetKey:
    return get_asset_key_for_model([warehouse_models], f"stg_{feed_key}")


def _sector_checks(sector: Sector) -> dg.AssetChecksDefinition:
    feeds = [f"{sector.slug}__{rt.code}" for rt in sector.record_types]
    specs = []
    for feed_key in feeds:
        key = staging_key(feed_key)
        specs.append(dg.AssetCheckSpec(GATE_CHECK, asset=key, blocking=True,
                                       description="critical field rules hold (within tolerance); blocks publication"))
        specs.append(dg.AssetCheckSpec(WARNING_CHECK, asset=key, blocking=False,
                                       description="warning-level field rules hold"))

    @dg.multi_asset_check(specs=specs, name=f"gx_{sector.slug}", can_subset=True)
    def check_sector(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        # Only the loads not yet released are judged (a broken new delivery must not hide behind
        # good history); Data Docs are rendered once, by the reports job.
        results = validate_feeds(warehouse.location(), feeds, run_id=context.run.run_id,
                                 pending_only=True, build_docs=False)
        for validation in results:
            key = staging_key(validation.feed_key)
            failed = [r for r in validation.rules if not r.success]
            critical = {r.rule_id: r.unexpected_count for r in failed if r.severity == "critical"}
            warnings = {r.rule_id: r.unexpected_count for r in failed if r.severity == "warning"}
            common = {"rows_validated": validation.rows, "rules_evaluated": len(validation.rules),
                      "batch": validation.relation, "status": validation.status}
            yield dg.AssetCheckResult(
                asset_key=key, check_name=GATE_CHECK, passed=not validation.blocks_publication,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={**common, "critical_rules_failing": critical,
                          "blocks_publication": validation.blocks_publication},
            )
            yield dg.AssetCheckResult(
                asset_key=key, check_name=WARNING_CHECK, passed=not warnings,
                severity=dg.AssetCheckSeverity.WARN, metadata={**common, "warning_rules_failing": warnings},
            )

    return check_sector


def sector_checks() -> list[dg.AssetChecksDefinition]:
    return [_sector_checks(sector) for sector in catalogue().sectors]
