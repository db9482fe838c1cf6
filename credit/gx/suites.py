"""Great Expectations suites built from the catalogue's rules -- never written by hand.

Every rule of ``rules_for(feed)`` becomes exactly one expectation in the feed's suite, and carries
its identity in ``meta``::

    {"rule_id", "qualified_id", "severity", "kind", "description"}

``meta["severity"]`` (critical | warning) is what the rest of ``credit.gx`` reads. GX 1.x also has
an expectation-level ``severity`` field; it is set to the same value so Data Docs show it, but the
gate never relies on it.

Which expectation a rule becomes is decided from the rule's SQL predicate, not from the field
type: a predicate whose text has one of the exact shapes below is expressed by the native GX
expectation with IDENTICAL semantics (GX column-map expectations skip NULLs, which is what the
``<col> is null or ...`` half of those predicates says). Any other predicate -- conditional
requirements, parse checks, ``coalesce`` presence tests, dates compared with ``current_date`` --
becomes an ``UnexpectedRowsExpectation`` running
``select <UNEXPECTED_ROWS_SELECT> from {batch} where not (<predicate>)``, so a predicate that
changes shape in ``rules.py`` falls back to the always-correct form.

=========================================================  ========================================
predicate                                                  expectation
=========================================================  ========================================
``c is not null``                                          ExpectColumnValuesToNotBeNull(c)
``c is null or c >= N`` / ``<= N`` (integer c, integral N) ExpectColumnValuesToBeBetween(c, N)
``c is null or char_length(c) <= N``                       ExpectColumnValueLengthsToBeBetween(c)
``c is null or c ~ 'regex'``                               ExpectColumnValuesToMatchRegex(c)
``c is null or c !~ 'regex'``                              ExpectColumnValuesToNotMatchRegex(c)
``c is null or c = 'v'``                                   ExpectColumnValuesToBeInSet(c, [v])
``coalesce(c, 'd') in ('v1', ...)`` with d among the v     ExpectColumnValuesToBeInSet(c, [v1..])
``a is null or b is null or a >= b``                       ExpectColumnPairValuesAToBeGreaterThanB
(``unique_decision``: no predicate, ``rule.columns``)      ExpectCompoundColumnsToBeUnique
=========================================================  ========================================

Bounds are native only on ``integer`` fields (bigint columns) with integral bounds. GX coerces
``min_value``/``max_value`` to a Python float and binds it as ``float8``, so PostgreSQL compares
in double precision: exact for a bigint against an integral bound, but NOT for a ``numeric``
amount -- ``100000.000000000000000001`` passes ``<= 100000`` in GX and fails it in SQL (the tests
prove it). Bounds on decimal and 万元 amounts therefore run as SQL.

``unique_decision`` and GX's compound uniqueness: GX flags EVERY row of a repeated key (both the
first delivery and the repeat), not just the extra copies, so ``unexpected_count`` is "rows that
share their decision number and authority with another row". Rows with a missing key part are
ignored (``ignore_row_if="any_value_is_missing"``): a missing decision number or authority code is
already reported by its own ``required`` rule, and counting all NULL-keyed rows as one repeated
decision would turn one defect into a misleading duplicate warning. :func:`unique_failing_rows_sql`
is the SQL twin used by the tests.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from ingest_connectors.catalogue import Feed, catalogue
from ingest_connectors.catalogue.rules import Rule, rules_for

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuite
    from great_expectations.expectations.expectation import Expectation

# great_expectations is imported inside the functions that need it: importing it takes seconds,
# and this package is imported by every process that loads the Dagster definitions.

#: Schema of the dbt staging views the suites run against.
STAGING_SCHEMA = "staging"
#: What an UnexpectedRowsExpectation selects. GX runs the query twice: once wrapped in
#: ``count(*)`` (the unexpected count) and once fetching up to 200 rows client-side (psycopg
#: receives the WHOLE result set before GX takes 200), which the BASIC result format then throws
#: away. ``select *`` would ship every column of every failing row of a broken feed to the GX
#: process: measured on 300k staged rows with many failures, 15.9 s against 10.3 s with these two
#: columns, and the memory of a full copy. The provenance columns identify the raw row. Counts do
#: not depend on the select list; set it to "*" for the literal ``select *`` form.
UNEXPECTED_ROWS_SELECT = "load_id, source_row_number"
#: Keys every expectation's meta carries.
META_KEYS = ("rule_id", "qualified_id", "severity", "kind", "description")
SEVERITIES = ("critical", "warning")

_IDENT = r"[a-z_][a-z0-9_]*"
_NUMBER = r"-?\d+(?:\.\d+)?"
_SQL_STRING = r"'(?:[^']|'')*'"
_NOT_NULL = re.compile(rf"^(?P<c>{_IDENT}) is not null$")
_MIN = re.compile(rf"^(?P<c>{_IDENT}) is null or (?P=c) >= (?P<v>{_NUMBER})$")
_MAX = re.compile(rf"^(?P<c>{_IDENT}) is null or (?P=c) <= (?P<v>{_NUMBER})$")
_MAX_LENGTH = re.compile(rf"^(?P<c>{_IDENT}) is null or char_length\((?P=c)\) <= (?P<v>\d+)$")
_REGEX = re.compile(rf"^(?P<c>{_IDENT}) is null or (?P=c) ~ (?P<v>{_SQL_STRING})$")
_NOT_REGEX = re.compile(rf"^(?P<c>{_IDENT}) is null or (?P=c) !~ (?P<v>{_SQL_STRING})$")
_EQUALS = re.compile(rf"^(?P<c>{_IDENT}) is null or (?P=c) = (?P<v>{_SQL_STRING})$")
_COALESCE_IN = re.compile(
    rf"^coalesce\((?P<c>{_IDENT}), (?P<d>{_SQL_STRING})\) in \((?P<v>{_SQL_STRING}(?:, {_SQL_STRING})*)\)$"
)
_PAIR_GE = re.compile(rf"^(?P<a>{_IDENT}) is null or (?P<b>{_IDENT}) is null or (?P=a) >= (?P=b)$")
_SQL_STRINGS = re.compile(_SQL_STRING)
# A ``:name`` outside ``::`` casts is a bind parameter to ``sqlalchemy.text`` (which GX wraps the
# query in); the same pattern SQLAlchemy uses to find them.
_BIND_PARAM = re.compile(r"(?<![:\w\\]):(?=\w)")


def relation_name(feed: Feed) -> str:
    """The staging view of a feed: ``stg_<sector_slug>__<record_type_code>``."""
    return f"stg_{feed.sector.slug}__{feed.record_type.code}"


def qualified_relation(feed: Feed) -> str:
    return f"{STAGING_SCHEMA}.{relation_name(feed)}"


def suite_name(feed: Feed | str) -> str:
    return feed if isinstance(feed, str) else feed.key


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


def _integral(text: str) -> int | None:
    value = float(text)
    return int(value) if value.is_integer() else None


def unexpected_rows_query(predicate: str) -> str:
    """``select <UNEXPECTED_ROWS_SELECT> from {batch} where not (<predicate>)``, escaped for GX.

    GX substitutes ``{batch}`` with ``str.format`` (so literal braces, e.g. the empty array
    ``'{}'`` in conditional rules, must be doubled) and runs the query through
    ``sqlalchemy.text`` (so a ``:word`` would be read as a bind parameter).
    """
    escaped = predicate.replace("{", "{{").replace("}", "}}")
    escaped = _BIND_PARAM.sub(r"\\:", escaped)
    return f"select {UNEXPECTED_ROWS_SELECT} from {{batch}} where not ({escaped})"


def unique_failing_rows_sql(rule: Rule, relation: str) -> str:
    """SQL counting the rows GX's compound-uniqueness expectation reports for ``rule``."""
    cols = ", ".join(rule.columns)
    present = " and ".join(f"{c} is not null" for c in rule.columns)
    return (
        f"select count(*) from {relation} where {present} and ({cols}) in ("
        f"select {cols} from {relation} where {present} group by {cols} having count(*) > 1)"
    )


