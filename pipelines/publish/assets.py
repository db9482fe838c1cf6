"""Publication per sector: release the sector's newly landed loads to the published schema.

The published views (pub.*) show a sector's records only up to its last released load. This step
depends on the sector's gate (``quality/<sector>``), so its blocking field-specification checks
withhold it: a sector whose new delivery is systematically broken keeps its previous publication
while the others move on.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from credit.release import release_sector
from ingest_connectors.catalogue import Sector, catalogue
from pipelines.quality.checks import gate_key
from pipelines.resources import WarehouseResource
from pipelines.transform.assets import warehouse_models


def publish_key(sector: Sector) -> dg.AssetKey:
    return dg.AssetKey(["publish", sector.slug])


def _publish_asset(sector: Sector) -> dg.AssetsDefinition:
    # the sector's gate (whose blocking checks withhold this step) and the publication mart
    deps = [gate_key(sector), get_asset_key_for_model([warehouse_models], "mart_publication__record")]

    @dg.asset(
        key=publish_key(sector),
        deps=deps,
        group_name="publish",
        kinds={"postgres"},
        description=f"Release {sector.name_zh} ({sector.slug}) records that passed the quality gate to pub.*.",
        tags={"sector": sector.slug},
    )
    def publish(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            released = release_sector(conn, sector.slug, run_id=context.run.run_id)
            published = conn.execute(
                "select count(*) from pub.credit_record where sector_slug = %s", (sector.slug,)
            ).fetchone()[0]
            conn.commit()
        return dg.MaterializeResult(metadata={"released_up_to_load_id": released, "records_published": published})

    return publish


def publish_assets() -> list[dg.AssetsDefinition]:
    return [_publish_asset(sector) for sector in catalogue().sectors]
