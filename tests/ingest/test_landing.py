"""Landing guarantees: atomic sources, exactly-once reruns after crashes, concurrent runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from ingest_support import NAMES, assert_conserved, csv_bytes, good_row, loads, quarantined, raw_rows

from credit import warehouse
from ingest_connectors import file_drop, landing
from ingest_connectors.catalogue import catalogue
from ingest_connectors.file_drop import FileDropConnector
from ingest_connectors.landing import land_feed

ROWS = 5000
CHUNK = 16 * 1024  # small reads, so that the file is written in many COPY blocks


def defective_file(drop):
    """A file with good rows and a few structural defects, big enough to span COPY blocks."""
    rows = [good_row(i) for i in range(ROWS)]
    rows[10] = rows[10][:3]  # too few fields
    rows[4200] = rows[4200] + ["多余"]  # too many
    return drop("T_20240301_1.csv", csv_bytes(NAMES, rows))


def reset(conn):
    conn.execute("drop schema if exists raw cascade")
    conn.execute("drop schema if exists audit cascade")
    landing._ready.clear()


def uninterrupted(conn, feed, tmp_path):
    reset(conn)
    land_feed(feed, FileDropConnector(tmp_path), conn=conn)
    return raw_rows(conn, feed), [(q["row_number"], q["reason"]) for q in quarantined(conn)]


def test_a_killed_load_leaves_nothing_and_the_rerun_equals_an_uninterrupted_load(
        conn, feed, drop, tmp_path, location):
    defective_file(drop)
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from ingest_support import make_feed
        from ingest_connectors import file_drop, landing
        from ingest_connectors.file_drop import FileDropConnector

        file_drop.CHUNK_BYTES = {CHUNK}
        write, calls = landing._BoundedQueueWriter.write, []

        def dying_write(self, data):
            write(self, data)
            calls.append(1)
            if len(calls) == 3:  # two COPY blocks have reached the server
                time.sleep(0.3)
                os.kill(os.getpid(), signal.SIGKILL)

        landing._BoundedQueueWriter.write = dying_write
        landing.land_feed(make_feed(), FileDropConnector(Path({str(tmp_path)!r})))
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(landing.__file__).parents[1]),
           "CREDIT_WAREHOUSE_DB": location.dbname}
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)

    assert killed.returncode == -9, killed.stderr
    assert loads(conn) == [] and raw_rows(conn, feed) == []

    rerun = land_feed(feed, FileDropConnector(tmp_path), conn=conn)

    assert (rerun.rows_received, rerun.rows_loaded, rerun.rows_quarantined) == (ROWS, ROWS - 2, 2)
    assert_conserved(conn)
    after_crash = raw_rows(conn, feed), [(q["row_number"], q["reason"]) for q in quarantined(conn)]
    assert after_crash == uninterrupted(conn, feed, tmp_path)


def test_an_exception_mid_file_is_recorded_and_the_rerun_loads_exactly_once(
        conn, feed, drop, tmp_path, monkeypatch):
    defective_file(drop)
    monkeypatch.setattr(file_drop, "CHUNK_BYTES", CHUNK)
    write, calls = landing._BoundedQueueWriter.write, []

    def failing_write(self, data):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk vanished")
        write(self, data)

    monkeypatch.setattr(landing._BoundedQueueWriter, "write", failing_write)
    failed = land_feed(feed, FileDropConnector(tmp_path), conn=conn)
    monkeypatch.setattr(landing._BoundedQueueWriter, "write", write)

    assert "OSError: disk vanished" in failed.failures[0][1]
    assert [(r["status"], r["rows_received"]) for r in loads(conn)] == [("failed", 0)]
    assert raw_rows(conn, feed) == [] and quarantined(conn) == []

    rerun = land_feed(feed, FileDropConnector(tmp_path), conn=conn)
    again = land_feed(feed, FileDropConnector(tmp_path), conn=conn)

    assert rerun.rows_loaded == ROWS - 2 and again.rows_loaded == 0
    assert [r["status"] for r in loads(conn)] == ["failed", "loaded", "skipped"]
    assert_conserved(conn)
    after_failure = raw_rows(conn, feed), [(q["row_number"], q["reason"]) for q in quarantined(conn)]
    assert after_failure == uninterrupted(conn, feed, tmp_path)


def test_concurrent_runs_load_a_file_once(conn, feed, drop, tmp_path, location):
    drop("T_20240301_1.csv", csv_bytes(NAMES, [good_row(i) for i in range(3000)]))
    land_feed(feed, FileDropConnector(tmp_path / "nothing"), conn=conn)  # create the tables
    results = []

    def run():
        with warehouse.connect(location, autocommit=True) as own:
            results.append(land_feed(feed, FileDropConnector(tmp_path), conn=own))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(r.rows_loaded for r in results) == [0, 3000]
    assert sorted(len(r.skipped_duplicates) for r in results) == [0, 1]
    assert len(raw_rows(conn, feed)) == 3000


def test_a_raw_table_gains_the_columns_the_catalogue_adds(conn, feed, drop, tmp_path):
    land_feed(feed, FileDropConnector(tmp_path), conn=conn)
    conn.execute(f"alter table raw.{feed.key} drop column remarks")
    landing._ready.clear()
    drop("T_20240301_1.csv", csv_bytes(NAMES, [good_row(1)]))

    land_feed(feed, FileDropConnector(tmp_path), conn=conn)

    assert raw_rows(conn, feed, "remarks") == [("",)]


def test_a_catalogue_feed_lands_with_every_header_matched(conn, drop, tmp_path):
    feed = catalogue().feed("taxation__penalty")
    folder = tmp_path / "files" / "taxation" / "penalty"
    folder.mkdir(parents=True)
    fields = feed.record_type.fields
    (folder / "HS-SW_20240301_1.csv").write_bytes(
        csv_bytes([f.name_zh for f in fields], [[f"{f.code}-{i}" for f in fields] for i in range(3)],
                  "gb18030"))

    result = land_feed(feed, FileDropConnector(tmp_path), conn=conn)

    assert result.rows_loaded == 3 and result.drift_columns == []
    assert result.outcomes[0].missing_required == ()
    first = conn.execute(f"select {', '.join(f.column for f in fields)} from raw.{feed.key}"
                         " order by _row_number limit 1").fetchone()
    assert list(first) == [f"{f.code}-0" for f in fields]
