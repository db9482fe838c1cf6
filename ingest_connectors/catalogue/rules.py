"""Field-specification rules, compiled from the catalogue.

Every rule has an id, a severity (critical rules quarantine the row; warnings are reported) and a
SQL predicate that is TRUE when a staged row passes. The same rules drive both the row-level gate
in the warehouse (generated dbt models) and the Great Expectations suites, so the two can never
disagree about what the specification says.

Predicates refer to the columns of the staging model (``staging.stg_<sector>__<record_type>``):
the typed value ``<column>``, and where parsing can fail ``<column>__raw``, ``<column>__format``
or ``<column>__status`` (see ``credit.codegen``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ingest_connectors.catalogue.model import Feed, FieldSpec, RecordType

RULE_KINDS = (
    "required", "conditional", "parseable", "date_format", "not_in_future", "enum", "check_digit",
    "min_value", "max_value", "max_length", "pattern", "single_line", "valid_after_decision",
    "unique_decision",
)

#: Dates that are, by their meaning, never in the future.
PAST_DATE_COLUMNS = ("decision_date", "valid_from")


@dataclass(frozen=True)
class Rule:
    feed_key: str
    column: str | None  # None for record-level rules
    kind: str
    severity: str  # critical | warning
    predicate: str  # SQL, TRUE when the row passes
    description: str
    columns: tuple[str, ...] = ()  # for record-level rules (uniqueness)

    @property
    def rule_id(self) -> str:
        return f"{self.column or 'record'}.{self.kind}"

    @property
    def qualified_id(self) -> str:
        return f"{self.feed_key}:{self.rule_id}"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def presence(field: FieldSpec) -> str:
    """SQL that is TRUE when the field was sent (placeholders for 'no code' count as absent)."""
    c = field.column
    if field.type in ("uscc", "id_number"):
        return f"coalesce({c}__status, 'absent') <> 'absent'"
    if field.type in ("date", "amount_wan_yuan", "decimal", "integer", "enum"):
        return f"{c}__raw is not null"
    return f"{c} is not null"


def _field_rules(feed: Feed, field: FieldSpec) -> Iterator[Rule]:
    c, name, sev = field.column, field.name_zh, field.severity

    def rule(kind: str, predicate: str, description: str, severity: str = sev) -> Rule:
        return Rule(feed.key, c, kind, severity, predicate, description)

    if field.required == "Y":
        yield rule("required", presence(field), f"{name}必填", "critical")
    elif field.required == "C" and field.required_when is not None:
        cond = field.required_when
        yield rule(
            "conditional",
            f"not (coalesce(string_to_array({cond.field}, '、'), '{{}}') && array[{_sql_list(cond.in_)}]::text[])"
            f" or {presence(field)}",
            f"{name}: required when {cond.field} is one of {', '.join(cond.in_)}",
        )
    if field.type in ("date", "amount_wan_yuan", "decimal", "integer"):
        yield rule("parseable", f"{c}__raw is null or {c} is not null", f"{name}: value cannot be read as {field.type}")
    if field.type == "date":
        yield rule("date_format", f"{c}__format is null or {c}__format = 'standard'",
                   f"{name}: not written YYYY/MM/DD (Excel serial or YYYYMMDD)", "warning")
        if c in PAST_DATE_COLUMNS:
            yield rule("not_in_future", f"{c} is null or {c} <= current_date", f"{name}: date in the future", "critical")
    if field.type == "enum":
        yield rule("enum", f"{c}__raw is null or {c} is not null", f"{name}: value not in the enumeration {field.lookup}")
    if field.type in ("uscc", "id_number"):
        yield rule("check_digit", f"coalesce({c}__status, 'absent') in ('valid', 'absent')",
                   f"{name}: malformed or wrong check character")
    if field.min_value is not None:
        yield rule("min_value", f"{c} is null or {c} >= {field.min_value}", f"{name} < {field.min_value}")
    if field.max_value is not None:
        yield rule("max_value", f"{c} is null or {c} <= {field.max_value}",
                   f"{name} > {field.max_value}{field.unit or ''} (yuan sent where 万元 is required?)")
    if field.max_length is not None:
        yield rule("max_length", f"{c} is null or char_length({c}) <= {field.max_length}", f"{name}: longer than {field.max_length}")
    if field.type == "text":
        # a line break inside a field is legal CSV but never part of a standard value
        yield rule("single_line", f"{c} is null or {c} !~ '[\\r\\n]'", f"{name}: contains a line break", "warning")
    if field.pattern is not None:
        pattern = field.pattern.replace("'", "''")
        yield rule("pattern", f"{c} is null or {c} ~ '{pattern}'", f"{name}: does not match {field.pattern}")


def _record_rules(feed: Feed, record_type: RecordType) -> Iterator[Rule]:
    columns = {f.column for f in record_type.fields}
    if "valid_until" in columns:
        yield Rule(
            feed.key, "valid_until", "valid_after_decision", "critical",
            f"valid_until is null or {record_type.decision_date} is null or valid_until >= {record_type.decision_date}",
            "validity ends before the decision date",
        )
    # A decision appears once per authority; the same number again is a duplicate or a correction.
    # Both are legitimate to receive (the archive keeps versions), so this only warns.
    yield Rule(
        feed.key, None, "unique_decision", "warning", "", "decision number sent more than once by the same authority",
        columns=tuple(record_type.unique_key),
    )


def rules_for(feed: Feed) -> list[Rule]:
    rules: list[Rule] = []
    for field in feed.record_type.fields:
        rules.extend(_field_rules(feed, field))
    rules.extend(_record_rules(feed, feed.record_type))
    return rules
