"""Publication windows by rule era and severity, the seed derived from them, and list terms."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml

from credit import publication
from credit.publication import Window, add_months, parse_rules, publication_window

NOTICE_527, ORDER_58, ORDER_36 = "ndrc_notice_527_2019", "ndrc_order_58_2023", "ndrc_order_36_2025"
FINE = ["罚款"]


def shipped_document() -> dict:
    return yaml.safe_load(publication.RULES_PATH.read_text(encoding="utf-8"))


# decision date, severity, penalty types, violation type → rule, min end, max end
# (published exactly when there is a max end; no min end = may be withdrawn at any time)
WINDOW_CASES = [
    # First day of the first era.
    ("2019-07-01", "一般", FINE, None, NOTICE_527, "2019-10-01", "2020-07-01"),
    # 527 / Order 58 boundary: general goes from 3–12 to 3–36 months, serious from 6–36 to 3–36.
    ("2023-04-30", "一般", FINE, None, NOTICE_527, "2023-07-30", "2024-04-30"),
    ("2023-05-01", "一般", FINE, None, ORDER_58, "2023-08-01", "2026-05-01"),
    ("2023-04-30", "严重", FINE, None, NOTICE_527, "2023-10-30", "2026-04-30"),
    ("2023-05-01", "严重", FINE, None, ORDER_58, "2023-08-01", "2026-05-01"),
    ("2023-04-30", "轻微", FINE, None, NOTICE_527, None, None),
    # Order 58 / Order 36 boundary: general back to 3–12, serious up to 12–36, minor at most 3.
    ("2026-03-31", "一般", FINE, None, ORDER_58, "2026-06-30", "2029-03-31"),
    ("2026-04-01", "一般", FINE, None, ORDER_36, "2026-07-01", "2027-04-01"),
    ("2026-03-31", "严重", FINE, None, ORDER_58, "2026-06-30", "2029-03-31"),
    ("2026-04-01", "严重", FINE, None, ORDER_36, "2027-04-01", "2029-04-01"),
    ("2026-03-31", "轻微", FINE, None, ORDER_58, None, None),
    ("2026-04-01", "轻微", FINE, None, ORDER_36, None, "2026-07-01"),
    ("2031-06-15", "轻微", FINE, None, ORDER_36, None, "2031-09-15"),
    # Before the first era: the earliest rule.
    ("2018-06-30", "一般", FINE, None, NOTICE_527, "2018-09-30", "2019-06-30"),
    ("2015-01-01", "严重", FINE, None, NOTICE_527, "2015-07-01", "2018-01-01"),
    # Order 58's one-year minimum for safety, special equipment and fire — only in that era.
    ("2024-01-15", "一般", FINE, "违反《特种设备安全法》", ORDER_58, "2025-01-15", "2027-01-15"),
    ("2024-01-15", "严重", FINE, "消防", ORDER_58, "2025-01-15", "2027-01-15"),
    ("2024-01-15", "一般", FINE, "安全生产违法行为", ORDER_58, "2025-01-15", "2027-01-15"),
    ("2024-01-15", "一般", FINE, "价格违法行为", ORDER_58, "2024-04-15", "2027-01-15"),
    ("2022-01-15", "一般", FINE, "消防", NOTICE_527, "2022-04-15", "2023-01-15"),
    ("2026-05-06", "一般", FINE, "消防", ORDER_36, "2026-08-06", "2027-05-06"),
    ("2024-01-15", "轻微", FINE, "消防", ORDER_58, None, None),
    # Warning only: never published; with another type, that type's window applies.
    ("2024-01-15", "严重", ["警告"], None, ORDER_58, None, None),
    ("2021-01-15", "严重", "警告", None, NOTICE_527, None, None),
    ("2026-06-01", "严重", ["警告"], None, ORDER_36, None, None),
    ("2024-01-15", "一般", ["警告", "罚款"], None, ORDER_58, "2024-04-15", "2027-01-15"),
    ("2021-01-15", "严重", "警告、罚款", None, NOTICE_527, "2021-07-15", "2024-01-15"),
    # Month ends clamp like PostgreSQL's `date + interval 'n months'`.
    ("2023-11-30", "一般", FINE, None, ORDER_58, "2024-02-29", "2026-11-30"),
    ("2022-08-31", "严重", FINE, None, NOTICE_527, "2023-02-28", "2025-08-31"),
]


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


@pytest.mark.parametrize(
    ("decision", "severity", "types", "violation", "rule", "min_end", "max_end"), WINDOW_CASES
)
def test_publication_window(decision, severity, types, violation, rule, min_end, max_end):
    window = publication_window(date.fromisoformat(decision), severity, types, violation)
    assert (window.rule_code, window.min_end_date, window.max_end_date) == (
        rule,
        _day(min_end),
        _day(max_end),
    )
    assert window.published is (max_end is not None)


def test_special_field_reason_names_the_keyword():
    window = publication_window(date(2024, 1, 15), "一般", FINE, "特种设备")
    assert "特种设备" in window.reason and "12" in window.reason


def test_warning_only_reason_says_why():
    window = publication_window(date(2024, 1, 15), "一般", ["警告"])
    assert window == Window(ORDER_58, None, None, False, window.reason)
    assert "警告" in window.reason and "not published" in window.reason


def test_minor_in_newest_era_carries_the_in_principle_note():
    assert "not published in principle" in publication_window(date(2026, 4, 1), "轻微", FINE).reason


def test_before_first_era_is_flagged_in_the_reason():
    assert "earliest rule" in publication_window(date(2018, 6, 30), "一般", FINE).reason
    assert "earliest rule" not in publication_window(date(2019, 7, 1), "一般", FINE).reason


def test_missing_severity_is_judged_general_and_says_so():
    window = publication_window(date(2026, 4, 1), None, FINE)
    assert (window.min_end_date, window.max_end_date) == (date(2026, 7, 1), date(2027, 4, 1))
    assert "severity missing" in window.reason


def test_severity_aliases_and_unknown_severity():
    assert publication_window(date(2026, 4, 1), "serious", FINE).max_end_date == date(2029, 4, 1)
    with pytest.raises(ValueError, match="unknown severity"):
        publication_window(date(2026, 4, 1), "catastrophic", FINE)


@pytest.fixture
def rules_with_floor():
    """The shipped rules plus a severity floor: a revoked licence is at least serious."""
    document = shipped_document()
    document["penalty_types"]["severity_floor"] = {"吊销许可证件": "严重", "罚款": "一般"}
    return parse_rules(document, "test")


@pytest.mark.parametrize(
    ("decision", "severity", "types", "expected"),
    [
        # The longest window over the penalty types applies.
        (date(2026, 6, 1), "一般", ["罚款", "吊销许可证件"], (date(2027, 6, 1), date(2029, 6, 1))),
        (date(2026, 6, 1), "一般", ["吊销许可证件", "罚款"], (date(2027, 6, 1), date(2029, 6, 1))),
        (date(2026, 6, 1), "一般", ["罚款"], (date(2026, 9, 1), date(2027, 6, 1))),
        # A floor only raises: a serious fine stays serious.
        (date(2026, 6, 1), "严重", ["罚款"], (date(2027, 6, 1), date(2029, 6, 1))),
        # A minor decision with a revoked licence is published as serious.
        (date(2026, 6, 1), "轻微", ["警告", "吊销许可证件"], (date(2027, 6, 1), date(2029, 6, 1))),
        (date(2022, 6, 1), "一般", ["罚款", "吊销许可证件"], (date(2022, 12, 1), date(2025, 6, 1))),
    ],
)
def test_longest_window_applies_across_penalty_types(
    rules_with_floor, decision, severity, types, expected
):
    window = publication_window(decision, severity, types, rules=rules_with_floor)
    assert window.published
    assert (window.min_end_date, window.max_end_date) == expected


def test_longest_window_reason_lists_the_types(rules_with_floor):
    reason = publication_window(
        date(2026, 6, 1), "一般", "罚款、吊销许可证件", rules=rules_with_floor
    ).reason
    assert "longest" in reason and "吊销许可证件" in reason


def test_without_a_floor_the_decision_severity_is_used():
    window = publication_window(date(2026, 6, 1), "一般", ["罚款", "吊销许可证件"])
    assert (window.min_end_date, window.max_end_date) == (date(2026, 9, 1), date(2027, 6, 1))


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 5, 1), 36, date(2026, 5, 1)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), 0, date(2024, 3, 31)),
    ],
)
def test_add_months_clamps_to_month_end(day, months, expected):
    assert add_months(day, months) == expected


# --- the seed is derived from the YAML -------------------------------------------------------


def test_checked_in_seed_equals_the_generated_rows():
    assert publication.SEED_PATH.read_text(encoding="utf-8") == publication.seed_csv(), (
        "dbt_project/seeds/publication_window_rules.csv is stale: "
        "run `python -m credit.publication --write-seed`"
    )


def test_rules_as_rows_has_one_row_per_era_and_severity():
    rows = publication.rules_as_rows()
    assert [tuple(r) for r in rows] == [publication.SEED_COLUMNS] * len(rows)
    assert [(r["rule_code"], r["severity"]) for r in rows] == [
        (code, severity)
        for code in (NOTICE_527, ORDER_58, ORDER_36)
        for severity in ("轻微", "一般", "严重")
    ]
    by_key = {(r["rule_code"], r["severity"]): r for r in rows}
    assert (by_key[ORDER_36, "轻微"]["min_months"], by_key[ORDER_36, "轻微"]["max_months"]) == (None, 3)
    assert by_key[ORDER_58, "一般"]["special_keywords"] == "安全生产|特种设备|消防"
    assert by_key[ORDER_58, "一般"]["special_min_months"] == 12
    assert by_key[ORDER_36, "严重"]["valid_to"] is None


def test_rows_reproduce_the_python_windows():
    # What SQL computes from the seed must agree with publication_window for every row.
    for row in publication.rules_as_rows():
        for decision in (row["valid_from"], row["valid_to"] or date(2030, 1, 31)):
            window = publication_window(decision, row["severity"], FINE)
            assert window.rule_code == row["rule_code"]
            assert window.published == (row["max_months"] is not None)
            if window.published:
                expected_min = (
                    None if row["min_months"] is None else add_months(decision, row["min_months"])
                )
                assert window.min_end_date == expected_min
                assert window.max_end_date == add_months(decision, row["max_months"])


def test_write_seed_and_check_cli(tmp_path, monkeypatch, capsys):
    target = tmp_path / "seed.csv"
    monkeypatch.setattr(publication, "SEED_PATH", target)
    assert publication.main(["--check"]) == 1
    assert publication.main(["--write-seed"]) == 0
    assert target.read_text(encoding="utf-8") == publication.seed_csv()
    assert publication.main(["--check"]) == 0


# --- the rules file is checked on load --------------------------------------------------------


def _broken(change) -> dict:
    document = copy.deepcopy(shipped_document())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d["rules"][1].update(valid_from=date(2023, 5, 2)), "without gap"),
        (lambda d: d["rules"][0].update(valid_to=date(2023, 5, 1)), "without gap"),
        (lambda d: d["rules"][0]["windows"]["一般"].update(min_months=13), "exceeds"),
        (lambda d: d["rules"][0]["windows"].pop("严重"), "no window"),
        (lambda d: d["rules"][0]["windows"]["轻微"].update(min_months=3), "not published"),
        (lambda d: d["rules"][0]["windows"]["一般"].update(max_months="1 year"), "whole number"),
        (lambda d: d.update(missing_severity="medium"), "missing_severity"),
    ],
)
def test_inconsistent_rules_are_rejected(change, error):
    with pytest.raises(ValueError, match=error):
        parse_rules(_broken(change))


# --- list terms -------------------------------------------------------------------------------


def test_list_terms_load_with_the_reference_values():
    terms = publication.list_terms()
    serious = terms["serious_dishonesty_list"]["kinds"]
    market = serious["market_regulation"]
    assert (market["term_years"], market["early_exit_after_years"]) == (3, 1)
    assert serious["court_judgement_defaulter"]["term_years"] == 2
    assert serious["court_judgement_defaulter"]["extendable"] is True
    assert serious["major_tax_violation"]["term_years"] == 3
    assert serious["wage_arrears"]["term_years"] == 3
    assert terms["abnormal_operation_directory"]["escalate_to_serious_after_years"] == 3
    assert {"key_attention_list", "red_list"} <= set(terms)


def test_list_terms_reject_an_early_exit_outside_the_term(tmp_path: Path):
    path = tmp_path / "terms.yaml"
    path.write_text(
        "key_attention_list: {term_years: 1, early_exit_after_years: 2}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="early exit"):
        publication.list_terms(path)
