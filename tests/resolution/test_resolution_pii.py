"""No clear resident ID number anywhere outside the restricted schemas (issue 4, REFERENCE §2).

On the database the demo pipeline left (conftest ``demo``: every feed landed, dbt built, every
sector released), every text-like column (text, varchar, char, json, jsonb, text[]) of every
table, view and materialised view in every schema except ``raw`` and ``restricted`` (and the
system schemas) is scanned for strings that pass the resident-ID check
(``util.id_number_status(...) = 'valid'``):

* every 18-character window ``[0-9]{17}[0-9Xx]`` of every value (overlapping windows: an ID
  inside a longer run of digits is found too); the check character and a real birth date make a
  false positive on other numbers rare (≈ 1 in 10,000 random digit strings);
* every run of exactly 15 digits not part of a longer token of letters or digits (a 15-digit
  window inside a hash or a longer number is no old ID number). An old 15-digit ID has no check
  character, so its only test is a real birth date, which ≈ 1 in 10 legacy registration numbers
  (also 15 digits) pass as well; a 15-digit run that passes the registration number's own check
  (ISO 7064 MOD 11,10) is therefore taken for a registration number. Old ID numbers are still
  caught 9 times in 10.

Efficient: one query per relation; values are first filtered in SQL on ``~ '[0-9]{15}'``, and
only those candidates are cut into windows and checked.
"""

from __future__ import annotations

from psycopg import sql

from credit import warehouse

EXCLUDED_SCHEMAS = ["raw", "restricted", "pg_catalog", "information_schema", "pg_toast"]

RELATIONS = """
select n.nspname, c.relname, array_agg(a.attname::text order by a.attnum)
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname <> all(%s) and n.nspname not like 'pg\\_%%'
  and a.atttypid in ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype, 'json'::regtype,
                     'jsonb'::regtype, 'text[]'::regtype, 'varchar[]'::regtype)
group by 1, 2
order by 1, 2
"""

SCAN = """
with candidates as (
    select v.col, v.val
    from {relation} as t
    cross join lateral (values {columns}) as v(col, val)
    where v.val ~ '[0-9]{{15}}'
),
windows_18 as (
    select col, val, substr(val, i, 18) as found
    from candidates, generate_series(1, char_length(val) - 17) as i
    where substr(val, i, 18) ~ '^[0-9]{{17}}[0-9Xx]$'
),
runs_15 as (
    select col, val, m[1] as found
    from candidates,
         regexp_matches(val, '(?:^|[^0-9A-Za-z])([0-9]{{15}})(?=$|[^0-9A-Za-z])', 'g') as m
)
select col, found, left(val, 120) from windows_18 where util.id_number_status(found) = 'valid'
union all
select col, found, left(val, 120) from runs_15
where util.id_number_status(found) = 'valid' and util.registration_number_status(found) <> 'valid'
"""


def scan_for_id_numbers(conn) -> dict[str, list[tuple[str, str, str]]]:
    """relation → [(column, ID number found, start of the value)] for every relation with a hit."""
    found: dict[str, list] = {}
    for schema, name, columns in conn.execute(RELATIONS, (EXCLUDED_SCHEMAS,)).fetchall():
        pairs = sql.SQL(", ").join(
            sql.SQL("({}, {}::text)").format(sql.Literal(c), sql.Identifier(c)) for c in columns)
        query = sql.SQL(SCAN).format(relation=sql.Identifier(schema, name), columns=pairs)
        rows = conn.execute(query).fetchall()
        if rows:
            found[f"{schema}.{name}"] = rows
    return found


def _mask(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def test_no_clear_id_number_outside_the_restricted_schemas(demo):
    with warehouse.connect(demo.location, autocommit=True) as conn:
        # the scan must see the personal data that is there: clear numbers in raw, hashes beyond
        clear_in_raw = conn.execute(
            "select count(*) from raw.production__penalty where id_number is not null").fetchone()[0]
        hashed = conn.execute(
            "select count(*) from core.dim_credit_subject where id_number_hash is not null").fetchone()[0]
        found = scan_for_id_numbers(conn)
    assert clear_in_raw > 0 and hashed > 0
    report = {rel: sorted({(col, _mask(number)) for col, number, _ in rows})[:5]
              for rel, rows in found.items()}
    assert found == {}, f"clear ID numbers outside raw/restricted (masked here): {report}"


def test_the_scan_finds_a_planted_number(demo):
    """The scanner itself: an ID number planted in a temporary view of a scanned schema is found,
    in 18-digit, lowercase-x and 15-digit spellings and inside text, but hashes, registration
    numbers and digit runs around it are not reported."""
    with warehouse.connect(demo.location) as conn:
        conn.execute("create schema if not exists pii_scan_probe")
        conn.execute("""
            create view pii_scan_probe.planted as
            select * from (values
                ('备注：身份证11010519491231002X已核'),
                ('11010519491231002x'),
                ('old 110105491231003 number'),  -- an old 15-digit number (fails the registration check)
                ('420202031204573'),
                ('9911010519491231002X99')) as v(note)""")
        found = scan_for_id_numbers(conn)
        conn.rollback()
    planted = sorted(f for _, f, _ in found.pop("pii_scan_probe.planted", []))
    assert planted == sorted(["11010519491231002X", "11010519491231002x", "110105491231003",
                              "11010519491231002X"])
