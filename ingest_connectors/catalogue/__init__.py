"""The feed catalogue: the single source of truth for every field specification."""

from ingest_connectors.catalogue.loader import Catalogue, CatalogueError, catalogue, load_catalogue
from ingest_connectors.catalogue.model import Feed, FieldSpec, Lookup, RecordType, Sector

__all__ = [
    "Catalogue", "CatalogueError", "Feed", "FieldSpec", "Lookup", "RecordType", "Sector",
    "catalogue", "load_catalogue",
]
