"""Fixtures of the archive tests: one warehouse built outside Dagster, then one more day on top.

``archive``: the simulator's test preset landed and built in full, every raw row dated one day
back (the bulk "arrived yesterday"). ``archive_day``: today's arrivals on top — a correction of a
published penalty (same decision number and authority, another fine), a revocation of a published
licence, and one simulated day — built incrementally, as the daily run does.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from credit import warehouse
from ingest_connectors.catalogue import catalogue
from tests.archive import harness

ARCHIVE_DATABASE = "credit_test_archive"
PRESET, SEED = "test", 7
NEW_DAY = "2026-11-21"  # the day after the test preset's last generated day


@dataclass
class Archive:
    location: warehouse.WarehouseLocation
    landing: Path
    truth: Path
    yesterday: date
    today: date
    changes: dict = field(default_factory=dict)

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.location.conninfo(), **kwargs)

    def rows(self, query: str, params=()) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()

    def dbt(self, *args: str, **kwargs):
        return harness.dbt(self.location, *args, **kwargs)


@pytest.fixture(scope="session")
def archive(tmp_path_factory) -> Archive:
    from ingest_connectors.simulator.generate import generate

    # Named explicitly: other test sessions' fixtures may have moved CREDIT_WAREHOUSE_DB.
    location = warehouse.locate(create=False).with_database(ARCHIVE_DATABASE)
    if location.embedded:
        warehouse.drop_database(location)
    warehouse.ensure_database(location)
    root = tmp_path_factory.mktemp("archive")
    landing, truth = root / "landing", root / "truth"
    generate(preset=PRESET, seed=SEED, out_dir=landing, truth_dir=truth)
    harness.prepare(location)
    harness.land_all(location, landing)
    with psycopg.connect(location.conninfo()) as conn:
        # The bulk arrived yesterday, so that "as of yesterday" has something to show.
        for feed in catalogue().feeds():
            conn.execute(sql.SQL("update {} set _received_at = _received_at - interval '1 day'").format(
                sql.Identifier("raw", feed.key)))
        yesterday, today = conn.execute("select current_date - 1, current_date").fetchone()
        conn.commit()
    harness.release_all(location)
    shutil.rmtree(harness.target_path(location), ignore_errors=True)
    harness.dbt(location, "build", *harness.ARCHIVE_SELECTION)
    return Archive(location, landing, truth, yesterday, today)


def _raw_row(archive: Archive, feed_key: str, load_id: int, row_number: int) -> dict:
    feed = catalogue().feed(feed_key)
    columns = [f.column for f in feed.record_type.fields]
    query = sql.SQL("select {} from {} where _load_id = %s and _row_number = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier("raw", feed_key))
    with archive.connect() as conn:
        values = conn.execute(query, (load_id, row_number)).fetchone()
    return dict(zip(columns, values))


def _drop_file(archive: Archive, feed_key: str, row: dict, name: str) -> Path:
    """A department file with one row, in the feed's folder of the landing zone."""
    feed = catalogue().feed(feed_key)
    folder = archive.landing / "files" / feed.sector.slug / feed.record_type.code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f.name_zh for f in feed.record_type.fields])
        writer.writerow(["" if row[f.column] is None else row[f.column] for f in feed.record_type.fields])
    return path


def _published(archive: Archive, act_kind: str, extra: str) -> tuple:
    file_sectors = [s.slug for s in catalogue().sectors if s.connector.kind == "file_drop"]
    found = archive.rows(f"""
        select fct.record_key, fct.feed_key, fct.load_id, fct.source_row_number, fct.subject_id,
               fct.fine_wan_yuan, fct.decision_number
        from core.fct_credit_record fct
        join marts.mart_publication__record pub using (record_version_id)
        where fct.act_kind = %s and fct.sector_slug = any(%s)
          and fct.version_number = 1 and fct.is_current_version {extra}
        order by fct.record_key limit 1""", (act_kind, file_sectors))
    assert found, f"no published {act_kind} from a file-drop sector"
    return found[0]


@pytest.fixture(scope="session")
def archive_day(archive: Archive) -> Archive:
    from ingest_connectors.simulator.generate import generate_day

    # An ordinary day of every feed (first: the simulator reads its own earlier files back).
    generate_day(NEW_DAY, preset=PRESET, seed=SEED, out_dir=archive.landing, truth_dir=archive.truth)

    # A correction: the same decision re-sent with another fine.
    key, feed_key, load_id, row_number, subject_id, fine, number = _published(
        archive, "penalty", "and fct.fine_wan_yuan is not null and fct.subject_id is not null")
    row = _raw_row(archive, feed_key, load_id, row_number)
    new_fine = round(float(fine) + 1.25, 4)
    row["fine_wan_yuan"] = str(new_fine)
    _drop_file(archive, feed_key, row, "CORRECTION_20261127_1.csv")
    archive.changes["correction"] = {"record_key": key, "subject_id": subject_id, "old_fine": float(fine),
                                     "new_fine": new_fine, "decision_number": number, "feed_key": feed_key}

    # A revocation: a published licence re-sent as 无效.
    key, feed_key, load_id, row_number, subject_id, _, number = _published(
        archive, "licence", "and fct.subject_id is not null")
    row = _raw_row(archive, feed_key, load_id, row_number)
    row["licence_status"] = "无效"
    _drop_file(archive, feed_key, row, "REVOCATION_20261127_1.csv")
    archive.changes["revocation"] = {"record_key": key, "subject_id": subject_id, "decision_number": number}

    loads_before = archive.rows("select coalesce(max(load_id), 0) from audit.load")[0][0]
    harness.land_all(archive.location, archive.landing)
    harness.release_all(archive.location)
    window_end = archive.rows("select max(load_id) from audit.load where status = 'loaded'")[0][0]
    archive.changes["new_loads"] = (loads_before, window_end)
    archive.dbt("build", *harness.ARCHIVE_SELECTION, variables={"load_window_end": window_end})
    return archive
