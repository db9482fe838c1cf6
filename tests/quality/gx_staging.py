"""Staging-shaped tables for the quality-gate tests: the columns credit.codegen gives a feed."""

from __future__ import annotations

from typing import Iterable

import psycopg
from psycopg import sql

from credit import codegen
from ingest_connectors.catalogue import Feed, catalogue

PROVENANCE_COLUMNS = [
    ("load_id", "text"),
    ("feed_key", "text"),
    ("source_name", "text"),
    ("source_row_number", "integer"),
    ("content_hash", "text"),
    ("received_at", "timestamptz"),
]
_TYPED = {"date": "date", "amount_wan_yuan": "numeric", "decimal": "numeric", "integer": "bigint"}


def feed(key: str) -> Feed:
    return next(f for f in catalogue().feeds() if f.key == key)


def staging_columns(f: Feed) -> list[tuple[str, str]]:
    """The columns (and SQL types) the dbt staging model of ``f`` has, as codegen writes it."""
    cat = catalogue()
    columns = list(PROVENANCE_COLUMNS)
    for field in f.record_type.fields:
        for expr in codegen._field_sql(field, cat):
            name = expr.rsplit(" as ", 1)[1]
            # the typed value has the field's type; __raw, __format, __status, _hash, _masked are text
            columns.append((name, _TYPED.get(field.type, "text") if name == field.column else "text"))
    columns.append(("overflow", "jsonb"))
    return columns


def create_staging_table(conn: psycopg.Connection, f: Feed, rows: Iterable[dict]) -> str:
    """(Re)create ``staging.stg_<feed>`` as a plain table holding ``rows`` (missing columns NULL)."""
    columns = staging_columns(f)
    names = [c for c, _ in columns]
    table = sql.Identifier("staging", f"stg_{f.key}")
    conn.execute("create schema if not exists staging")
    conn.execute(sql.SQL("drop table if exists {}").format(table))
    conn.execute(sql.SQL("create table {} ({})").format(
        table, sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns)
    ))
    rows = list(rows)
    for row in rows:
        unknown = set(row) - set(names)
        if unknown:
            raise KeyError(f"not a column of stg_{f.key}: {sorted(unknown)}")
    if rows:
        with conn.cursor() as cur:
            cur.executemany(
                sql.SQL("insert into {} ({}) values ({})").format(
                    table,
                    sql.SQL(", ").join(map(sql.Identifier, names)),
                    sql.SQL(", ").join(sql.Placeholder() * len(names)),
                ),
                [[row.get(c) for c in names] for row in rows],
            )
    return f"staging.stg_{f.key}"


# --------------------------------------------------------------------------- generated defects


def random_rows(f: Feed, n: int, seed: int) -> list[dict]:
    """Staging-shaped rows full of defects and NULLs, for comparing GX with the SQL predicates."""
    import datetime as dt
    import random
    from decimal import Decimal

    rng = random.Random(seed)
    lookups = catalogue().lookups
    fields = {fl.column: fl for fl in f.record_type.fields}
    rows = []
    for i in range(n):
        row: dict = {"load_id": "L1", "feed_key": f.key, "source_row_number": i}
        for name, sql_type in staging_columns(f):
            if name in row or name in ("overflow", "received_at"):
                continue
            if rng.random() < 0.15:
                continue  # NULL
            base = name.split("__")[0]
            spec = fields.get(base)
            if name.endswith("__status"):
                row[name] = rng.choice(["valid", "absent", "bad_check_char", "malformed"])
            elif name.endswith("__format"):
                row[name] = rng.choice(["standard", "standard", "excel_serial", "compact"])
            elif name.endswith("__raw"):
                row[name] = rng.choice(["x", "2024/01/02", "12", "一二"])
            elif sql_type == "date":
                row[name] = dt.date.today() + dt.timedelta(days=rng.randint(-4000, 400))
            elif sql_type == "numeric":
                row[name] = Decimal(rng.choice(["-1", "0", "0.5", "99.99", "1000", "100000", "100000.5", "2e5"]))
            elif sql_type == "bigint":
                row[name] = rng.choice([-1, 0, 1, 12, 13, 36, 100, 600, 1000, 1999, 2014, 2100, 2101, 100001])
            elif name in f.record_type.unique_key:
                row[name] = rng.choice(["A", "B", "C", "D", "E"])
            elif spec is not None and spec.type == "enum":
                values = list(lookups[spec.lookup].values)
                row[name] = rng.choice(values + ["、".join(values[:2])])
            elif spec is not None and spec.pattern:
                row[name] = rng.choice(["202401", "2024-01", "123456789012X", "12345678901.2", "https://a.b/c", "x y"])
            else:
                row[name] = rng.choice(["正常文本", "两行\n文本", "x" * 300, "a'; drop--", "short"])
        rows.append(row)
    return rows
