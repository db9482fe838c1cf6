"""Chinese working days: publication deadlines and the warehouse's calendar table.

A working day is Monday–Friday that is not a statutory holiday, plus the make-up weekend days
(调休) of the State Council's yearly notice. Three sources answer, in this order:

1. ``config/holiday_overrides.yaml`` (or the file named by ``CREDIT_HOLIDAY_OVERRIDES``) for the
   years it lists — the place to put a new year's notice before ``chinesecalendar`` ships it;
2. ``chinesecalendar`` (official calendars for 2004–2026 in 1.11.0; raises for other years);
3. a fallback that treats Monday–Friday as working days. It is never silent: every answer carries
   ``source='fallback'`` and the first fallback for a year is logged at WARNING with the year and
   the override file to fill in. Deadlines keep being computed past the package's last year
   rather than stopping the pipeline, and anyone reading them can tell they are provisional.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import chinese_calendar
import yaml

from credit import settings

# Named explicitly so `python -m credit.workdays` logs under the same name as an import does.
log = logging.getLogger("credit.workdays")

OVERRIDES_ENV = "CREDIT_HOLIDAY_OVERRIDES"
DEFAULT_OVERRIDES_PATH = settings.CONFIG_DIR / "holiday_overrides.yaml"

Source = Literal["chinesecalendar", "override", "fallback"]
# Weakest first: a result built from several days is only as good as its weakest day.
_SOURCE_STRENGTH: dict[str, int] = {"fallback": 0, "override": 1, "chinesecalendar": 2}


@dataclass(frozen=True)
class WorkdayAnswer:
    """Whether ``day`` is a working day, and who said so.

    Truthiness is the answer itself, so ``if is_workday(d):`` does what it reads as.
    """

    day: date
    is_workday: bool
    source: Source

    @property
    def is_fallback(self) -> bool:
        return self.source == "fallback"

    def __bool__(self) -> bool:
        return self.is_workday


@dataclass(frozen=True)
class Deadline:
    """A computed date and the weakest source among the days counted to reach it."""

    date: date
    source: Source

    @property
    def is_fallback(self) -> bool:
        return self.source == "fallback"


@dataclass(frozen=True)
class YearOverride:
    year: int
    notice: str
    holidays: frozenset[date]
    workdays: frozenset[date]

    def is_workday(self, day: date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def load_overrides(path: Path) -> dict[int, YearOverride]:
    """Parse and check an override file; a missing file means no overrides.

    A malformed file raises: silently skipping a year would turn an official calendar into the
    fallback without anyone noticing.
    """
    if not path.exists():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2027-13-01
        raise ValueError(f"{path}: cannot read the override file: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected a mapping with a 'years' key")
    years = document.get("years") or {}
    if not isinstance(years, dict):
        raise ValueError(f"{path}: 'years' must map a year to its notice")
    overrides: dict[int, YearOverride] = {}
    for raw_year, entry in years.items():
        try:
            year = int(raw_year)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {raw_year!r} is not a year") from exc
        where = f"{path}: year {year}"
        if not isinstance(entry, dict) or not entry.get("notice"):
            raise ValueError(f"{where}: each year needs 'notice' (the notice the dates come from)")
        unknown = set(entry) - {"notice", "url", "holidays", "workdays"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        holidays = frozenset(_as_date(v, where) for v in entry.get("holidays") or [])
        workdays = frozenset(_as_date(v, where) for v in entry.get("workdays") or [])
        stray = sorted(d.isoformat() for d in holidays | workdays if d.year != year)
        if stray:
            raise ValueError(f"{where}: dates outside the year: {stray}")
        weekdays = sorted(d.isoformat() for d in workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(f"{where}: make-up workdays must be weekend days, got {weekdays}")
        both = sorted(d.isoformat() for d in holidays & workdays)
        if both:
            raise ValueError(f"{where}: dates listed as both holiday and workday: {both}")
        overrides[year] = YearOverride(year, str(entry["notice"]), holidays, workdays)
    return overrides


class WorkdayCalendar:
    """Answers working-day questions from an override file, the package, then the fallback."""

    def __init__(self, overrides_path: Path | str | None = None) -> None:
        self.overrides_path = Path(overrides_path or DEFAULT_OVERRIDES_PATH).resolve()
        self.overrides = load_overrides(self.overrides_path)
        self._warned_years: set[int] = set()

    def is_workday(self, day: date) -> WorkdayAnswer:
        override = self.overrides.get(day.year)
        if override is not None:
            return WorkdayAnswer(day, override.is_workday(day), "override")
        try:
            return WorkdayAnswer(day, chinese_calendar.is_workday(day), "chinesecalendar")
        except NotImplementedError:
            self._warn_fallback(day.year)
            return WorkdayAnswer(day, day.weekday() < 5, "fallback")

    def _warn_fallback(self, year: int) -> None:
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        log.warning(
            "No official working-day calendar for %d: chinesecalendar %s does not cover it and "
            "the override file %s has no entry for it. Treating Monday-Friday as working days "
            "(answers marked source='fallback'); add the State Council holiday notice for %d to "
            "that file.",
            year,
            getattr(chinese_calendar, "__version__", "(installed)"),
            self.overrides_path,
            year,
        )

    def deadline(self, decision_date: date, n: int = 7) -> Deadline:
        """The n-th working day after ``decision_date``, the decision day itself not counted.

        Unlike ``chinese_calendar.find_workday``, a decision taken on a rest day is not first
        moved to the next working day: day 1 is the first working day after the decision date.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        day, counted, weakest = decision_date, 0, "chinesecalendar"
        while counted < n:
            day += timedelta(days=1)
            answer = self.is_workday(day)
            weakest = min(weakest, answer.source, key=_SOURCE_STRENGTH.__getitem__)
            counted += answer.is_workday
        return Deadline(day, weakest)  # type: ignore[arg-type]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: the count that reaches ``end`` from ``start``.

        ``working_days_between(d, publication_deadline(d, n)) == n``; negative when end < start.
        """
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            self.is_workday(start + timedelta(days=i)).is_workday
            for i in range(1, (end - start).days + 1)
        )

    def calendar_rows(self, start_year: int, end_year: int) -> Iterator[tuple[date, bool, str]]:
        """(date, is_workday, source) for every day of start_year … end_year inclusive."""
        day, last = date(start_year, 1, 1), date(end_year, 12, 31)
        while day <= last:
            answer = self.is_workday(day)
            yield day, answer.is_workday, answer.source
            day += timedelta(days=1)


_calendars: dict[Path, WorkdayCalendar] = {}


def default_overrides_path() -> Path:
    return Path(os.environ.get(OVERRIDES_ENV) or DEFAULT_OVERRIDES_PATH).resolve()


_by_setting: dict[str, WorkdayCalendar] = {}


def get_calendar(overrides_path: Path | str | None = None) -> WorkdayCalendar:
    """One calendar per override file per process, so each fallback year is logged once."""
    # by the setting as given first: resolving the path (a stat per call) was the simulator's
    # hottest line, called for every working-day step of every lifecycle case
    setting = str(overrides_path) if overrides_path else (os.environ.get(OVERRIDES_ENV) or str(DEFAULT_OVERRIDES_PATH))
    calendar = _by_setting.get(setting)
    if calendar is None:
        path = Path(overrides_path).resolve() if overrides_path else default_overrides_path()
        if path not in _calendars:
            _calendars[path] = WorkdayCalendar(path)
        calendar = _by_setting[setting] = _calendars[path]
    return calendar


def is_workday(day: date, calendar: WorkdayCalendar | None = None) -> WorkdayAnswer:
    return (calendar or get_calendar()).is_workday(day)


def is_working_day(day: date, calendar: WorkdayCalendar | None = None) -> bool:
    """Plain boolean; a fallback answer is still logged (once per year)."""
    return is_workday(day, calendar).is_workday


def is_fallback_day(day: date, calendar: WorkdayCalendar | None = None) -> bool:
    """True when no official calendar knows ``day`` and Monday–Friday was assumed."""
    return is_workday(day, calendar).is_fallback


def publication_deadline(
    decision_date: date, n: int = 7, calendar: WorkdayCalendar | None = None
) -> date:
    """The n-th working day after the decision date (REFERENCE §4: 7 for double publicity)."""
    return (calendar or get_calendar()).deadline(decision_date, n).date


def publication_deadline_with_source(
    decision_date: date, n: int = 7, calendar: WorkdayCalendar | None = None
) -> Deadline:
    return (calendar or get_calendar()).deadline(decision_date, n)


def working_days_between(start: date, end: date, calendar: WorkdayCalendar | None = None) -> int:
    return (calendar or get_calendar()).working_days_between(start, end)


def calendar_rows(
    start_year: int, end_year: int, calendar: WorkdayCalendar | None = None
) -> Iterator[tuple[date, bool, str]]:
    return (calendar or get_calendar()).calendar_rows(start_year, end_year)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the working-day calendar as CSV.")
    parser.add_argument("start_year", type=int)
    parser.add_argument("end_year", type=int)
    parser.add_argument("--overrides", help=f"override file (default: ${OVERRIDES_ENV} or config)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["calendar_date", "is_workday", "source"])
    for day, workday, source in calendar_rows(
        args.start_year, args.end_year, get_calendar(args.overrides)
    ):
        writer.writerow([day.isoformat(), str(workday).lower(), source])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