def failing_rows_sql(rule: Rule, relation: str) -> str:
    """``select count(*)`` of the rows of ``relation`` that fail ``rule`` (the SQL gate's view)."""
    if not rule.predicate:
        if rule.kind == "unique_decision" and rule.columns:
            return unique_failing_rows_sql(rule, relation)
        raise ValueError(f"{rule.qualified_id}: no predicate and no known record-level form")
    return f"select count(*) from {relation} where not ({rule.predicate})"


def _native(rule: Rule, common: dict, field_type: str | None) -> Expectation | None:
    """The native GX expectation whose semantics are identical to ``rule.predicate``, if any."""
    import great_expectations.expectations as gxe

    p = rule.predicate.strip()
    if m := _NOT_NULL.match(p):
        return gxe.ExpectColumnValuesToNotBeNull(column=m["c"], **common)
    exact_bounds = field_type == "integer"  # see the module docstring: float8 vs numeric
    if exact_bounds and (m := _MIN.match(p)) and (v := _integral(m["v"])) is not None:
        return gxe.ExpectColumnValuesToBeBetween(column=m["c"], min_value=v, **common)
    if exact_bounds and (m := _MAX.match(p)) and (v := _integral(m["v"])) is not None:
        return gxe.ExpectColumnValuesToBeBetween(column=m["c"], max_value=v, **common)
    if m := _MAX_LENGTH.match(p):
        return gxe.ExpectColumnValueLengthsToBeBetween(column=m["c"], max_value=int(m["v"]), **common)
    if m := _REGEX.match(p):
        return gxe.ExpectColumnValuesToMatchRegex(column=m["c"], regex=_unquote(m["v"]), **common)
    if m := _NOT_REGEX.match(p):
        return gxe.ExpectColumnValuesToNotMatchRegex(column=m["c"], regex=_unquote(m["v"]), **common)
    if m := _EQUALS.match(p):
        return gxe.ExpectColumnValuesToBeInSet(column=m["c"], value_set=[_unquote(m["v"])], **common)
    if m := _COALESCE_IN.match(p):
        values = [_unquote(v) for v in _SQL_STRINGS.findall(m["v"])]
        # NULL becomes the default; it passes only if the default is in the list, which is then
        # exactly GX's "NULLs are skipped" rule.
        if _unquote(m["d"]) in values:
            return gxe.ExpectColumnValuesToBeInSet(column=m["c"], value_set=values, **common)
        return None
    if m := _PAIR_GE.match(p):
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=m["a"], column_B=m["b"], or_equal=True,
            ignore_row_if="either_value_is_missing", **common,
        )
    return None


