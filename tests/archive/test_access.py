"""The downstream login role, logging in for real, reads the published schema and calls the credit
check — and nothing else; nothing it can read holds a clear resident ID number."""

from __future__ import annotations

import csv
import os
import re

import psycopg
import pytest
from psycopg import errors, sql

from credit import identifiers

DOWNSTREAM_ROLE = "credit_downstream"
#: Schemas holding relations (util holds only functions: see the internal-functions test).
REFUSED_SCHEMAS = ("raw", "staging", "intermediate", "core", "marts", "snapshots", "audit", "restricted", "ref")
#: 18-digit (or 15-digit) runs that could be a resident ID number.
ID_LIKE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


@pytest.fixture(scope="module")
def downstream(archive):
    """A connection as credit_downstream: trust on the embedded server's socket, the password else."""
    password = os.environ.get("CREDIT_DOWNSTREAM_PASSWORD", "downstream-dev-password")
    conninfo = psycopg.conninfo.make_conninfo(archive.location.conninfo(), user=DOWNSTREAM_ROLE,
                                              password=password)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        assert conn.execute("select current_user").fetchone()[0] == DOWNSTREAM_ROLE
        yield conn


def _readable_relations(conn) -> list[tuple[str, str]]:
    return conn.execute("""
        select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'v', 'm', 'p', 'f')
          and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%%'
          and has_schema_privilege(n.oid, 'USAGE') and has_table_privilege(c.oid, 'SELECT')
        order by 1, 2""").fetchall()


def test_the_role_reads_every_published_relation(downstream):
    relations = _readable_relations(downstream)
    assert {schema for schema, _ in relations} == {"pub"}
    names = {name for _, name in relations}
    assert {"double_publicity_penalty", "double_publicity_licence", "credit_record", "credit_subject"} <= names
    for _, name in relations:
        downstream.execute(sql.SQL("select * from {} limit 5").format(sql.Identifier("pub", name))).fetchall()
    assert downstream.execute("select count(*) from pub.credit_record").fetchone()[0] > 0


def test_the_role_calls_the_credit_check(downstream, archive):
    uscc = archive.rows("select uscc from pub.credit_subject where uscc is not null limit 1")[0][0]
    rows = downstream.execute("select subject_id, is_vetoed from pub.credit_check(%s)", (uscc,)).fetchall()
    assert len(rows) == 1


@pytest.mark.parametrize("schema", REFUSED_SCHEMAS)
def test_the_role_is_refused_everywhere_else(downstream, archive, schema):
    tables = archive.rows("select table_name from information_schema.tables where table_schema = %s", (schema,))
    if not tables:
        pytest.skip(f"no relation in {schema}")
    for (table,) in tables[:5]:
        with pytest.raises(errors.InsufficientPrivilege):
            downstream.execute(sql.SQL("select 1 from {} limit 1").format(sql.Identifier(schema, table)))


def test_the_role_cannot_call_internal_functions(downstream):
    for call in ("select * from marts.archive_as_of('x', current_date)", "select util.pii_hash('x')",
                 "select * from restricted.pii_key"):
        with pytest.raises(errors.InsufficientPrivilege):
            downstream.execute(call)


def test_the_role_cannot_write_or_create(downstream):
    with pytest.raises(errors.InsufficientPrivilege):
        downstream.execute("delete from pub.credit_subject")
    with pytest.raises(errors.InsufficientPrivilege):
        downstream.execute("create table pub.mine (x int)")


def _text_values(conn):
    for schema, name in _readable_relations(conn):
        cols = conn.execute("""select column_name from information_schema.columns
                               where table_schema = %s and table_name = %s""", (schema, name)).fetchall()
        select = sql.SQL("select {} from {}").format(
            sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for (c,) in cols),
            sql.Identifier(schema, name))
        for row in conn.execute(select):
            yield from (v for v in row if v)


def test_nothing_the_role_reads_holds_a_clear_id_number(downstream, archive):
    truth_ids = set()
    with (archive.truth / "subjects.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["id_number"]:
                truth_ids.add(identifiers.normalise_id_number(row["id_number"]) or row["id_number"])
    assert truth_ids, "the test preset has natural persons"
    found = []
    scanned = 0
    for value in _text_values(downstream):
        scanned += 1
        for candidate in ID_LIKE.findall(value):
            if identifiers.id_number_status(candidate) == identifiers.VALID or candidate in truth_ids:
                found.append(candidate)
    # the credit check's answers too, asked by ID number for every natural person
    for id_number in sorted(truth_ids)[:50]:
        for row in downstream.execute("select * from pub.credit_check(%s)", (id_number,)):
            for value in row:
                if value is not None and id_number in str(value):
                    found.append(id_number)
    assert scanned > 1000
    assert found == []
