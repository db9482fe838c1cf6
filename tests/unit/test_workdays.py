"""Working days: the official calendar, the override file, and the logged fallback."""

from __future__ import annotations

import logging
import textwrap
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from credit import workdays
from credit.workdays import WorkdayCalendar

LOGGER = "credit.workdays"

# A made-up 2027 notice: the tests need a year the package does not know, not real dates.
FICTIONAL_2027 = """
years:
  2027:
    notice: fictional test notice
    holidays: [2027-01-01, 2027-01-04, 2027-01-05]
    workdays: [2027-01-09]
"""


def write(tmp_path: Path, text: str, name: str = "overrides.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def no_overrides(tmp_path: Path) -> WorkdayCalendar:
    """A calendar with an empty override file, so 2027 can only be the fallback."""
    return WorkdayCalendar(write(tmp_path, "years: {}\n"))


@pytest.fixture
def override_2027(tmp_path: Path) -> WorkdayCalendar:
    return WorkdayCalendar(write(tmp_path, FICTIONAL_2027))


@pytest.mark.parametrize(
    ("decision", "n", "deadline"),
    [
        # REFERENCE §4 checked values.
        (date(2019, 9, 27), 7, date(2019, 10, 12)),  # ends on a make-up Saturday
        (date(2026, 2, 13), 7, date(2026, 3, 2)),  # across the 2026 Spring Festival
        # Eve of National Day 2019: the next working day is after the whole break.
        (date(2019, 9, 30), 1, date(2019, 10, 8)),
        # A Saturday decision: Monday is day 1 (find_workday would say 2024-06-13).
        (date(2024, 6, 1), 7, date(2024, 6, 12)),
        # A make-up Saturday decision is still not counted itself.
        (date(2019, 10, 12), 1, date(2019, 10, 14)),
    ],
)
def test_publication_deadline_is_nth_working_day_after_decision(decision, n, deadline):
    assert workdays.publication_deadline(decision, n) == deadline
    answer = workdays.publication_deadline_with_source(decision, n)
    assert (answer.date, answer.source) == (deadline, "chinesecalendar")


def test_deadline_default_is_seven_working_days():
    assert workdays.publication_deadline(date(2019, 9, 27)) == date(2019, 10, 12)


def test_deadline_matches_find_workday_for_every_working_decision_day():
    # find_workday agrees with "the decision day not counted" whenever the decision day is a
    # working day; check every such day the package covers.
    calendar = workdays.get_calendar()
    day = date(2004, 1, 1)
    while day < date(2026, 12, 1):
        if chinese_calendar.is_workday(day):
            assert calendar.deadline(day).date == chinese_calendar.find_workday(7, day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 10, 12), True),  # make-up Saturday
        (date(2019, 10, 1), False),  # National Day, a Tuesday
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2026, 2, 28), True),  # make-up Saturday
        (date(2026, 3, 7), False),  # ordinary Saturday
        (date(2026, 3, 9), True),  # ordinary Monday
    ],
)
def test_package_years_answer_from_chinesecalendar(day, expected):
    answer = workdays.is_workday(day)
    assert (answer.is_workday, answer.source, answer.is_fallback) == (
        expected,
        "chinesecalendar",
        False,
    )
    assert bool(answer) is expected  # `if is_workday(d):` reads the answer, not the object
    assert workdays.is_working_day(day) is expected


def test_unknown_year_falls_back_to_monday_to_friday_and_says_so(no_overrides):
    friday, saturday = date(2027, 1, 1), date(2027, 1, 2)
    assert no_overrides.is_workday(friday) == workdays.WorkdayAnswer(friday, True, "fallback")
    assert no_overrides.is_workday(saturday) == workdays.WorkdayAnswer(saturday, False, "fallback")
    assert workdays.is_fallback_day(friday, no_overrides)


