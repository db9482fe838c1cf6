"""Database feeds: incremental pulls by watermark from SQLite and MariaDB."""

from __future__ import annotations

import os
import sqlite3

import pytest
import sqlalchemy as sa
from ingest_support import COLUMNS, assert_conserved, good_row, loads, make_feed, raw_rows

from ingest_connectors.database import DatabaseConnector
from ingest_connectors.landing import land_feed

MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


def sqlite_table(path, rows, extra_columns=()):
    """A department table: the fields' columns, row_id, updated_at (and any extra columns)."""
    db = sqlite3.connect(path)
    columns = [*COLUMNS, *extra_columns]
    db.execute(f"create table if not exists penalty (row_id integer primary key,"
               f" {', '.join(c + ' text' for c in columns)}, updated_at text)")
    db.executemany(
        f"insert or replace into penalty (row_id, {', '.join(columns)}, updated_at)"
        f" values ({', '.join('?' * (len(columns) + 2))})", rows)
    db.commit()
    db.close()


def row(i, updated_at, *extra):
    return (i, *good_row(i), *extra, updated_at)


@pytest.fixture()
def db_feed():
    return make_feed("database", {"batch_size": 2})


def test_incremental_pull_by_watermark_in_batches(conn, db_feed, tmp_path):
    path = tmp_path / "testing.sqlite"
    sqlite_table(path, [row(i, f"2024-03-01T10:00:0{i}") for i in range(1, 6)])
    connector = DatabaseConnector(f"sqlite:///{path}", batch_size=2)

    first = land_feed(db_feed, connector, conn=conn)

    assert first.sources_loaded == 3 and first.rows_loaded == 5
    wm = conn.execute("select watermark, last_row_id from audit.db_watermark").fetchone()
    assert wm == ("2024-03-01T10:00:05", 5)

    corrected = list(row(2, "2024-03-02T09:00:00"))
    corrected[1] = "黄石市测试公司2（更正）"
    sqlite_table(path, [tuple(corrected), row(6, "2024-03-02T09:00:01")])
    second = land_feed(db_feed, connector, conn=conn)

    assert second.rows_loaded == 2  # the corrected row and the new one, nothing else
    landed = raw_rows(conn, db_feed, "_row_number", "subject_name")
    assert sorted(n for n, _ in landed) == [1, 2, 2, 3, 4, 5, 6]  # raw keeps history
    assert (2, "黄石市测试公司2（更正）") in landed
    assert land_feed(db_feed, connector, conn=conn).outcomes == []
    assert_conserved(conn)


def test_rows_sharing_a_timestamp_across_batches_are_neither_lost_nor_repeated(
        conn, db_feed, tmp_path):
    path = tmp_path / "testing.sqlite"
    sqlite_table(path, [row(i, "2024-03-01T10:00:00") for i in range(1, 6)])

    result = land_feed(db_feed, DatabaseConnector(f"sqlite:///{path}", batch_size=2), conn=conn)

    assert result.rows_loaded == 5
    assert sorted(r[0] for r in raw_rows(conn, db_feed, "_row_number")) == [1, 2, 3, 4, 5]


def test_unknown_database_columns_are_drift(conn, db_feed, tmp_path):
    path = tmp_path / "testing.sqlite"
    sqlite_table(path, [row(1, "2024-03-01", "0714-1234567")], extra_columns=["contact_phone"])

    result = land_feed(db_feed, DatabaseConnector(f"sqlite:///{path}"), conn=conn)

    assert result.drift_columns == ["contact_phone"]
    assert raw_rows(conn, db_feed, "_overflow") == [({"contact_phone": "0714-1234567"},)]


def test_a_database_that_is_down_fails_naming_the_url_without_password(conn, db_feed):
    connector = DatabaseConnector("mysql+pymysql://root:s3cret@127.0.0.1:1/test", connect_timeout=2)

    result = land_feed(db_feed, connector, conn=conn)

    [(source, message)] = result.failures
    assert source == "mysql+pymysql://root:***@127.0.0.1:1/test"
    assert "database is unreachable" in message and "Connection refused" in message
    assert "s3cret" not in message and "s3cret" not in loads(conn)[0]["source"]


def test_a_missing_sqlite_file_or_table_fails_without_creating_anything(conn, db_feed, tmp_path):
    missing = tmp_path / "absent.sqlite"
    result = land_feed(db_feed, DatabaseConnector(f"sqlite:///{missing}"), conn=conn)
    assert "unable to open database file" in result.failures[0][1] and not missing.exists()

    sqlite3.connect(tmp_path / "other.sqlite").close()
    result = land_feed(db_feed, DatabaseConnector(f"sqlite:///{tmp_path / 'other.sqlite'}"),
                       conn=conn)
    assert "table 'penalty' not found" in result.failures[0][1]


@pytest.fixture()
def mariadb():
    engine = sa.create_engine(MARIADB_URL, connect_args={"connect_timeout": 3})
    try:
        engine.connect().close()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"MariaDB is not running at {MARIADB_URL}: {exc.orig}")
    yield engine
    engine.dispose()


@pytest.mark.mariadb
def test_mariadb_incremental_pull(conn, mariadb):
    code = f"ingest_test_{os.getpid()}"
    feed = make_feed("database", code=code)
    columns = ", ".join(f"`{c}` text" for c in COLUMNS)
    insert = sa.text(f"insert into `{code}` (row_id, {', '.join(COLUMNS)}, updated_at) values"
                     f" (:row_id, {', '.join(':' + c for c in COLUMNS)}, :updated_at)")

    def rows(ids, at):
        return [{"row_id": i, **dict(zip(COLUMNS, good_row(i))), "updated_at": at} for i in ids]

    with mariadb.begin() as db:
        db.execute(sa.text(f"create table `{code}` (row_id integer primary key, {columns},"
                           f" updated_at datetime(6) not null) default charset utf8mb4"))
        db.execute(insert, rows(range(1, 6), "2024-03-01 10:00:00.250000"))
    try:
        connector = DatabaseConnector(MARIADB_URL, batch_size=2)
        first = land_feed(feed, connector, conn=conn)
        with mariadb.begin() as db:
            db.execute(insert, rows([6, 7], "2024-03-01 10:00:00.500000"))
        second = land_feed(feed, connector, conn=conn)
    finally:
        with mariadb.begin() as db:
            db.execute(sa.text(f"drop table if exists `{code}`"))

    assert (first.rows_loaded, second.rows_loaded) == (5, 2)
    assert raw_rows(conn, feed, "_row_number", "subject_name", "decision_number") == [
        (i, f"黄石市测试公司{i}", f"黄税罚〔2024〕{i}号") for i in range(1, 8)]
    assert conn.execute("select watermark from audit.db_watermark").fetchone()[0] == \
        "2024-03-01 10:00:00.500000"
    assert_conserved(conn)
