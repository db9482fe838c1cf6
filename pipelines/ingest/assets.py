"""One asset per feed (sector × record type), grouped per sector, landing rows with COPY.

A feed's source failures (an API answering 500, a database that is down, an undecodable file) are
recorded per source in the audit tables and in the asset's metadata — they do not fail the step,
so one department's outage never stops the other nineteen sectors from building and publishing.
"""

import dagster as dg

from credit import settings
from ingest_connectors.catalogue import Feed, catalogue
from ingest_connectors.landing import connector_for, land_feed
from pipelines.ingest.resources import FeedEndpoints
from pipelines.resources import WarehouseResource

# Unexpected errors (the warehouse restarting, a lost connection) get retried with backoff.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def raw_key(feed: Feed) -> dg.AssetKey:
    return dg.AssetKey(["raw", feed.raw_table])


def _feed_asset(feed: Feed) -> dg.AssetsDefinition:
    sector, record_type = feed.sector, feed.record_type

    @dg.asset(
        key=raw_key(feed),
        group_name=f"sector_{sector.number:02d}_{sector.slug}",
        kinds={"postgres", sector.connector.kind},
        description=f"{sector.name_zh} · {record_type.name_zh} ({record_type.name_en}), landed from "
                    f"{', '.join(d.name_zh for d in sector.departments)} via {sector.connector.kind}.",
        metadata={"sector": sector.slug, "record_type": record_type.code, "connector": sector.connector.kind,
                  "fields": len(record_type.fields)},
        tags={"sector": sector.slug, "connector": sector.connector.kind},
        retry_policy=TRANSIENT_RETRY,
        check_specs=[dg.AssetCheckSpec("rows_conserved", asset=raw_key(feed),
                                       description="every row received is loaded or quarantined with a reason")],
    )
    def land(context: dg.AssetExecutionContext, warehouse: WarehouseResource, feed_endpoints: FeedEndpoints):
        connector = connector_for(
            feed, landing_dir=settings.landing_dir(), api_base_url=feed_endpoints.api_base_url(),
            db_url=feed_endpoints.database_url_for(sector.slug),
        )
        result = land_feed(feed, connector, location=warehouse.location())
        for source, message in result.failures:
            context.log.warning(f"{feed.key}: source {source} failed: {message}")
        unbalanced = [o.source for o in result.outcomes
                      if o.status == "loaded" and o.rows_received != o.rows_loaded + o.rows_quarantined]
        yield dg.MaterializeResult(metadata=result.metadata())
        yield dg.AssetCheckResult(
            check_name="rows_conserved", passed=not unbalanced,
            metadata={"received": result.rows_received, "loaded": result.rows_loaded,
                      "quarantined": result.rows_quarantined, "unbalanced_sources": unbalanced},
        )

    return land


def feed_assets() -> list[dg.AssetsDefinition]:
    return [_feed_asset(feed) for feed in catalogue().feeds()]
