"""One-click joint rewards and punishments: the outbox and its delivery to the departments.

The actions the departments should have are in ``marts.mart_list__joint_measure_action`` (as of
today: impose every measure of every list entry in force, lift those of entries that ended).
:func:`sync_outbox` copies new ones into ``lifecycle.joint_measure_outbox`` — keyed by the action's
idempotency key, so running it again adds nothing, and a lift is only queued once its impose is —
and :func:`deliver_pending` POSTs each pending action to its department
(``<base>/departments/<code>/joint-measures``, header ``Idempotency-Key``), marking it delivered
when the department acknowledges and recording the department's feedback. A failed attempt (the
department down, a timeout, a lost acknowledgement) leaves the action pending with the next try
backed off (``config/lifecycle.yaml`` outbox.retry_*); every attempt is logged in
``lifecycle.joint_measure_delivery``. Exactly once: an action is marked delivered only after an
acknowledgement, and the departments process an idempotency key once, so a retry after a lost
acknowledgement is answered as a duplicate and changes nothing.

Run by the Dagster asset ``lifecycle/joint_measure_outbox`` (main job) and the sensor
``joint_measures_delivery`` (retries until acknowledged); see pipelines/lifecycle.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field

import psycopg
import requests

from credit.lifecycle.config import load_config

SCHEMA = "lifecycle"
TOKEN_ENV = "CREDIT_MEASURES_TOKEN"
DEFAULT_TOKEN = "demo-token"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.joint_measure_outbox (
    action_key text primary key,
    impose_action_key text not null,
    action text not null check (action in ('impose', 'lift')),
    action_date date,
    entry_id text not null,
    list_type text not null,
    rule_code text,
    subject_id text not null,
    subject_name text,
    uscc text,
    department_code text not null,
    measure_code text not null,
    measure_kind text,
    measure_name_zh text,
    payload jsonb not null,
    status text not null default 'pending' check (status in ('pending', 'delivered')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    receipt_id text,
    was_duplicate boolean,
    feedback_status text,
    feedback_note text,
    feedback_at timestamptz
);
create index if not exists joint_measure_outbox_pending_idx
    on {SCHEMA}.joint_measure_outbox (next_attempt_at) where status = 'pending';
create table if not exists {SCHEMA}.joint_measure_delivery (
    attempt_id bigserial primary key,
    action_key text not null references {SCHEMA}.joint_measure_outbox (action_key),
    attempted_at timestamptz not null default now(),
    http_status integer,
    outcome text not null check (outcome in ('acknowledged', 'duplicate', 'failed')),
    error text,
    duration_ms integer
);
"""

SYNC_SQL = f"""
insert into {SCHEMA}.joint_measure_outbox (
    action_key, impose_action_key, action, action_date, entry_id, list_type, rule_code, subject_id,
    subject_name, uscc, department_code, measure_code, measure_kind, measure_name_zh, payload)
select
    a.action_key, a.impose_action_key, a.action, a.action_date, a.entry_id, a.list_type, a.rule_code,
    a.subject_id, a.subject_name, a.uscc, a.department_code, a.measure_code, a.measure_kind,
    a.measure_name_zh,
    jsonb_build_object(
        'action_key', a.action_key, 'action', a.action, 'action_date', a.action_date,
        'entry_id', a.entry_id, 'list_type', a.list_type, 'list_name', a.list_name_zh,
        'rule_code', a.rule_code, 'rule_name', a.rule_name_zh, 'legal_basis', a.legal_basis,
        'subject_id', a.subject_id, 'subject_name', a.subject_name, 'uscc', a.uscc,
        'decision_number', a.trigger_decision_number, 'decided_by', a.trigger_authority_name,
        'effective_date', a.effective_date, 'planned_end_date', a.planned_end_date,
        'department_code', a.department_code, 'measure_code', a.measure_code,
        'measure_kind', a.measure_kind, 'measure_name', a.measure_name_zh, 'measure_basis', a.measure_basis)
from marts.mart_list__joint_measure_action as a
where a.action = 'impose'
   or exists (select 1 from {SCHEMA}.joint_measure_outbox as sent where sent.action_key = a.impose_action_key)
order by a.action_date, a.action_key
on conflict (action_key) do nothing
"""


@dataclass
class DeliveryReport:
    attempted: int = 0
    delivered: int = 0
    duplicates: int = 0
    failed: int = 0
    pending_left: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def as_metadata(self) -> dict:
        return {"attempted": self.attempted, "delivered": self.delivered, "duplicates": self.duplicates,
                "failed": self.failed, "pending_left": self.pending_left, "errors": self.errors}


def ensure_tables(conn: psycopg.Connection) -> None:
    conn.execute(DDL)