def test_fallback_is_logged_once_per_year_with_year_and_override_path(no_overrides, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        deadline = no_overrides.deadline(date(2026, 12, 30))
        no_overrides.deadline(date(2027, 3, 1))
        no_overrides.working_days_between(date(2027, 1, 1), date(2027, 12, 31))
    assert deadline.is_fallback
    # Thu 31 Dec (1), then Fri 1 Jan (2) … Fri 8 Jan (7): New Year's Day counted, as Monday-Friday.
    assert deadline.date == date(2027, 1, 8)
    warnings = [r for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "2027" in message and str(no_overrides.overrides_path) in message

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        no_overrides.is_workday(date(2028, 5, 1))
        no_overrides.is_workday(date(2028, 5, 2))
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "No official working-day calendar for 2028"
    ]


def test_package_years_log_nothing(caplog):
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        workdays.publication_deadline(date(2026, 2, 13))
    assert caplog.records == []


def test_override_file_answers_its_year(override_2027, caplog):
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        deadline = override_2027.deadline(date(2026, 12, 30))
    # Thu 31 Dec (1); Fri 1, Mon 4, Tue 5 Jan are holidays; Wed 6 (2), Thu 7 (3), Fri 8 (4),
    # make-up Sat 9 (5), Mon 11 (6), Tue 12 (7).
    assert deadline == workdays.Deadline(date(2027, 1, 12), "override")
    assert override_2027.is_workday(date(2027, 1, 9)) == workdays.WorkdayAnswer(
        date(2027, 1, 9), True, "override"
    )
    assert caplog.records == []


def test_override_wins_over_the_package_for_its_years(tmp_path):
    calendar = WorkdayCalendar(
        write(tmp_path, "years:\n  2026:\n    notice: test\n    holidays: [2026-03-02]\n")
    )
    assert calendar.is_workday(date(2026, 3, 2)) == workdays.WorkdayAnswer(
        date(2026, 3, 2), False, "override"
    )
    # The override replaces the whole year: the package's Spring Festival is not consulted.
    assert calendar.is_workday(date(2026, 2, 16)).source == "override"
    assert calendar.deadline(date(2026, 2, 13)).date != date(2026, 3, 2)


def test_env_var_selects_the_override_file(tmp_path, monkeypatch):
    monkeypatch.setenv(workdays.OVERRIDES_ENV, str(write(tmp_path, FICTIONAL_2027)))
    assert workdays.publication_deadline_with_source(date(2026, 12, 30)) == workdays.Deadline(
        date(2027, 1, 12), "override"
    )
    monkeypatch.setenv(workdays.OVERRIDES_ENV, str(write(tmp_path, "years: {}\n", "empty.yaml")))
    assert workdays.publication_deadline_with_source(date(2026, 12, 30)) == workdays.Deadline(
        date(2027, 1, 8), "fallback"
    )


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ("holidays: [2027-01-01]", "notice"),
        ("notice: x\n    workdays: [2027-01-04]", "weekend"),
        ("notice: x\n    holidays: [2026-12-31]", "outside the year"),
        ("notice: x\n    holidays: [2027-01-09]\n    workdays: [2027-01-09]", "both"),
        ("notice: x\n    holidays: [2027-13-01]", "cannot read"),
        ("notice: x\n    holidays: ['1 Jan 2027']", "ISO date"),
        ("notice: x\n    holiday: [2027-01-01]", "unknown keys"),
    ],
)
def test_malformed_override_file_is_an_error_not_a_skip(tmp_path, entry, error):
    path = write(tmp_path, f"years:\n  2027:\n    {entry}\n")
    with pytest.raises(ValueError, match=error):
        WorkdayCalendar(path)


def test_missing_override_file_means_no_overrides(tmp_path):
    assert WorkdayCalendar(tmp_path / "absent.yaml").overrides == {}


def test_shipped_override_file_loads_and_its_example_matches_the_package(tmp_path):
    shipped = workdays.DEFAULT_OVERRIDES_PATH
    WorkdayCalendar(shipped)  # raises if malformed
    # The commented 2026 example documents the format: uncomment it, load it, and check that it
    # reproduces the package's 2026 calendar day by day.
    lines = shipped.read_text(encoding="utf-8").splitlines()
    start = lines.index("#     2026:") - 1
    end = next(i for i in range(start, len(lines)) if "workdays:" in lines[i])
    example = "\n".join(line[1:] for line in lines[start : end + 1])
    from_example = WorkdayCalendar(write(tmp_path, example))
    assert list(from_example.overrides) == [2026]
    for day, is_workday, source in from_example.calendar_rows(2026, 2026):
        assert source == "override"
        assert is_workday == chinese_calendar.is_workday(day), day


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2019, 9, 27), date(2019, 10, 12), 7),
        (date(2019, 10, 12), date(2019, 9, 27), -7),
        (date(2026, 2, 13), date(2026, 2, 13), 0),
        (date(2026, 2, 13), date(2026, 2, 14), 1),  # make-up Saturday
        (date(2026, 2, 14), date(2026, 2, 24), 1),  # the whole Spring Festival break
        # 261 weekdays − 19 weekday holidays + 6 make-up days (1 Jan itself is not counted).
        (date(2026, 1, 1), date(2026, 12, 31), 248),
    ],
)
def test_working_days_between_counts_the_half_open_interval(start, end, count):
    assert workdays.working_days_between(start, end) == count


@pytest.mark.parametrize("n", [1, 2, 7, 20, 60])
def test_working_days_between_inverts_the_deadline(n):
    decision = date(2025, 9, 26)
    assert workdays.working_days_between(decision, workdays.publication_deadline(decision, n)) == n


def test_deadline_rejects_a_non_positive_n():
    with pytest.raises(ValueError):
        workdays.publication_deadline(date(2026, 1, 5), 0)


def test_calendar_rows_cover_every_day_with_its_source(no_overrides):
    rows = list(workdays.calendar_rows(2026, 2027, no_overrides))
    assert len(rows) == 365 + 365
    assert rows[0][0] == date(2026, 1, 1) and rows[-1][0] == date(2027, 12, 31)
    assert [d for d, _, _ in rows] == sorted({d for d, _, _ in rows})
    assert {s for d, _, s in rows if d.year == 2026} == {"chinesecalendar"}
    assert {s for d, _, s in rows if d.year == 2027} == {"fallback"}
    assert sum(w for d, w, _ in rows if d.year == 2026) == len(
        chinese_calendar.get_workdays(date(2026, 1, 1), date(2026, 12, 31))
    )
    assert (date(2026, 2, 28), True, "chinesecalendar") in rows


def test_calendar_cli_prints_csv(capsys, tmp_path):
    assert workdays.main(["2026", "2026", "--overrides", str(tmp_path / "none.yaml")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "calendar_date,is_workday,source"
    assert lines[1] == "2026-01-01,false,chinesecalendar"
    assert len(lines) == 1 + 365