def expectation_for(rule: Rule, field_type: str | None = None) -> Expectation:
    """The one expectation that checks ``rule``.

    ``field_type`` is the catalogue type of ``rule.column`` (it decides whether numeric bounds can
    be native); without it, bounds run as SQL.
    """
    import great_expectations.expectations as gxe

    if rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.qualified_id}: unknown severity {rule.severity!r}")
    common = {
        "meta": {
            "rule_id": rule.rule_id,
            "qualified_id": rule.qualified_id,
            "severity": rule.severity,
            "kind": rule.kind,
            "description": rule.description,
        },
        "severity": rule.severity,  # GX's own field, for Data Docs; the gate reads meta
        "description": f"{rule.rule_id} [{rule.severity}]: {rule.description}",
        "catch_exceptions": True,  # one broken rule is reported, not fatal to the suite
    }
    if rule.kind == "unique_decision" and not rule.predicate:
        if len(rule.columns) < 2:
            raise ValueError(f"{rule.qualified_id}: compound uniqueness needs two or more columns")
        return gxe.ExpectCompoundColumnsToBeUnique(
            column_list=list(rule.columns),
            ignore_row_if="any_value_is_missing",
            notes=(
                f"Counts every row whose ({', '.join(rule.columns)}) is shared with another row "
                "(first delivery and repeats alike); rows missing a key part are not counted "
                "(their `required` rule reports them). A warning: repeats are corrections or "
                "duplicates, both kept by the archive."
            ),
            **common,
        )
    if not rule.predicate:
        raise ValueError(f"{rule.qualified_id}: rule has no predicate")
    native = _native(
        rule, {**common, "notes": f"SQL predicate (TRUE when a row passes): `{rule.predicate}`"}, field_type
    )
    if native is not None:
        return native
    return gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=unexpected_rows_query(rule.predicate),
        notes=f"Rows failing `{rule.predicate}`.",
        **common,
    )


def build_suite(feed: Feed, rules: Iterable[Rule] | None = None) -> ExpectationSuite:
    """The feed's suite, in memory: one expectation per rule, in the rules' order."""
    from great_expectations.core import ExpectationSuite

    rules = list(rules_for(feed) if rules is None else rules)
    ids = [r.rule_id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{feed.key}: rule ids are not unique: {dupes}")
    types = {f.column: f.type for f in feed.record_type.fields}
    # passed to the constructor: ExpectationSuite.add_expectation needs an active data context
    # (it looks the suite up in the expectations store), the constructor does not
    return ExpectationSuite(
        name=suite_name(feed),
        expectations=[expectation_for(rule, types.get(rule.column or "")) for rule in rules],
        meta={
            "feed_key": feed.key,
            "sector": feed.sector.slug,
            "record_type": feed.record_type.code,
            "relation": qualified_relation(feed),
            "generated_from": "ingest_connectors/catalogue/rules.py via credit/gx/suites.py",
        },
    )


def build_suites(feed_keys: Iterable[str] | None = None) -> dict[str, ExpectationSuite]:
    """Suites of the given feeds (all feeds by default), keyed by feed key."""
    feeds = {f.key: f for f in catalogue().feeds()}
    keys = list(feeds) if feed_keys is None else list(feed_keys)
    unknown = [k for k in keys if k not in feeds]
    if unknown:
        raise KeyError(f"not in the catalogue: {unknown}")
    return {k: build_suite(feeds[k]) for k in keys}


def rule_meta(expectation: Expectation) -> dict:
    """The rule identity an expectation (or expectation configuration) carries."""
    meta = dict(getattr(expectation, "meta", None) or {})
    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise ValueError(f"expectation {type(expectation).__name__} lacks rule meta {missing}")
    return meta
