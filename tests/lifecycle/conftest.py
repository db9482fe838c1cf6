"""The lifecycle scenarios through real pipeline runs (the Dagster main job, twice) on their own
database, ``credit_test_lifecycle``.

Day 1 (dates relative to today, T): the simulator's test preset (half scale) plus hand-placed rows —
(a) a serious penalty for subject A, decided 18 months ago (licence revoked: the serious-dishonesty
rule SD_SERIOUS_PENALTY); (b) a general penalty for subject B and an objection against it,
submitted and accepted; (c) a price-integrity commitment of subject C 履行中 and a platform commitment
with a due date a month ago. The main job runs with the department APIs and the departments'
joint-measure endpoints served — the finance bureau's endpoint (HS-CZ) down; then it comes back
and the delivery sensor ticks. Day 2: A's repair application (after the minimum window and the
list's early-exit date), granted; B's penalty corrected by the department and the objection
verified and closed as corrected; C's commitments reported 未履行. Between the runs, one more
simulated day of every feed (a daily run with new loads in every sector, as in production). The main
job runs again on top of day 1, then the reports job (README command 1 runs the main job, then the
reports job). What every test needs from the state between the runs is captured in ``snapshots``;
how every step of every run ended, in ``steps``.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from credit import settings, warehouse
from pipeline_run_env import fresh_pipeline_env

LIFECYCLE_DATABASE = "credit_test_lifecycle"
PRESET, SEED, SCALE = "test", 11, 0.5
DOWN_DEPARTMENT = "HS-CZ"
#: The simulated day after the test preset's last one (the bulk ends 2026-11-20).
DAY_TWO = "2026-11-21"


@dataclass
class Scenario:
    today: dt.date
    a_subject: object = None
    a_decision_date: dt.date | None = None
    a_decision_number: str = ""
    a_repair_date: dt.date | None = None
    a_repaired_date: dt.date | None = None
    b_subject: object = None
    b_decision_number: str = ""
    b_dates: dict = field(default_factory=dict)
    c_subject: object = None
    c_sector_number: str = ""
    c_platform_number: str = ""
    c_broken_date: dt.date | None = None


@dataclass
class LifecycleRun:
    location: warehouse.WarehouseLocation
    landing: Path
    truth: Path
    reports: Path
    scenario: Scenario
    runs: dict
    snapshots: dict
    departments: object  # DepartmentState of the endpoint server
    faults: object
    steps: dict  # run name -> {step key: success | failure | skipped | not run}, read back from the instance

    def rows(self, query: str, params=()) -> list[tuple]:
        with warehouse.connect(self.location) as conn:
            return conn.execute(query, params).fetchall()

    def one(self, query: str, params=()):
        rows = self.rows(query, params)
        return rows[0][0] if rows else None


def _q(conn, query: str, params=()) -> list[dict]:
    cur = conn.execute(query, params)
    names = [d.name for d in cur.description]
    out = [dict(zip(names, r)) for r in cur.fetchall()]
    conn.commit()
    return out


def _snapshot(location, sc: Scenario) -> dict:
    """What the tests read about the scenario subjects at one point in time."""
    with warehouse.connect(location) as conn:
        a_id = _q(conn, "select subject_id from core.dim_credit_subject where uscc = %s", (sc.a_subject.uscc,))
        c_id = _q(conn, "select subject_id from core.dim_credit_subject where uscc = %s", (sc.c_subject.uscc,))
        snap = {
            "a_subject_id": a_id[0]["subject_id"] if a_id else None,
            "c_subject_id": c_id[0]["subject_id"] if c_id else None,
            "a_record": _q(conn, "select * from core.fct_credit_record where decision_number = %s order by version_number",
                           (sc.a_decision_number,)),
            "b_record": _q(conn, "select * from core.fct_credit_record where decision_number = %s order by version_number",
                           (sc.b_decision_number,)),
            "c_record": _q(conn, "select * from core.fct_credit_record where decision_number = %s order by version_number",
                           (sc.c_sector_number,)),
            "outbox": _q(conn, "select * from lifecycle.joint_measure_outbox order by created_at, action_key"),
            "credit_check_a": _q(conn, "select * from pub.credit_check(%s)", (sc.a_subject.uscc,)),
            "pub_list_entry": _q(conn, "select * from pub.list_entry"),
            "open_objections": _q(conn, "select * from marts.mart_objection__open_records"),
        }
        for key in ("a", "c"):
            sid = snap[f"{key}_subject_id"]
            snap[f"entries_{key}"] = _q(conn, "select * from marts.mart_list__entry_status where subject_id = %s "
                                              "order by effective_date, rule_code", (sid,))
            snap[f"rating_{key}"] = _q(conn, "select * from marts.mart_rating__current where subject_id = %s", (sid,))
        b_key = snap["b_record"][0]["record_key"] if snap["b_record"] else None
        snap["b_pub"] = _q(conn, "select * from pub.credit_record where record_key = %s", (b_key,)) if b_key else []
        snap["b_archive"] = _q(conn, "select * from marts.mart_archive__record where record_key = %s "
                                     "order by version_number", (b_key,)) if b_key else []
        a_key = snap["a_record"][0]["record_key"] if snap["a_record"] else None
        snap["a_pub"] = _q(conn, "select * from pub.credit_record where record_key = %s", (a_key,)) if a_key else []
        snap["a_double_publicity"] = _q(conn, "select * from pub.double_publicity_penalty where record_key = %s",
                                        (a_key,)) if a_key else []
        snap["a_archive"] = _q(conn, "select * from marts.mart_archive__record where record_key = %s", (a_key,)) if a_key else []
    return snap


def _step_outcomes(instance, job, run_id: str) -> dict[str, str]:
    """How every step of a finished run ended, read back from the instance once the run is over: a
    step downstream of a failed step or of a failed blocking check is never started (``not run``)."""
    import dagster as dg

    kinds = {dg.DagsterEventType.STEP_SUCCESS: "success", dg.DagsterEventType.STEP_FAILURE: "failure",
             dg.DagsterEventType.STEP_SKIPPED: "skipped"}
    outcomes = {step: "not run" for step in job.graph.node_dict}
    for record in instance.get_records_for_run(run_id, of_type=set(kinds)).records:
        outcomes[record.event_log_entry.step_key] = kinds[record.event_log_entry.dagster_event.event_type]
    return outcomes


def _stage_day_one(writer, sc: Scenario, activity: dict[str, int]) -> None:
    from credit.publication import add_months
    from ingest_connectors.simulator.lifecycle_scenarios import fmt
    from credit.lifecycle.lists import nth_workday_after

    t = sc.today
    # (a) a serious penalty, licence revoked, decided 18 months ago
    sc.a_subject = writer.subject("company", 0, activity=activity)
    sc.a_decision_date = add_months(t, -18)
    sc.a_decision_number = f"黄市监罚〔{sc.a_decision_date.year}〕LCA001号"
    rep_id = sc.a_subject.rep_id
    penalty = writer.row(
        "production__penalty", sc.a_subject, sc.a_decision_date, "LC-A-1",
        decision_number=sc.a_decision_number, violation_type="生产销售不符合食品安全标准的食品",
        penalty_types="罚款、吊销许可证件", fine_wan_yuan="20", confiscated_wan_yuan="",
        penalty_content="罚款人民币20万元，吊销《食品生产许可证》。", misconduct_severity="严重",
        licence_revoked="《食品生产许可证》（编号SC10642020200001）",
        decision_date=fmt(sc.a_decision_date), valid_until=fmt(add_months(sc.a_decision_date, 36)),
        publicity_until=fmt(add_months(sc.a_decision_date, 36)),
        legal_rep_name=sc.a_subject.rep_name, legal_rep_id_type="身份证", legal_rep_id_number=rep_id)
    writer.drop("production__penalty", [penalty], t)

    # (b) a general penalty; an objection submitted and accepted
    sc.b_subject = writer.subject("company", 1, activity=activity)
    b_date = t - dt.timedelta(days=60)
    sc.b_decision_number = f"黄市监罚〔{b_date.year}〕LCB001号"
    submitted = t - dt.timedelta(days=14)
    accepted = nth_workday_after(submitted, 1)
    verified = nth_workday_after(accepted, 3)
    corrected = nth_workday_after(verified, 1)
    sc.b_dates = {"decision": b_date, "submitted": submitted, "accepted": accepted, "verified": verified,
                  "corrected": corrected}
    b_values = dict(decision_number=sc.b_decision_number, penalty_types="罚款", fine_wan_yuan="1.5",
                    confiscated_wan_yuan="", licence_revoked="", misconduct_severity="一般",
                    penalty_content="罚款人民币15000元。", violation_type="发布虚假广告",
                    decision_date=fmt(b_date), valid_until=fmt(add_months(b_date, 12)), publicity_until="")
    writer.drop("ecommerce__penalty", [writer.row("ecommerce__penalty", sc.b_subject, b_date, "LC-B-1", **b_values)], t)
    sc.b_values = b_values
    platform = writer.cat.feed("credit_platform__credit_objection").sector
    scm = next(d for d in writer.cat.sector("production").departments if d.code == "HS-SCJG")
    objection = dict(decision_number="YYLC0001", decision_date=fmt(submitted), target_decision_number=sc.b_decision_number,
                     target_authority_name=scm.name_zh, target_authority_uscc=scm.uscc,
                     objection_reason="罚款金额记载错误", handling_result="")
    sc.b_objection = objection
    writer.drop("credit_platform__credit_objection", [
        writer.row("credit_platform__credit_objection", sc.b_subject, submitted, "LC-B-2",
                   **objection, objection_status="已提交", status_date=fmt(submitted)),
        writer.row("credit_platform__credit_objection", sc.b_subject, submitted, "LC-B-3",
                   **objection, objection_status="已受理", status_date=fmt(accepted)),
    ], t)

    # (c) commitments: a sector price-integrity commitment and a platform commitment with a due date
    sc.c_subject = writer.subject("company", 2, activity=activity)
    c_date = t - dt.timedelta(days=200)
    sc.c_sector_number = f"黄发改价〔{c_date.year}〕LCC001号"
    c_values = dict(decision_number=sc.c_sector_number, decision_date=fmt(c_date),
                    commitment_content="明码标价，不价格欺诈，不哄抬价格", valid_until="")
    sc.c_values = c_values
    writer.drop("pricing__price_integrity_commitment", [
        writer.row("pricing__price_integrity_commitment", sc.c_subject, c_date, "LC-C-1", **c_values,
                   commitment_status="履行中")], t, dept_index=0)
    made, due = t - dt.timedelta(days=120), t - dt.timedelta(days=30)
    sc.c_platform_number = "CNLC0001"
    c_platform = dict(decision_number=sc.c_platform_number, decision_date=fmt(made), commitment_type="告知承诺",
                      related_matter="食品经营许可（告知承诺）", commitment_content="承诺在期限内补交材料",
                      commitment_conditions="于履约期限前补交食品安全管理制度文本", due_date=fmt(due),
                      authority_name=scm.name_zh, authority_uscc=scm.uscc, breach_description="")
    sc.c_platform = c_platform
    writer.drop("credit_platform__credit_commitment", [
        writer.row("credit_platform__credit_commitment", sc.c_subject, made, "LC-C-2", **c_platform,
                   commitment_status="履行中", status_date=fmt(made))], t)
    del platform


def _stage_day_two(writer, sc: Scenario, snap: dict) -> None:
    from credit.lifecycle.lists import nth_workday_after
    from ingest_connectors.simulator.lifecycle_scenarios import fmt

    t = sc.today
    # (a) the repair application, after the minimum window and the list's early exit
    record = snap["a_record"][-1]
    entry = next(e for e in snap["entries_a"] if e["rule_code"] == "SD_SERIOUS_PENALTY"
                 and e["trigger_decision_number"] == sc.a_decision_number)
    opens = max(d for d in (record["publication_min_end_date"], entry["early_exit_from"]) if d is not None)
    sc.a_repair_date = min(opens + dt.timedelta(days=20), t - dt.timedelta(days=10))
    sc.a_repaired_date = nth_workday_after(sc.a_repair_date, 3)
    scm = next(d for d in writer.cat.sector("production").departments if d.code == "HS-SCJG")
    repair = dict(decision_number="XFLC0001", decision_date=fmt(sc.a_repair_date),
                  target_decision_number=sc.a_decision_number, target_authority_name=scm.name_zh,
                  target_authority_uscc=scm.uscc, target_kind="行政处罚信息", penalty_performed="是",
                  commitment_submitted="是", training_completed="是")
    writer.drop("credit_platform__credit_repair_application", [
        writer.row("credit_platform__credit_repair_application", sc.a_subject, sc.a_repair_date, "LC-A-2",
                   **repair, repair_status="已申请", handled_date="", handling_opinion=""),
        writer.row("credit_platform__credit_repair_application", sc.a_subject, sc.a_repair_date, "LC-A-3",
                   **repair, repair_status="已修复", handled_date=fmt(sc.a_repaired_date), handling_opinion=""),
    ], t + dt.timedelta(days=1))

    # (b) the department corrects the penalty; the objection is verified and closed as corrected
    corrected = dict(sc.b_values, fine_wan_yuan="0.8", penalty_content="罚款人民币8000元。")
    writer.drop("ecommerce__penalty", [writer.row("ecommerce__penalty", sc.b_subject, sc.b_dates["decision"],
                                                  "LC-B-4", **corrected)], t + dt.timedelta(days=1))
    writer.drop("credit_platform__credit_objection", [
        writer.row("credit_platform__credit_objection", sc.b_subject, sc.b_dates["submitted"], "LC-B-5",
                   **sc.b_objection | {"handling_result": ""}, objection_status="已核实",
                   status_date=fmt(sc.b_dates["verified"])),
        writer.row("credit_platform__credit_objection", sc.b_subject, sc.b_dates["submitted"], "LC-B-6",
                   **sc.b_objection | {"handling_result": "经核实，罚款金额记载有误，已由认定机关更正"},
                   objection_status="已更正", status_date=fmt(sc.b_dates["corrected"])),
    ], t + dt.timedelta(days=1))

    # (c) both commitments reported broken
    sc.c_broken_date = t - dt.timedelta(days=20)
    writer.drop("pricing__price_integrity_commitment", [
        writer.row("pricing__price_integrity_commitment", sc.c_subject, t - dt.timedelta(days=200), "LC-C-3",
                   **sc.c_values, commitment_status="未履行")], t + dt.timedelta(days=1))
    writer.drop("credit_platform__credit_commitment", [
        writer.row("credit_platform__credit_commitment", sc.c_subject, t - dt.timedelta(days=120), "LC-C-4",
                   **sc.c_platform | {"breach_description": "逾期未补交食品安全管理制度文本"},
                   commitment_status="未履行", status_date=fmt(sc.c_broken_date))], t + dt.timedelta(days=1))


@pytest.fixture(scope="session")
def lifecycle(tmp_path_factory) -> LifecycleRun:
    import dagster as dg
    from rich.console import Console

    from credit.dbt import run_dbt
    from credit.demo import department_apis
    from credit.lifecycle.config import load_config
    from credit.runner import run_job
    from ingest_connectors.simulator.department_endpoints import EndpointFaultPlan, serve_department_endpoints
    from ingest_connectors.simulator.generate import generate, generate_day
    from ingest_connectors.simulator.readback import read_truth
    from ingest_connectors.simulator.lifecycle_scenarios import ScenarioWriter

    root = tmp_path_factory.mktemp("lifecycle")
    saved = {k: os.environ.get(k) for k in ["CREDIT_LANDING_DIR", "CREDIT_REPORTS_DIR", "DAGSTER_HOME",
                                            warehouse.DATABASE_OVERRIDE_ENV,
                                            load_config().setting("outbox.endpoint_env")]}
    _, location = fresh_pipeline_env(root, LIFECYCLE_DATABASE)

    truth = root / "ground_truth"
    generate(preset=PRESET, seed=SEED, scale=SCALE, out_dir=settings.landing_dir(), truth_dir=truth)
    writer = ScenarioWriter(settings.landing_dir(), PRESET, SEED, SCALE)
    sc = Scenario(today=dt.date.today())
    # the scenario subjects: the companies with the fewest simulated records
    from collections import Counter

    _stage_day_one(writer, sc, Counter(r["true_subject_id"] for r in read_truth(truth)))
    run_dbt(["parse", "--quiet"], location)

    from pipelines.definitions import defs
    from pipelines.lifecycle.resources import MeasureEndpoints
    from pipelines.lifecycle.sensors import joint_measures_delivery_sensor
    from pipelines.resources import WarehouseResource

    instance = dg.DagsterInstance.get()
    runs, snapshots, steps = {}, {}, {}

    def run(name: str, definitions, job_name: str) -> None:
        runs[name] = run_job(definitions, job_name, instance, label=f"lifecycle {name}")
        steps[name] = _step_outcomes(instance, definitions.resolve_job_def(job_name), runs[name].run_id)

    faults = EndpointFaultPlan(down={DOWN_DEPARTMENT}, lose_ack={"HS-SW": (2,)})
    endpoint_env = load_config().setting("outbox.endpoint_env")
    try:
        with department_apis(Console(quiet=True)), serve_department_endpoints(faults=faults) as (url, state, _):
            os.environ[endpoint_env] = url
            # Day 1: the main job on the fresh database, as README command 1 runs it
            run("day1", defs, "main_job")
            snapshots["day1"] = _snapshot(location, sc)
            # the finance bureau's endpoint comes back; the retry backoff has passed; the sensor ticks
            faults.set_down(DOWN_DEPARTMENT, False)
            with warehouse.connect(location) as conn:
                conn.execute("update lifecycle.joint_measure_outbox set next_attempt_at = now() where status = 'pending'")
                conn.commit()
            context = dg.build_sensor_context(instance=instance, resources={
                "warehouse": WarehouseResource(), "measure_endpoints": MeasureEndpoints()})
            snapshots["sensor_tick"] = str(joint_measures_delivery_sensor(context))
            snapshots["after_tick"] = _snapshot(location, sc)
            # Day 2: one more simulated day of every feed, without injected defects (a day's delivery
            # is a row or two per feed, so one defect would block its sector), and the scenario's
            # day-two rows
            generate_day(DAY_TWO, preset=PRESET, seed=SEED, scale=SCALE, defect_rate=0.0,
                         out_dir=settings.landing_dir(), truth_dir=truth)
            _stage_day_two(writer, sc, snapshots["day1"])
            # the next daily run: the main job lands the new files and builds on top of day 1
            run("day2", defs, "main_job")
            snapshots["day2"] = _snapshot(location, sc)
            # then the reports, as README command 1 does after the main job
            run("reports", defs, "reports_job")
            yield LifecycleRun(location, settings.landing_dir(), truth, settings.reports_dir(), sc, runs,
                               snapshots, state, faults, steps)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
