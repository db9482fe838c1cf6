"""Fixtures for the ingest tests: the test warehouse database and a feed's landing folder.

The tests use their own database (``credit_test_landing``) on the warehouse server and build
their defect-laden inputs in ``tmp_path``; nothing depends on the simulator. Helpers live in
``ingest_support.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_support import TEST_DATABASE, make_feed

from credit import warehouse
from ingest_connectors import landing
from ingest_connectors.catalogue import Feed


@pytest.fixture(scope="session")
def location() -> warehouse.WarehouseLocation:
    """The warehouse server (embedded, or CREDIT_WAREHOUSE_URL's), in the tests' own database."""
    location = warehouse.locate(create=False).with_database(TEST_DATABASE)
    warehouse.ensure_database(location)
    return location


@pytest.fixture()
def conn(location):
    """An autocommit connection to a test database emptied of raw and audit tables."""
    with warehouse.connect(location, autocommit=True) as c:
        c.execute("drop schema if exists raw cascade")
        c.execute("drop schema if exists audit cascade")
        landing._ready.clear()
        yield c


@pytest.fixture()
def feed() -> Feed:
    return make_feed()


@pytest.fixture()
def drop(tmp_path: Path, feed: Feed):
    """Write a file into the feed's landing folder: ``drop(name, bytes)`` → path."""
    folder = tmp_path / "files" / feed.sector.slug / feed.record_type.code
    folder.mkdir(parents=True)

    def write(name: str, content: bytes) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return write


