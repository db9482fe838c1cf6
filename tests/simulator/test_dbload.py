"""Copying the simulated department databases into another SQLAlchemy database."""

from __future__ import annotations

import socket
import sqlite3

import pytest
import sqlalchemy as sa

from ingest_connectors.simulator import load_into_database

MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


def _sqlite_counts(db_dir, sector):
    conn = sqlite3.connect(db_dir / f"{sector}.sqlite")
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' order by name")]
    counts = {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    conn.close()
    return counts


def test_load_into_another_sqlite_database(sim, tmp_path):
    sector = "construction"
    url = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    counts = load_into_database(sim["out"] / "db", url, sectors=[sector])
    assert counts == _sqlite_counts(sim["out"] / "db", sector)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cols = [c["name"] for c in sa.inspect(conn).get_columns("penalty")]
        assert cols[0] == "row_id" and cols[-1] == "updated_at"
    engine.dispose()


def _mariadb_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 3306), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.mariadb
@pytest.mark.skipif(not _mariadb_up(), reason="MariaDB is not running on 127.0.0.1:3306")
def test_load_into_mariadb(sim):
    sector = "transport"
    prefix = "simtest_"
    counts = load_into_database(sim["out"] / "db", MARIADB_URL, sectors=[sector], table_prefix=prefix)
    expected = {prefix + t: n for t, n in _sqlite_counts(sim["out"] / "db", sector).items()}
    assert counts == expected
    engine = sa.create_engine(MARIADB_URL)
    try:
        with engine.begin() as conn:
            for table, n in expected.items():
                assert conn.execute(sa.text(f"select count(*) from `{table}`")).scalar() == n
                conn.execute(sa.text(f"drop table `{table}`"))
    finally:
        engine.dispose()
