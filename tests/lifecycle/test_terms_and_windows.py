"""List terms and publication windows by decision date, across the three rule eras (REFERENCE §5–§6).

Table-driven, in Python (credit.publication, credit.lifecycle.lists); the SQL of the list engine is
compared with the same function on every entry of a real build in test_simulated_cases.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from credit.lifecycle.config import load_config
from credit.lifecycle.lists import entry_dates, nth_workday_after
from credit.publication import add_months, list_terms, publication_window

# REFERENCE §5: (decision date, severity, penalty types) → (rule, min months, max months); None =
# not published. One row per era and severity, and the era boundaries.
WINDOWS = [
    # NDRC notice 527 (2019-07-01 … 2023-04-30)
    (date(2019, 7, 1), "一般", "罚款", "ndrc_notice_527_2019", 3, 12),
    (date(2021, 3, 15), "严重", "罚款、吊销许可证件", "ndrc_notice_527_2019", 6, 36),
    (date(2022, 8, 1), "轻微", "罚款", "ndrc_notice_527_2019", None, None),
    (date(2023, 4, 30), "严重", "罚款", "ndrc_notice_527_2019", 6, 36),
    # NDRC Order 58 (2023-05-01 … 2026-03-31): one window, 3–36
    (date(2023, 5, 1), "严重", "罚款", "ndrc_order_58_2023", 3, 36),
    (date(2024, 6, 14), "一般", "罚款", "ndrc_order_58_2023", 3, 36),
    (date(2026, 3, 31), "轻微", "罚款", "ndrc_order_58_2023", None, None),
    # NDRC Order 36 (from 2026-04-01)
    (date(2026, 4, 1), "一般", "罚款", "ndrc_order_36_2025", 3, 12),
    (date(2026, 6, 15), "严重", "吊销许可证件", "ndrc_order_36_2025", 12, 36),
    (date(2026, 9, 1), "轻微", "罚款", "ndrc_order_36_2025", None, 3),
]


@pytest.mark.parametrize(("decided", "severity", "types", "rule", "lo", "hi"), WINDOWS)
def test_publication_window_by_era(decided, severity, types, rule, lo, hi):
    window = publication_window(decided, severity, types)
    assert window.rule_code == rule
    if hi is None:
        assert not window.published
        return
    assert window.published
    assert window.max_end_date == add_months(decided, hi)
    assert window.min_end_date == (add_months(decided, lo) if lo is not None else None)


@pytest.mark.parametrize("decided", [date(2020, 5, 6), date(2024, 2, 1), date(2026, 7, 1)])
def test_a_warning_alone_is_never_published(decided):
    assert not publication_window(decided, "一般", "警告").published


def test_order_58_safety_penalties_have_a_one_year_minimum():
    window = publication_window(date(2024, 3, 1), "一般", "罚款", violation_type="安全生产违法行为")
    assert window.min_end_date == date(2025, 3, 1)


# REFERENCE §6 typical terms (config/list_terms.yaml) as the list rules apply them:
# rule → (list, months of term, months to early exit, prior notice)
TERMS = {
    "SD_SERIOUS_PENALTY": ("serious_dishonesty", 36, 12, True),
    "SD_ABNORMAL_UNRESOLVED": ("serious_dishonesty", 36, 12, True),
    "SD_MAJOR_TAX_VIOLATION": ("serious_dishonesty", 36, None, False),
    "SD_WAGE_ARREARS": ("serious_dishonesty", 36, None, False),
    "SD_TOURISM": ("serious_dishonesty", 36, 12, False),
    "KA_SERIOUS_PENALTY": ("key_attention", 12, None, True),
    "KA_BROKEN_COMMITMENT": ("key_attention", 12, None, True),
    "KA_OVERDUE_RECTIFICATION": ("key_attention", 12, None, True),
    "RED_TAX_A": ("red", 12, None, False),
    "RED_SOCIAL_ORG_5A": ("red", 36, None, False),
}


@pytest.mark.parametrize(("code", "expected"), sorted(TERMS.items()))
def test_list_rules_take_their_terms_from_list_terms(code, expected):
    rule = load_config().rule(code)
    assert (rule.list_type, rule.term_months, rule.early_exit_after_months, rule.requires_notice) == expected


def test_the_list_terms_file_says_what_reference_section_6_says():
    terms = list_terms()
    serious = terms["serious_dishonesty_list"]["kinds"]
    assert serious["market_regulation"]["term_years"] == 3 and serious["market_regulation"]["early_exit_after_years"] == 1
    assert serious["court_judgement_defaulter"]["term_years"] == 2 and serious["court_judgement_defaulter"]["extendable"]
    assert serious["major_tax_violation"]["term_years"] == 3
    assert serious["wage_arrears"]["term_years"] == 3
    assert terms["abnormal_operation_directory"]["escalate_to_serious_after_years"] == 3


# A serious penalty with its licence revoked (rule SD_SERIOUS_PENALTY) decided in each era: prior
# notice on the next working day, 5 working days to respond, effective the working day after —
# 7 working days in all, the same count as the double-publicity deadline, so the checked values of
# REFERENCE §4 apply: 2019-09-27 → 2019-10-12 (a make-up Saturday), 2026-02-13 → 2026-03-02.
LISTINGS = [
    # decided, notice, response deadline, effective, publication rule, repair window opens
    (date(2019, 9, 27), date(2019, 9, 29), date(2019, 10, 11), date(2019, 10, 12), "ndrc_notice_527_2019",
     date(2020, 3, 27)),
    (date(2022, 12, 29), date(2022, 12, 30), date(2023, 1, 9), date(2023, 1, 10), "ndrc_notice_527_2019",
     date(2023, 6, 29)),
    (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 28), date(2026, 3, 2), "ndrc_order_58_2023",
     date(2026, 5, 13)),
    (date(2026, 5, 11), date(2026, 5, 12), date(2026, 5, 19), date(2026, 5, 20), "ndrc_order_36_2025",
     date(2027, 5, 11)),
]


@pytest.mark.parametrize(("decided", "notice", "deadline", "effective", "rule_code", "repair_from"), LISTINGS)
def test_serious_listing_dates_across_the_eras(decided, notice, deadline, effective, rule_code, repair_from):
    rule = load_config().rule("SD_SERIOUS_PENALTY")
    dates = entry_dates(rule, decided)
    assert (dates.notice_date, dates.response_deadline, dates.effective_date) == (notice, deadline, effective)
    assert dates.effective_date == nth_workday_after(decided, 7)
    assert dates.planned_end_date == add_months(effective, 36) - timedelta(days=1)
    assert dates.early_exit_from == add_months(effective, 12)
    window = publication_window(decided, "严重", "罚款、吊销许可证件")
    assert window.rule_code == rule_code
    assert window.min_end_date == repair_from
    # the statuses around the dates
    assert dates.status_on(decided) == "pending"
    assert dates.status_on(notice) == "notice"
    assert dates.status_on(deadline) == "notice"
    assert dates.status_on(effective) == "active"
    assert dates.status_on(dates.planned_end_date) == "active"
    assert dates.status_on(add_months(effective, 36)) == "expired"


def test_department_lists_take_effect_on_the_decision_date_and_record_terms_end_with_the_record():
    config = load_config()
    tax = entry_dates(config.rule("SD_MAJOR_TAX_VIOLATION"), date(2024, 2, 8))
    assert tax.notice_date is None and tax.effective_date == date(2024, 2, 8)
    assert tax.planned_end_date == date(2027, 2, 7) and tax.early_exit_from is None
    ban = entry_dates(config.rule("SD_BIDDING_BAN"), date(2025, 1, 6), record_end_date=date(2027, 1, 5))
    assert ban.effective_date == date(2025, 1, 6) and ban.planned_end_date == date(2027, 1, 5)
    forever = entry_dates(config.rule("SD_PRACTICE_BAN"), date(2025, 1, 6), record_end_date=None)
    assert forever.planned_end_date is None and forever.status_on(date(2090, 1, 1)) == "active"


def test_an_abnormal_operation_listing_escalates_three_years_later_with_notice():
    dates = entry_dates(load_config().rule("SD_ABNORMAL_UNRESOLVED"), date(2022, 3, 7))
    assert dates.trigger_date == date(2025, 3, 7)
    assert dates.effective_date == nth_workday_after(date(2025, 3, 7), 7)
