"""The GX suites are the catalogue's rules, one expectation per rule, and nothing else."""

from __future__ import annotations

from collections import Counter

import pytest

from credit.gx import suites as gx_suites
from ingest_connectors.catalogue import catalogue
from ingest_connectors.catalogue.rules import rules_for

FEEDS = list(catalogue().feeds())


@pytest.fixture(scope="module")
def all_suites():
    return gx_suites.build_suites()


def test_one_suite_per_feed(all_suites):
    assert set(all_suites) == {f.key for f in FEEDS}
    for key, suite in all_suites.items():
        assert suite.name == key
        assert suite.meta["relation"] == f"staging.stg_{key}"


@pytest.mark.parametrize("feed", FEEDS, ids=lambda f: f.key)
def test_every_rule_has_exactly_one_expectation(feed, all_suites):
    rules = rules_for(feed)
    suite = all_suites[feed.key]
    metas = [gx_suites.rule_meta(e) for e in suite.expectations]
    # 100% coverage, nothing extra, no rule twice
    assert Counter(m["rule_id"] for m in metas) == Counter(r.rule_id for r in rules)
    assert len(suite.expectations) == len(rules)
    by_id = {m["rule_id"]: m for m in metas}
    for rule in rules:
        meta = by_id[rule.rule_id]
        assert meta == {
            "rule_id": rule.rule_id,
            "qualified_id": rule.qualified_id,
            "severity": rule.severity,
            "kind": rule.kind,
            "description": rule.description,
        }


def test_meta_keys_are_the_contract():
    assert gx_suites.META_KEYS == ("rule_id", "qualified_id", "severity", "kind", "description")


def _expectations(feed, all_suites):
    return {gx_suites.rule_meta(e)["rule_id"]: e for e in all_suites[feed.key].expectations}


def test_fallback_carries_the_predicate_verbatim(all_suites):
    """UnexpectedRowsExpectation runs the rule's own predicate (braces doubled for GX's format)."""
    seen = 0
    for feed in FEEDS:
        expectations = _expectations(feed, all_suites)
        for rule in rules_for(feed):
            exp = expectations[rule.rule_id]
            if type(exp).__name__ == "UnexpectedRowsExpectation":
                seen += 1
                query = exp.unexpected_rows_query
                assert query.format(batch="t") == (
                    f"select {gx_suites.UNEXPECTED_ROWS_SELECT} from t where not ({rule.predicate})"
                )
    assert seen > 0


def test_native_expectations_where_the_predicate_allows(all_suites):
    """The shapes the brief names map to native GX expectations."""
    types = Counter(
        (gx_suites.rule_meta(e)["kind"], type(e).__name__)
        for suite in all_suites.values() for e in suite.expectations
    )
    assert types[("max_length", "ExpectColumnValueLengthsToBeBetween")] > 0
    assert types[("min_value", "ExpectColumnValuesToBeBetween")] > 0
    assert types[("max_value", "ExpectColumnValuesToBeBetween")] > 0
    assert types[("pattern", "ExpectColumnValuesToMatchRegex")] > 0
    assert types[("unique_decision", "ExpectCompoundColumnsToBeUnique")] == len(FEEDS)
    assert types[("required", "ExpectColumnValuesToNotBeNull")] > 0
    # a date compared with current_date is never expressed with a Python date
    assert all(t == "UnexpectedRowsExpectation" for (k, t) in types if k == "not_in_future")


def test_bounds_are_native_only_on_integer_fields(all_suites):
    """GX compares bounds as float8: exact on bigint, not on numeric amounts (see suites.py)."""
    checked = set()
    for feed in FEEDS:
        expectations = _expectations(feed, all_suites)
        for rule in rules_for(feed):
            if rule.kind in ("min_value", "max_value"):
                field_type = feed.record_type.field(rule.column).type
                native = type(expectations[rule.rule_id]).__name__ == "ExpectColumnValuesToBeBetween"
                assert native == (field_type == "integer"), rule.qualified_id
                checked.add(field_type)
    assert "integer" in checked and "amount_wan_yuan" in checked


def test_unique_decision_ignores_rows_missing_a_key_part():
    feed = FEEDS[0]
    rule = next(r for r in rules_for(feed) if r.kind == "unique_decision")
    exp = gx_suites.expectation_for(rule)
    assert exp.column_list == list(rule.columns)
    assert exp.ignore_row_if == "any_value_is_missing"
    assert gx_suites.rule_meta(exp)["severity"] == "warning"


def test_bind_parameters_and_braces_are_escaped():
    # ':b' would be a bind parameter to sqlalchemy.text ('a:b' and '::text' are not)
    query = gx_suites.unexpected_rows_query("x ~ '^:b{2}$' and z <> 'a:b' and y::text[] && '{}'")
    assert query == (
        "select load_id, source_row_number from {batch} "
        r"where not (x ~ '^\:b{{2}}$' and z <> 'a:b' and y::text[] && '{{}}')"
    )


def test_tolerance_comes_from_config(tmp_path, monkeypatch):
    from credit.gx import runner

    assert runner.critical_failure_tolerance() == 0.2  # config/quality.yaml as shipped
    path = tmp_path / "quality.yaml"
    path.write_text("critical_failure_tolerance: 0.35\n", encoding="utf-8")
    monkeypatch.setenv(runner.QUALITY_CONFIG_ENV, str(path))
    assert runner.critical_failure_tolerance() == 0.35
    path.write_text("critical_failure_tolerance: lots\n", encoding="utf-8")
    with pytest.raises(ValueError):
        runner.critical_failure_tolerance()
    monkeypatch.setenv(runner.QUALITY_CONFIG_ENV, str(tmp_path / "missing.yaml"))
    assert runner.critical_failure_tolerance() == runner.DEFAULT_TOLERANCE
