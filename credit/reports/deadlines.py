"""Compliance with the 7-working-day publication deadline, per department (REFERENCE §4).

A record is on time when the platform first received it no later than the 7th working day after
its decision date. Records that arrived with a feed's initial load (the day the feed went live,
i.e. the historical backfill) cannot be judged by their arrival and are counted apart. Working
days come from ``credit.workdays`` — chinesecalendar, the local override file, or the logged
fallback; deadlines that needed the fallback are counted as provisional.
"""

from __future__ import annotations

from collections import defaultdict

import psycopg

from credit.workdays import publication_deadline_with_source

ARRIVALS_SQL = """
with first_arrival as (
    select department_code, feed_key, decision_date, received_at::date as received_date
    from core.fct_credit_record
    where version_number = 1 and decision_date is not null
),
go_live as (
    select feed_key, min(received_date) as go_live_date from first_arrival group by feed_key
)
select department_code, decision_date, received_date, received_date = go_live_date as is_backfill, count(*)
from first_arrival join go_live using (feed_key)
group by 1, 2, 3, 4
"""


def deadline_compliance(conn: psycopg.Connection) -> list[dict]:
    per_department: dict[str, dict] = defaultdict(lambda: {
        "assessed": 0, "on_time": 0, "late": 0, "backfill": 0, "provisional": 0, "max_days_late": 0})
    for department, decision_date, received_date, is_backfill, n in conn.execute(ARRIVALS_SQL):
        d = per_department[department]
        if is_backfill:
            d["backfill"] += n
            continue
        deadline = publication_deadline_with_source(decision_date)
        d["assessed"] += n
        if received_date <= deadline.date:
            d["on_time"] += n
        else:
            d["late"] += n
            d["max_days_late"] = max(d["max_days_late"], (received_date - deadline.date).days)
        if deadline.is_fallback:
            d["provisional"] += n
    rows = []
    for department, d in sorted(per_department.items()):
        d["department_code"] = department
        d["on_time_rate"] = d["on_time"] / d["assessed"] if d["assessed"] else None
        rows.append(d)
    return rows
