"""Where the department endpoints are, read from the environment when a run needs them."""

import os

import dagster as dg

API_BASE_URL_ENV = "CREDIT_FEED_API_BASE_URL"


class FeedEndpoints(dg.ConfigurableResource):
    """Base URL of the department APIs and per-sector department database URLs.

    ``CREDIT_FEED_API_BASE_URL`` points at the departments' API gateway (the demo serves the
    simulator's there); ``CREDIT_FEED_DB_URL_<SECTOR>`` at a department database. Unset database
    URLs fall back to the simulator's SQLite files in the landing folder.
    """

    def api_base_url(self) -> str | None:
        return os.environ.get(API_BASE_URL_ENV) or None

    def database_url_for(self, sector_slug: str) -> str | None:
        return os.environ.get(f"CREDIT_FEED_DB_URL_{sector_slug.upper()}") or None
