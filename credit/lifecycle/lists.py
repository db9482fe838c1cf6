"""The dates of a list entry — the Python twin of marts.mart_list__entry (REFERENCE §6).

An entry is triggered by a record (or a lifecycle event) on its trigger date. With prior notice
the platform notifies the subject on the ``notice_after_working_days``-th working day after the
trigger, the subject may respond until ``response_working_days`` working days after the notice,
and the listing takes effect on the next working day; without notice (a department's own list)
it takes effect on the trigger date. The planned end is the effective date plus the term (the
record's own end for term ``record``; none = permanent) — the last day listed; early exit through repair is possible
from ``early_exit_after_months`` after the effective date (any time when that is not set).

The SQL computes the same dates with the working-day calendar seed; tests/lifecycle checks
them against this function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from credit.lifecycle.config import LifecycleConfig, ListRule, load_config
from credit.publication import add_months
from credit.workdays import WorkdayCalendar, get_calendar


@dataclass(frozen=True)
class EntryDates:
    trigger_date: date
    notice_date: date | None
    response_deadline: date | None
    effective_date: date
    planned_end_date: date | None  # the last day listed; None: permanent (or no end given by the record)
    early_exit_from: date | None  # None: repair may end the entry at any time

    def status_on(self, day: date) -> str:
        """pending / notice / active / expired on ``day`` (before any exit through repair,
        removal or correction, which the SQL adds)."""
        if day < (self.notice_date or self.effective_date) or day < self.trigger_date:
            return "pending"
        if day < self.effective_date:
            return "notice"
        if self.planned_end_date is not None and day > self.planned_end_date:
            return "expired"
        return "active"


def nth_workday_after(day: date, n: int, calendar: WorkdayCalendar | None = None) -> date:
    """The n-th working day after ``day`` (``day`` itself not counted); n = 0 is ``day``."""
    if n == 0:
        return day
    return (calendar or get_calendar()).deadline(day, n).date


def entry_dates(rule: ListRule, trigger_record_date: date, record_end_date: date | None = None,
                config: LifecycleConfig | None = None, calendar: WorkdayCalendar | None = None) -> EntryDates:
    """The dates of the entry ``rule`` makes from a record dated ``trigger_record_date``.

    ``record_end_date`` is the record's own end (ban end, valid until) for rules with term
    ``record``. ``trigger_after_months`` (abnormal operation unresolved for 3 years) moves the
    trigger date that far after the record.
    """
    config = config or load_config()
    trigger = trigger_record_date
    if rule.trigger_after_months:
        trigger = add_months(trigger_record_date, rule.trigger_after_months)
    if rule.requires_notice:
        notice = nth_workday_after(trigger, config.notice_after_working_days, calendar)
        deadline = nth_workday_after(notice, config.response_working_days, calendar)
        effective = nth_workday_after(deadline, 1, calendar)
    else:
        notice = deadline = None
        effective = trigger
    if rule.term_source == "record":
        planned_end = record_end_date
    else:
        planned_end = add_months(effective, rule.term_months) - timedelta(days=1) if rule.term_months else None
    early = add_months(effective, rule.early_exit_after_months) if rule.early_exit_after_months else None
    return EntryDates(trigger, notice, deadline, effective, planned_end, early)
