"""The field-specification gate of a sector: one asset per sector, ``quality/<sector>``, that runs
the sector's GX suites in the database and carries one blocking check per feed.

Why an asset of its own, downstream of the gate models, rather than checks on the staging views:

* it must judge the rows of this run. GX reads the materialised gate tables
  (``intermediate.int_gate__<feed>``, only the loads the sector has not released yet), so it has to
  run after the dbt step that builds them;
* a failing critical check must withhold that sector's publication and nothing else. The only
  asset downstream of ``quality/<sector>`` is ``publish/<sector>``; a blocking check on a dbt
  model would instead stop every model downstream of it, i.e. the whole warehouse.

Broken rows are still gated (quarantined with their reasons, sent back in the department
feedback); the sector's published view stays at its last release until a delivery passes.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from credit.gx.runner import validate_feeds
from ingest_connectors.catalogue import Sector, catalogue
from pipelines.resources import WarehouseResource
from pipelines.transform.assets import incremental_models

GATE_CHECK = "field_specification_gate"
WARNING_CHECK = "field_specification_warnings"
GATE_GROUP = "quality"


def gate_key(sector: Sector) -> dg.AssetKey:
    return dg.AssetKey(["quality", sector.slug])


def gate_check_name(record_code: str, check: str = GATE_CHECK) -> str:
    return f"{record_code}__{check}"


def gate_model_key(feed_key: str) -> dg.AssetKey:
    return get_asset_key_for_model([incremental_models], f"int_gate__{feed_key}")


def _sector_gate(sector: Sector) -> dg.AssetsDefinition:
    feeds = {f"{sector.slug}__{rt.code}": rt for rt in sector.record_types}
    key = gate_key(sector)
    check_specs = []
    for feed_key, rt in feeds.items():
        check_specs.append(dg.AssetCheckSpec(
            gate_check_name(rt.code), asset=key, blocking=True,
            description=f"{rt.name_zh} ({feed_key}): critical field rules hold on the new loads "
                        "(within tolerance); blocks the sector's publication"))
        check_specs.append(dg.AssetCheckSpec(
            gate_check_name(rt.code, WARNING_CHECK), asset=key, blocking=False,
            description=f"{rt.name_zh} ({feed_key}): warning-level field rules hold"))

    @dg.multi_asset(
        name=f"gx_{sector.slug}",
        specs=[dg.AssetSpec(
            key, deps=[gate_model_key(f) for f in feeds], group_name=GATE_GROUP, kinds={"great_expectations"},
            description=f"Field-specification gate of {sector.name_zh} ({sector.slug}): GX suites on the "
                        "loads not yet released; a failing critical check withholds the sector's publication.",
            tags={"sector": sector.slug})],
        check_specs=check_specs,
    )
    def sector_gate(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        # Only the loads not yet released are judged (a broken new delivery must not hide behind
        # good history); Data Docs are rendered once, by the reports job.
        results = validate_feeds(warehouse.location(), list(feeds), run_id=context.run.run_id,
                                 pending_only=True, build_docs=False)
        blocked = []
        for validation in results:
            rt = feeds[validation.feed_key]
            failed = [r for r in validation.rules if not r.success]
            critical = {r.rule_id: r.unexpected_count for r in failed if r.severity == "critical"}
            warnings = {r.rule_id: r.unexpected_count for r in failed if r.severity == "warning"}
            common = {"feed": validation.feed_key, "rows_validated": validation.rows,
                      "rules_evaluated": len(validation.rules), "batch": validation.relation,
                      "status": validation.status, "message": validation.message or ""}
            if validation.blocks_publication:
                blocked.append(validation.feed_key)
            yield dg.AssetCheckResult(
                asset_key=key, check_name=gate_check_name(rt.code), passed=not validation.blocks_publication,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={**common, "critical_rules_failing": critical,
                          "blocking_rules": list(validation.blocking_rules),
                          "blocks_publication": validation.blocks_publication},
            )
            yield dg.AssetCheckResult(
                asset_key=key, check_name=gate_check_name(rt.code, WARNING_CHECK), passed=not warnings,
                severity=dg.AssetCheckSeverity.WARN, metadata={**common, "warning_rules_failing": warnings},
            )
        yield dg.MaterializeResult(asset_key=key, metadata={
            "feeds_validated": sum(1 for v in results if v.rules),
            "rows_validated": sum(v.rows or 0 for v in results),
            "feeds_blocking_publication": blocked,
        })

    return sector_gate


def sector_gates(sectors: list[Sector] | None = None) -> list[dg.AssetsDefinition]:
    return [_sector_gate(sector) for sector in (catalogue().sectors if sectors is None else sectors)]
