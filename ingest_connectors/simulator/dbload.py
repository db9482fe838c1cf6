"""Copy the simulated department databases (``<out>/db/<sector>.sqlite``) into another database
reachable through SQLAlchemy, e.g. MariaDB: ``mysql+pymysql://root@127.0.0.1:3306/test``."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable

CHUNK = 5000


def load_into_database(db_dir: Path | str, url: str, sectors: Iterable[str] | None = None,
                       table_prefix: str = "", replace: bool = True) -> dict[str, int]:
    """Create one table per SQLite table (same name with ``table_prefix``, same columns: TEXT
    fields, ``row_id`` primary key, ``updated_at``) and copy every row. Returns rows per table.

    Several sectors have tables of the same name (``penalty``…): load one sector per target
    database, or give a ``table_prefix`` such as ``"<sector>__"``.
    """
    import sqlalchemy as sa

    db_dir = Path(db_dir)
    wanted = set(sectors) if sectors is not None else None
    engine = sa.create_engine(url)
    counts: dict[str, int] = {}
    try:
        for path in sorted(db_dir.glob("*.sqlite")):
            if wanted is not None and path.stem not in wanted:
                continue
            src = sqlite3.connect(path)
            try:
                tables = [r[0] for r in src.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
                for table in tables:
                    counts[table_prefix + table] = _copy_table(src, table, engine, table_prefix + table, replace)
            finally:
                src.close()
    finally:
        engine.dispose()
    return counts


def _copy_table(src: sqlite3.Connection, table: str, engine, target: str, replace: bool) -> int:
    import sqlalchemy as sa

    columns = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
    meta = sa.MetaData()
    cols = []
    for c in columns:
        if c == "row_id":
            cols.append(sa.Column(c, sa.BigInteger, primary_key=True, autoincrement=False))
        elif c == "updated_at":
            cols.append(sa.Column(c, sa.String(32), nullable=False, index=True))
        else:
            cols.append(sa.Column(c, sa.Text))
    t = sa.Table(target, meta, *cols)
    with engine.begin() as conn:
        if replace:
            t.drop(conn, checkfirst=True)
        t.create(conn, checkfirst=True)
    n = 0
    cursor = src.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}" ORDER BY row_id')
    while True:
        rows = cursor.fetchmany(CHUNK)
        if not rows:
            break
        with engine.begin() as conn:
            conn.execute(t.insert(), [dict(zip(columns, r)) for r in rows])
        n += len(rows)
    return n
