"""The SQL publication windows (macros/publication_window.sql, used by fct_credit_record) agree
with the Python reference credit.publication.publication_window on a table of cases spanning the
three rule eras, and the penalty-type settings the SQL repeats match config/publication_rules.yaml."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest
import yaml

from credit import publication

DATES = [date(2018, 3, 1), date(2019, 7, 1), date(2021, 8, 31), date(2023, 4, 30), date(2023, 5, 1),
         date(2024, 2, 29), date(2025, 1, 31), date(2026, 3, 31), date(2026, 4, 1), date(2026, 8, 31),
         date(2031, 12, 31)]
SEVERITIES = [None, "轻微", "一般", "严重"]
PENALTY_TYPES = [None, "警告", "罚款", "警告、罚款", "警告,通报批评", "吊销许可证件、罚款", "警告；没收非法财物"]
VIOLATIONS = [None, "安全生产违法行为", "违反消防管理规定", "食品安全"]
FLOORS = {"吊销许可证件": "严重", "限制从业": "严重", "没收非法财物": "一般"}


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _cases():
    return list(itertools.product(DATES, SEVERITIES, PENALTY_TYPES, VIOLATIONS))


def _sql_windows(archive, variables=None) -> tuple[dict, dict]:
    cases = _cases()
    values = ",\n".join(
        f"({i}, {_literal(d)}, {_literal(s)}::text, {_literal(p)}::text, {_literal(v)}::text)"
        for i, (d, s, p, v) in enumerate(cases))
    query = f"""
with publication_windows as ({{{{ publication_window_table() }}}}),
publication_eras as ({{{{ publication_rule_eras() }}}}),
cases (case_id, decision_date, severity, penalty_types, violation_type) as (values {values})
select c.case_id, w.rule_code, w.is_published, w.min_end_date::text as min_end_date,
       w.max_end_date::text as max_end_date, '{{{{ publication_penalty_types() | tojson }}}}' as config
from cases c
{{{{ publication_window_join('w', 'c.decision_date', 'c.severity', 'c.penalty_types', 'c.violation_type') }}}}
"""
    result = archive.dbt("show", "--inline", query, "--output", "json", "--limit", "-1", "--quiet",
                         variables=variables)
    rows = json.loads(result.stdout[result.stdout.index("{"):])["show"]
    return {r["case_id"]: r for r in rows}, json.loads(rows[0]["config"])


def _python_window(rules, d, s, p, v):
    w = publication.publication_window(d, s, p, v, rules=rules)
    return (w.rule_code, w.published,
            w.min_end_date.isoformat() if w.min_end_date else None,
            w.max_end_date.isoformat() if w.max_end_date else None)


def _compare(sql_rows, rules):
    mismatches = []
    for i, case in enumerate(_cases()):
        row = sql_rows[i]
        got = (row["rule_code"], row["is_published"], row["min_end_date"], row["max_end_date"])
        want = _python_window(rules, *case)
        if got != want:
            mismatches.append((case, got, want))
    return mismatches


def test_sql_windows_equal_the_python_reference_across_the_three_eras(archive):
    sql_rows, _ = _sql_windows(archive)
    mismatches = _compare(sql_rows, publication.load_rules())
    assert mismatches == [], mismatches[:10]
    rules_used = {r["rule_code"] for r in sql_rows.values()}
    assert rules_used == {"ndrc_notice_527_2019", "ndrc_order_58_2023", "ndrc_order_36_2025"}


def test_the_penalty_type_settings_repeated_in_sql_match_the_rules_file(archive):
    _, config = _sql_windows(archive)
    document = yaml.safe_load(publication.RULES_PATH.read_text(encoding="utf-8"))
    penalty = document.get("penalty_types") or {}
    assert sorted(config["not_published_alone"]) == sorted(penalty.get("not_published_alone") or [])
    assert config["severity_floor"] == (penalty.get("severity_floor") or {})


def test_with_severity_floors_the_longest_window_over_the_penalty_types_applies(archive):
    document = yaml.safe_load(publication.RULES_PATH.read_text(encoding="utf-8"))
    document["penalty_types"]["severity_floor"] = FLOORS
    rules = publication.parse_rules(document)
    settings = {"not_published_alone": document["penalty_types"]["not_published_alone"], "severity_floor": FLOORS}
    sql_rows, _ = _sql_windows(archive, variables={"publication_penalty_types": settings})
    mismatches = _compare(sql_rows, rules)
    assert mismatches == [], mismatches[:10]
    # and the floor does matter for some case (so the comparison is not vacuous)
    plain = publication.load_rules()
    assert any(_python_window(rules, *c) != _python_window(plain, *c) for c in _cases())


def test_every_negative_record_of_the_fact_carries_the_python_window(archive):
    to_zh = {"minor": "轻微", "general": "一般", "serious": "严重"}
    rows = archive.rows("""
        select decision_date, severity, penalty_types, violation_type, publication_rule,
               is_publishable_kind, publication_min_end_date, publication_max_end_date
        from core.fct_credit_record where polarity = 'negative' and decision_date is not null""")
    assert len(rows) > 100
    eras = set()
    for d, severity, types, violation, rule, published, lo, hi in rows:
        w = publication.publication_window(d, to_zh[severity], types, violation)
        assert (rule, published, lo, hi) == (w.rule_code, w.published, w.min_end_date, w.max_end_date), (d, severity, types)
        eras.add(rule)
    assert len(eras) == 3


@pytest.mark.parametrize("decision, severity, types, expected_end", [
    (date(2022, 6, 15), "一般", "罚款", date(2023, 6, 15)),        # notice 527: 1 year
    (date(2024, 1, 31), "一般", "罚款", date(2027, 1, 31)),        # order 58: 3 years
    (date(2026, 5, 31), "严重", "罚款", date(2029, 5, 31)),        # order 36: serious 3 years
    (date(2026, 5, 31), None, "罚款", date(2027, 5, 31)),          # missing severity = 一般
    (date(2026, 5, 31), "一般", "警告", None),                     # warning only: not published
])
def test_the_reference_gives_the_windows_of_reference_section_5(decision, severity, types, expected_end):
    window = publication.publication_window(decision, severity, types)
    assert window.max_end_date == expected_end