def sync_outbox(conn: psycopg.Connection) -> int:
    """Queue the actions of list entries that changed; returns how many were added."""
    ensure_tables(conn)
    added = conn.execute(SYNC_SQL).rowcount
    conn.commit()
    return added


def endpoint_url() -> str | None:
    return os.environ.get(load_config().setting("outbox.endpoint_env")) or None


def _backoff(attempts: int) -> dt.timedelta:
    config = load_config()
    base = float(config.setting("outbox.retry_base_seconds"))
    cap = float(config.setting("outbox.retry_max_seconds"))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver_pending(conn: psycopg.Connection, base_url: str, *, now: dt.datetime | None = None,
                    ignore_backoff: bool = False, limit: int | None = None, token: str | None = None,
                    session: requests.Session | None = None) -> DeliveryReport:
    """POST every pending action whose next attempt is due (all pending with ``ignore_backoff``),
    oldest first; one transaction per action, the row locked while it is sent."""
    config = load_config()
    limit = limit or int(config.setting("outbox.batch_size"))
    timeout = float(config.setting("outbox.request_timeout_seconds"))
    token = token or os.environ.get(TOKEN_ENV) or DEFAULT_TOKEN
    session = session or requests.Session()
    report = DeliveryReport()
    ensure_tables(conn)
    # One commit per action; not waiting for the disk is safe here: a delivery whose commit is
    # lost in a crash is sent again, and the department answers it as a duplicate.
    conn.execute("set synchronous_commit to off")
    conn.commit()
    due_clause = "" if ignore_backoff else "and next_attempt_at <= coalesce(%(now)s, now())"
    keys = [r[0] for r in conn.execute(
        f"select action_key from {SCHEMA}.joint_measure_outbox where status = 'pending' {due_clause} "
        f"order by created_at, action_date, action_key limit %(limit)s", {"now": now, "limit": limit}).fetchall()]
    conn.commit()
    for key in keys:
        row = conn.execute(
            f"select department_code, payload, attempts from {SCHEMA}.joint_measure_outbox "
            f"where action_key = %s and status = 'pending' for update skip locked", (key,)).fetchone()
        if row is None:  # delivered or being delivered by someone else meanwhile
            conn.rollback()
            continue
        department, payload, attempts = row
        report.attempted += 1
        started = time.monotonic()
        status_code, body, error = None, None, None
        try:
            response = session.post(
                f"{base_url.rstrip('/')}/departments/{department}/joint-measures",
                data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key,
                         "Authorization": f"Bearer {token}"},
                timeout=timeout)
            status_code = response.status_code
            body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else None
            if status_code != 200 or not (body or {}).get("ack"):
                error = f"HTTP {status_code}: {(body or {}).get('error') or response.text[:200]}"
        except (requests.RequestException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        if error is None:
            feedback = body.get("feedback") or {}
            duplicate = bool(body.get("duplicate"))
            conn.execute(
                f"update {SCHEMA}.joint_measure_outbox set status = 'delivered', attempts = attempts + 1, "
                f"delivered_at = now(), receipt_id = %s, was_duplicate = %s, feedback_status = %s, "
                f"feedback_note = %s, feedback_at = %s, last_error = null where action_key = %s",
                (body.get("receipt_id"), duplicate, feedback.get("status"), feedback.get("note"),
                 feedback.get("at"), key))
            outcome = "duplicate" if duplicate else "acknowledged"
            report.delivered += 1
            report.duplicates += duplicate
        else:
            next_at = (now or dt.datetime.now(dt.timezone.utc)) + _backoff(attempts + 1)
            conn.execute(
                f"update {SCHEMA}.joint_measure_outbox set attempts = attempts + 1, last_error = %s, "
                f"next_attempt_at = %s where action_key = %s", (error, next_at, key))
            outcome = "failed"
            report.failed += 1
            kind = error.split(":")[0]
            report.errors[kind] = report.errors.get(kind, 0) + 1
        conn.execute(
            f"insert into {SCHEMA}.joint_measure_delivery (action_key, http_status, outcome, error, duration_ms) "
            f"values (%s, %s, %s, %s, %s)", (key, status_code, outcome, error, duration))
        conn.commit()
    report.pending_left = conn.execute(
        f"select count(*) from {SCHEMA}.joint_measure_outbox where status = 'pending'").fetchone()[0]
    conn.commit()
    return report


def outbox_summary(conn: psycopg.Connection) -> dict:
    ensure_tables(conn)
    rows = conn.execute(
        f"select status, count(*) from {SCHEMA}.joint_measure_outbox group by status").fetchall()
    conn.commit()
    return {status: n for status, n in rows}
