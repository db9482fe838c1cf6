"""Incremental runs cost what the new loads cost, and a full refresh yields the same tables."""

from __future__ import annotations

from psycopg import sql

from tests.archive import harness

SCRATCH = "cmp_incremental"
#: Relations compared after the incremental day; built_at says when a row was built, nothing more.
COMPARED = ["intermediate.int_records__unioned", "core.fct_credit_record", "marts.mart_archive__record",
            "marts.mart_publication__record", "pub.credit_record", "pub.double_publicity_penalty",
            "pub.double_publicity_licence", "pub.credit_subject"]
IGNORED_COLUMNS = {"built_at"}


def _columns(conn, schema: str, name: str) -> list[str]:
    rows = conn.execute("select column_name from information_schema.columns where table_schema = %s "
                        "and table_name = %s order by ordinal_position", (schema, name)).fetchall()
    return [r[0] for r in rows if r[0] not in IGNORED_COLUMNS]


def _gate_tables(conn) -> list[str]:
    rows = conn.execute("select 'intermediate.' || table_name from information_schema.tables "
                        "where table_schema = 'intermediate' and table_name like 'int_gate\\_\\_%' "
                        "order by table_name").fetchall()
    return [r[0] for r in rows]


def test_the_daily_run_rebuilt_only_the_decisions_it_touched(archive_day):
    first, last = archive_day.changes["new_loads"]
    touched, total = archive_day.rows("""
        select count(*) filter (where built_at = (select max(built_at) from core.fct_credit_record)), count(*)
        from core.fct_credit_record""")[0]
    assert 0 < touched < total * 0.2
    new_rows = archive_day.rows("select count(*) from intermediate.int_records__unioned where load_id > %s", (first,))[0][0]
    assert new_rows > 0
    # every new load reached the gate tables once, none twice
    assert archive_day.rows("""select count(*) from (select load_id, source_row_number, feed_key
        from intermediate.int_records__unioned group by 1, 2, 3 having count(*) > 1) d""") == [(0,)]


def test_a_full_refresh_yields_the_tables_of_the_incremental_runs(archive_day):
    with archive_day.connect(autocommit=True) as conn:
        relations = _gate_tables(conn) + COMPARED
        assert len(relations) > 84
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SCRATCH)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(SCRATCH)))
        columns = {}
        for relation in relations:
            schema, name = relation.split(".")
            columns[relation] = _columns(conn, schema, name)
            conn.execute(sql.SQL("create table {} as select {} from {}").format(
                sql.Identifier(SCRATCH, f"{schema}__{name}"),
                sql.SQL(", ").join(map(sql.Identifier, columns[relation])), sql.Identifier(schema, name)))

    archive_day.dbt("run", "--full-refresh", *harness.ARCHIVE_SELECTION)

    differences = {}
    with archive_day.connect() as conn:
        for relation in relations:
            schema, name = relation.split(".")
            cols = sql.SQL(", ").join(map(sql.Identifier, columns[relation]))
            live, kept = sql.Identifier(schema, name), sql.Identifier(SCRATCH, f"{schema}__{name}")
            only_incremental = conn.execute(sql.SQL(
                "select count(*) from (select {c} from {k} except all select {c} from {l}) d").format(
                c=cols, k=kept, l=live)).fetchone()[0]
            only_full = conn.execute(sql.SQL(
                "select count(*) from (select {c} from {l} except all select {c} from {k}) d").format(
                c=cols, k=kept, l=live)).fetchone()[0]
            rows = conn.execute(sql.SQL("select count(*) from {}").format(kept)).fetchone()[0]
            if only_incremental or only_full:
                differences[relation] = (only_incremental, only_full, rows)
            assert rows > 0 or name.startswith("int_gate"), relation
        conn.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(SCRATCH)))
        conn.commit()
    assert differences == {}
