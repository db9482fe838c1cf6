"""Releasing a sector for publication: by the pipeline's publish step and by hand after a block."""

from __future__ import annotations

import pytest

from credit import warehouse
from credit.cli import main as credit_cli
from credit.release import release_by_hand, release_sector
from ingest_connectors.landing import ensure_audit_schema

SECTOR = "environment_energy"


def _load(db, feed_key: str, content_hash: str) -> int:
    return db.execute(
        "insert into audit.load (feed_key, connector, source, content_hash, status, rows_received, rows_loaded,"
        " started_at) values (%s, 'file_drop', %s, %s, 'loaded', 1, 1, now()) returning load_id",
        (feed_key, f"{content_hash}.csv", content_hash)).fetchone()[0]


@pytest.fixture
def audit_tables(db, location):
    with warehouse.connect(location) as conn:  # the test database (quality conftest)
        warehouse.ensure_pipeline_schemas(conn)
    ensure_audit_schema(db)
    db.execute("truncate audit.sector_release, audit.sector_release_log")
    db.execute("delete from audit.load where feed_key like %s", (f"{SECTOR}\\_\\_%",))


def _released(db) -> int:
    return db.execute("select released_up_to_load_id from audit.sector_release where sector_slug = %s",
                      (SECTOR,)).fetchone()[0]


def test_the_pipeline_release_and_a_manual_release_are_both_logged(db, location, audit_tables, monkeypatch):
    monkeypatch.setenv(warehouse.DATABASE_OVERRIDE_ENV, location.dbname)
    first = _load(db, f"{SECTOR}__licence", "a")
    _load(db, "taxation__licence", "b")  # another sector's load is not this sector's to release
    with warehouse.connect(location) as conn:
        assert release_sector(conn, SECTOR, run_id="run-1") == first
        conn.commit()

    # a new delivery the gate blocked: the publish step did not run, so it stays unreleased
    blocked = _load(db, f"{SECTOR}__penalty", "c")
    assert _released(db) == first

    with pytest.raises(ValueError, match="reason"):
        release_by_hand(location, SECTOR, "  ")
    with pytest.raises(ValueError, match="unknown sector"):
        release_by_hand(location, "no_such_sector", "x")
    assert credit_cli(["release", SECTOR, "--reason", "every USCC wrong; rows quarantined; department told"]) == 0
    assert _released(db) == blocked

    log = db.execute("select released_up_to_load_id, run_id, released_by, reason from audit.sector_release_log"
                     " where sector_slug = %s order by released_at, released_up_to_load_id", (SECTOR,)).fetchall()
    assert [(r[0], r[1]) for r in log] == [(first, "run-1"), (blocked, "manual")]
    assert log[0][2] == "pipeline" and log[0][3] is None
    assert log[1][2] and log[1][3] == "every USCC wrong; rows quarantined; department told"
