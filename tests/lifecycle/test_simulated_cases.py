"""The lifecycle marts against the simulator's lifecycle ground truth (lifecycle_cases.jsonl), and the
list engine's SQL dates against their Python twin — on the scenario database after both runs."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from credit.lifecycle.config import load_config
from credit.lifecycle.lists import entry_dates
from ingest_connectors.simulator.lifecycle import read_cases

pytestmark = pytest.mark.e2e


def _complete(case: dict) -> bool:
    """Every planned state of the case was sent."""
    return all(state.get("row") for state in case["states"])


def _cases(lifecycle, kind: str) -> list[dict]:
    return [c for c in read_cases(lifecycle.truth) if c["kind"] == kind]


def test_repair_outcomes_match_the_ground_truth(lifecycle):
    got = {r[0]: r[1:] for r in lifecycle.rows(
        "select application_number, outcome, failed_conditions, repaired_date, record_key is not null "
        "from marts.mart_repair__application")}
    checked = Counter()
    for case in _cases(lifecycle, "repair"):
        outcome, failed, repaired, found = got[case["case_number"]]
        assert found, case["case_number"]  # the decision named is the record it is about
        if not _complete(case):
            assert outcome == "pending", case["case_number"]
            continue
        expected = case["expected"]
        reasons = {"window_not_passed": "window_passed", "penalty_not_performed": "penalty_performed",
                   "no_commitment": "commitment_submitted"}
        assert sorted(failed) == sorted(reasons[r] for r in expected["reasons"]), case["case_number"]
        if expected["outcome"] == "granted":
            assert (outcome, repaired) == ("granted", dt.date.fromisoformat(expected["repaired_date"]))
        else:
            assert outcome in ("rejected", "rejected_ineligible"), case["case_number"]
            # a department's approval that the platform's check refuses stays visible as such
            assert (outcome == "rejected_ineligible") == (case["scenario"] == "premature_approved")
        checked[case["scenario"]] += 1
    assert checked["granted"] >= 1 and sum(checked.values()) >= 5


def test_objection_outcomes_and_late_stages_match_the_ground_truth(lifecycle):
    got = {r[0]: r[1:] for r in lifecycle.rows(
        "select objection_number, outcome, record_key is not null, was_accept_late, was_verify_late, was_close_late "
        "from marts.mart_objection__case")}
    n = 0
    for case in _cases(lifecycle, "objection"):
        outcome, found, accept_late, verify_late, close_late = got[case["case_number"]]
        assert found
        if not _complete(case):
            assert outcome is None
            continue
        assert outcome == case["expected"]["outcome"], case["case_number"]
        late = set(case["expected"]["overdue"])
        assert bool(accept_late) == ("accept" in late)
        assert bool(verify_late) == ("verify" in late)
        assert bool(close_late) == ("close" in late)
        n += 1
    assert n >= 3


def test_commitments_rectification_and_voluntary_registrations_match_the_ground_truth(lifecycle):
    commitments = dict(lifecycle.rows("select commitment_number, outcome from marts.mart_lifecycle__commitment "
                                      "where source = 'credit_platform'"))
    for case in _cases(lifecycle, "commitment"):
        if _complete(case) and case["expected"]["outcome"] in ("broken", "fulfilled"):
            assert commitments[case["case_number"]] == case["expected"]["outcome"]
    orders = {r[0]: r[1:] for r in lifecycle.rows(
        "select document_number, outcome, escalation_date from marts.mart_lifecycle__rectification")}
    for case in _cases(lifecycle, "interview"):
        outcome, escalation = orders[case["case_number"]]
        expected = case["expected"]
        if expected["escalated_on"] and _complete(case):
            assert escalation == dt.date.fromisoformat(expected["escalated_on"]), case["case_number"]
        if expected["outcome"] == "completed" and _complete(case):
            assert (outcome, escalation) == ("completed", None)
        if expected["outcome"] == "interview_only":
            assert outcome == "interview_only"
    counted = dict(lifecycle.rows("select registration_number, counts_in_evaluation "
                                  "from marts.mart_lifecycle__voluntary_registration"))
    for case in _cases(lifecycle, "voluntary"):
        if _complete(case):
            assert counted[case["case_number"]] == case["expected"]["counted"], case["case_number"]


def test_list_entry_dates_in_sql_equal_the_python_twin(lifecycle):
    config = load_config()
    rows = lifecycle.rows("""
        select e.rule_code, e.trigger_record_date, e.notice_date, e.response_deadline, e.effective_date,
               e.planned_end_date, e.early_exit_from, c.record_end_date
        from marts.mart_list__entry as e
        left join marts.mart_list__candidate as c
          on c.record_key = e.trigger_record_key and c.is_current_version""")
    assert len(rows) > 50
    eras = Counter()
    for rule_code, trigger, notice, deadline, effective, planned_end, early, record_end in rows:
        dates = entry_dates(config.rule(rule_code), trigger, record_end)
        assert (notice, deadline, effective, planned_end, early) == (
            dates.notice_date, dates.response_deadline, dates.effective_date, dates.planned_end_date,
            dates.early_exit_from), rule_code
        eras["527" if trigger < dt.date(2023, 5, 1) else "58" if trigger < dt.date(2026, 4, 1) else "36"] += 1
    assert set(eras) == {"527", "58", "36"}, eras


def test_every_list_and_most_rules_have_entries(lifecycle):
    per_list = dict(lifecycle.rows("select list_type, count(*) from marts.mart_list__entry group by 1"))
    assert set(per_list) == {"serious_dishonesty", "key_attention", "red"}
    rules = {r[0] for r in lifecycle.rows("select distinct rule_code from marts.mart_list__entry")}
    assert len(rules) >= 10, rules
