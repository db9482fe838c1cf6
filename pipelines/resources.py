"""Dagster resources. Both derive the warehouse from :mod:`credit.warehouse` — the one setting."""

from __future__ import annotations

import psycopg
import dagster as dg

from credit import pii, warehouse
from credit.ratings.config import install_rating_config


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse: embedded PostgreSQL by default, ``CREDIT_WAREHOUSE_URL`` when set."""

    def location(self) -> warehouse.WarehouseLocation:
        return warehouse.locate()

    def connect(self, **kwargs) -> psycopg.Connection:
        return warehouse.connect(self.location(), **kwargs)

    def prepare(self) -> warehouse.WarehouseLocation:
        """Make the database ready for a run: schemas the pipeline owns, the PII hash key and the
        rating configuration (config/rating_model.yaml, inspection.yaml, integrity.yaml → ref_config)."""
        location = self.location()
        with warehouse.connect(location) as conn:
            warehouse.ensure_pipeline_schemas(conn)
            pii.install_key(conn)
            install_rating_config(conn)
        return location
