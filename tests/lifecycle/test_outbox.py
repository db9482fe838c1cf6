"""The joint-measure outbox on its own: a department endpoint down for a while, lost
acknowledgements, two deliverers at once — every action is processed by its department exactly
once. A small database of its own with a stand-in for marts.mart_list__joint_measure_action (the
same path through the real pipeline is in test_scenarios.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from credit import warehouse
from credit.lifecycle import outbox
from ingest_connectors.simulator.department_endpoints import EndpointFaultPlan, serve_department_endpoints

DATABASE = "credit_test_lifecycle_outbox"

ACTIONS_TABLE = """
create schema if not exists marts;
drop table if exists marts.mart_list__joint_measure_action;
create table marts.mart_list__joint_measure_action (
    action_key text, impose_action_key text, action text, action_date date, entry_id text,
    list_type text, list_name_zh text, rule_code text, rule_name_zh text, legal_basis text,
    subject_id text, subject_name text, uscc text, trigger_decision_number text,
    trigger_authority_name text, effective_date date, planned_end_date date, entry_status text,
    measure_code text, measure_kind text, measure_name_zh text, measure_basis text,
    department_code text, department_name_zh text, status_as_of_date date);
"""
DEPARTMENTS = ("HS-FGW", "HS-CZ", "HS-SCJG", "HS-SW")


def _action(entry: int, dept: str, action: str = "impose") -> tuple:
    key = f"e{entry}-{dept}-{action}"
    return (key, f"e{entry}-{dept}-impose", action, dt.date(2026, 11, 1), f"entry{entry}", "serious_dishonesty",
            "严重失信主体名单", "SD_SERIOUS_PENALTY", "较重行政处罚", "依据", f"CS{entry:016d}", f"主体{entry}",
            None, f"罚{entry}", "黄石市市场监督管理局", dt.date(2026, 11, 1), dt.date(2029, 10, 31), "active",
            f"M-{dept}", "punish", "限制", "依据", dept, dept, dt.date(2026, 11, 27))


@pytest.fixture()
def db():
    location = warehouse.locate(create=False).with_database(DATABASE)
    if location.embedded:
        warehouse.drop_database(location)
    warehouse.ensure_database(location)
    with warehouse.connect(location) as conn:
        conn.execute(ACTIONS_TABLE)
        conn.commit()
        yield conn


def _insert(conn, rows):
    with conn.cursor() as cur:
        cur.executemany("insert into marts.mart_list__joint_measure_action values (" + ", ".join(["%s"] * 25) + ")",
                        rows)
    conn.commit()


def _status(conn) -> dict[str, str]:
    rows = conn.execute("select action_key, status from lifecycle.joint_measure_outbox").fetchall()
    conn.commit()
    return dict(rows)


def test_actions_wait_while_a_department_is_down_and_are_delivered_once_when_it_returns(db):
    _insert(db, [_action(e, d) for e in range(1, 6) for d in DEPARTMENTS])
    assert outbox.sync_outbox(db) == 20
    assert outbox.sync_outbox(db) == 0  # idempotent: the same actions are not queued twice
    faults = EndpointFaultPlan(down={"HS-CZ"})
    with serve_department_endpoints(faults=faults) as (url, state, _):
        first = outbox.deliver_pending(db, url)
        assert (first.delivered, first.failed, first.pending_left) == (15, 5, 5)
        waiting = {k for k, s in _status(db).items() if s == "pending"}
        assert waiting == {f"e{e}-HS-CZ-impose" for e in range(1, 6)}
        # still down, and not due yet: a second pass attempts nothing (backoff)
        assert outbox.deliver_pending(db, url).attempted == 0
        # still down when the retry is due: attempted again, still waiting, backoff doubled
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
        again = outbox.deliver_pending(db, url, now=later)
        assert (again.attempted, again.failed, again.pending_left) == (5, 5, 5)
        faults.set_down("HS-CZ", False)
        back = outbox.deliver_pending(db, url, now=later + dt.timedelta(hours=2))
        assert (back.delivered, back.pending_left) == (5, 0)
        # every action processed exactly once by its department
        processed = [a["action_key"] for a in state.actions()]
        assert sorted(processed) == sorted(_status(db)) and len(processed) == len(set(processed)) == 20
        assert all(n == 1 for n in state.deliveries.values())
    attempts = db.execute("select action_key, count(*), count(*) filter (where outcome = 'failed') "
                          "from lifecycle.joint_measure_delivery group by 1").fetchall()
    assert {k: (n, f) for k, n, f in attempts if "HS-CZ" in k} == {f"e{e}-HS-CZ-impose": (3, 2) for e in range(1, 6)}
    feedback = db.execute("select count(*) from lifecycle.joint_measure_outbox "
                          "where feedback_status is not null and receipt_id is not null").fetchone()[0]
    assert feedback == 20


def test_a_lost_acknowledgement_is_retried_and_answered_as_a_duplicate(db):
    _insert(db, [_action(e, "HS-SW") for e in range(1, 4)])
    outbox.sync_outbox(db)
    with serve_department_endpoints(faults=EndpointFaultPlan(lose_ack={"HS-SW": (2,)})) as (url, state, _):
        first = outbox.deliver_pending(db, url)
        assert (first.delivered, first.failed) == (2, 1)
        second = outbox.deliver_pending(db, url, ignore_backoff=True)
        assert (second.delivered, second.duplicates) == (1, 1)
        assert len(state.actions("HS-SW")) == 3  # processed once each, though one was sent twice
        assert sorted(state.deliveries.values()) == [1, 1, 2]
    row = db.execute("select was_duplicate, receipt_id from lifecycle.joint_measure_outbox "
                     "where action_key = 'e2-HS-SW-impose'").fetchone()
    assert row[0] is True and row[1] == "HS-SW-000002"


def test_a_lift_is_queued_only_for_a_measure_whose_impose_was(db):
    _insert(db, [_action(1, "HS-FGW", "lift"), _action(2, "HS-FGW")])
    assert outbox.sync_outbox(db) == 1  # entry 1 ended before anything was sent: nothing to lift
    db.execute("delete from marts.mart_list__joint_measure_action")
    db.commit()
    _insert(db, [_action(2, "HS-FGW", "lift")])
    assert outbox.sync_outbox(db) == 1
    assert set(_status(db)) == {"e2-HS-FGW-impose", "e2-HS-FGW-lift"}


def test_two_deliverers_at_once_send_each_action_once(db):
    _insert(db, [_action(e, d) for e in range(1, 11) for d in DEPARTMENTS])
    outbox.sync_outbox(db)
    location = warehouse.locate(create=False).with_database(DATABASE)
    with serve_department_endpoints() as (url, state, _):
        reports = []

        def deliver():
            with warehouse.connect(location) as conn:
                reports.append(outbox.deliver_pending(conn, url))

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r.delivered for r in reports) == 40
        assert all(n == 1 for n in state.deliveries.values()) and len(state.deliveries) == 40
