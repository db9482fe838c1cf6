"""The credit platform's lifecycle feeds, consistent with the sector records already generated.

Run after the sector feeds (``generate`` and ``generate_day`` call :func:`generate_platform`):
repair applications and objections name real penalty decisions (decision number and deciding
authority as the department sent them, the subject of that penalty), interviews follow real
penalties, commitments and voluntary registrations come from the subject pool.

Every case is planned whole when it is created — its states with their dates (an objection:
已提交 → 已受理 → 已核实 → 已更正) and the outcome the warehouse should reach — and each state is
sent as one row when its date comes: the bulk run sends the states dated up to the preset's end,
``--day`` sends those dated up to that day (and creates a few new cases). The plan and the
expected outcome of every case are the lifecycle ground truth, ``<truth>/lifecycle_cases.jsonl``:

``{"kind", "feed_key", "case_number", "subject", "target": {...} | null, "states": [{"status",
"date", "row"}], "expected": {...}}`` — ``row`` is the row's sim id once sent, null while the
state is still in the future. ``expected`` holds the outcome (repair: granted | rejected | pending,
with ``reasons``; objection: corrected | kept | rejected | open, with ``overdue`` stages;
commitment: fulfilled | broken | open | overdue; interview: completed | escalated | interview_only
| open; voluntary: counted true/false) as of the last state date.

Rows are clean (no defects); the sector feeds' defect rate does not apply here.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest_connectors.catalogue import Catalogue, Feed
from ingest_connectors.simulator.readback import canonical, iter_feed_rows, parse_date, read_truth, tracer_of
from ingest_connectors.simulator.subjects import Subject

PLATFORM_DEPT = 0  # the platform's only department: the credit office
CASES_FILE = "lifecycle_cases.jsonl"
#: Cases per 1,000 sector records in the bulk run, by platform record type.
CASES_PER_1000 = {
    "credit_repair_application": 9.0,
    "credit_objection": 6.0,
    "credit_commitment": 8.0,
    "interview_rectification": 6.0,
    "voluntary_registration": 5.0,
}
MIN_CASES = 5
_SD_TYPES = {"吊销许可证件", "责令停产停业", "责令关闭", "限制开展生产经营活动", "限制从业"}


@dataclass
class Target:
    """A penalty decision as the department sent it."""

    sim_id: str
    feed_key: str
    subject_sid: str
    decision_number: str
    authority_name: str
    authority_uscc: str
    decision_date: dt.date
    severity: str | None
    penalty_types: list[str]
    rule_code: str
    min_end: dt.date | None
    max_end: dt.date | None
    corrected: bool


# --- helpers --------------------------------------------------------------------------------------

def _workdays_after(day: dt.date, n: int) -> dt.date:
    from credit.lifecycle.lists import nth_workday_after

    return nth_workday_after(day, n)


def _settings():
    from credit.lifecycle.config import load_config

    return load_config()


def _days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, max(lo, hi)))


def _targets(out: Path, truth_dir: Path, cat: Catalogue, pool_by_sid: dict[str, Subject]) -> list[Target]:
    """Clean penalty records of the sector feeds, with their publication windows."""
    from credit.publication import publication_window

    truth = list(read_truth(truth_dir))
    corrected = {r["correction_of"] for r in truth if r["correction_of"]}
    wanted = {r["sim_record_id"]: r for r in truth
              if not r["defects"] and not r["duplicate_of"] and not r["correction_of"]}
    targets: list[Target] = []
    for feed in cat.feeds(include_platform=False):
        if feed.record_type.layout != "penalty":
            continue
        for _, _, values in iter_feed_rows(out, feed):
            sim_id = tracer_of(values)
            rec = wanted.get(sim_id or "")
            if rec is None or rec["feed_key"] != feed.key:
                continue
            subject = pool_by_sid.get(rec["true_subject_id"])
            if subject is None or (subject.kind != "natural_person" and not subject.uscc):
                continue
            day = parse_date(values.get("decision_date", ""))
            if day is None:
                continue
            severity = (canonical(cat, "misconduct_severity", values.get("misconduct_severity") or "") or [None])[0] \
                if values.get("misconduct_severity") else None
            types = canonical(cat, "penalty_type", values.get("penalty_types") or "") or []
            window = publication_window(day, severity, types, values.get("violation_type") or None)
            targets.append(Target(
                sim_id=sim_id, feed_key=feed.key, subject_sid=subject.sid,
                decision_number=values["decision_number"], authority_name=values["authority_name"],
                authority_uscc=values["authority_uscc"], decision_date=day, severity=severity,
                penalty_types=types, rule_code=window.rule_code,
                min_end=window.min_end_date if window.published else None,
                max_end=window.max_end_date if window.published else None,
                corrected=sim_id in corrected,
            ))
    targets.sort(key=lambda t: t.sim_id)
    return targets


# --- case planning ----------------------------------------------------------------------------------

class Planner:
    """Plans cases (states with dates, expected outcome); deterministic per (seed, kind, label)."""

    def __init__(self, opts, cat: Catalogue, targets: list[Target], pool, label: str,
                 start: dt.date, end: dt.date):
        self.opts, self.cat, self.targets, self.pool = opts, cat, targets, pool
        self.label, self.start, self.end = label, start, end
        self.used: set[str] = set()
        # predicates (by key) that no unused target met in a full pass: targets are only ever used
        # up, so they stay unmet and the next case skips the pass over every target
        self.exhausted: set[tuple] = set()
        self.config = _settings()
        sectors = [s for s in cat.sectors]
        self.departments = [(d.name_zh, d.uscc) for s in sectors for d in s.departments]
        self.departments = sorted(set(self.departments))

    def rng(self, kind: str) -> random.Random:
        return random.Random(self.opts.stream_seed("platform", self.label, kind))

    def _pick_target(self, rng: random.Random, ok, key: tuple) -> Target | None:
        """A random unused target that ``ok`` accepts, or None. ``key`` names the predicate with
        its parameters: once a full pass finds nothing for it, later calls skip the pass (a rare
        predicate that ran dry cost a pass over ~1M targets per case at the city preset).

        Not by listing every candidate per case: at the city preset that is ~170,000 cases times
        ~1M targets (hours). Random draws first (uniform over the accepted ones), then one pass
        round the list from a random start (cost ~ 1 / share of accepted targets), which also
        answers None when there is none. Deterministic for a given rng.
        """
        targets = self.targets
        if not targets:
            return None

        def usable(t: Target) -> bool:
            return t.sim_id not in self.used and ok(t)

        picked = None
        for _ in range(32):
            t = targets[rng.randrange(len(targets))]
            if usable(t):
                picked = t
                break
        if picked is None:
            start = rng.randrange(len(targets))  # drawn even when exhausted: same stream either way
            if key in self.exhausted:
                return None
            picked = next((targets[(start + i) % len(targets)] for i in range(len(targets))
                           if usable(targets[(start + i) % len(targets)])), None)
            if picked is None:
                self.exhausted.add(key)
        if picked is not None:
            self.used.add(picked.sim_id)
        return picked

    def _number(self, prefix: str, day: dt.date, n: int, day_mode: bool) -> str:
        return f"{prefix}{day:%Y%m%d}{n:04d}" if day_mode else f"{prefix}{day.year}{n:06d}"

    # -- repair ---------------------------------------------------------------------------------
    def repair(self, rng: random.Random, n: int, day_mode: bool, when: dt.date | None = None) -> dict | None:
        wd = self.config.setting("repair.decide_within_working_days")
        kind = rng.choices(("granted", "premature", "premature_approved", "not_performed", "no_commitment",
                            "dept_rejected", "pending"), weights=(52, 10, 5, 9, 4, 8, 12))[0]
        if day_mode:
            kind = rng.choice(("granted", "pending", "premature"))
        latest = when or self.end

        def eligible_window(t: Target) -> bool:
            lo = max(t.min_end or t.decision_date, t.decision_date + dt.timedelta(days=20))
            return t.max_end is not None and lo <= min(latest - dt.timedelta(days=3), t.max_end - dt.timedelta(days=30))

        if kind in ("premature", "premature_approved"):
            t = self._pick_target(rng, lambda t: t.min_end is not None and t.max_end is not None
                                  and (t.min_end - t.decision_date).days > 40 and t.min_end > self.start
                                  and t.decision_date + dt.timedelta(days=30) < latest and not t.corrected,
                                  ("repair.premature", latest))
        else:
            t = self._pick_target(rng, lambda t: eligible_window(t) and not t.corrected, ("repair.eligible", latest))
        if t is None:
            return None
        if when is not None:
            applied = when
        elif kind in ("premature", "premature_approved"):
            hi = min(t.min_end - dt.timedelta(days=1), latest - dt.timedelta(days=10))
            applied = t.decision_date + _days(rng, 20, (hi - t.decision_date).days)
        elif kind == "pending":
            lo = max(t.min_end or t.decision_date, latest - dt.timedelta(days=4))
            applied = lo + _days(rng, 0, (latest - lo).days)
        else:
            lo = max(t.min_end or t.decision_date, t.decision_date + dt.timedelta(days=20))
            hi = min(latest - dt.timedelta(days=12), t.max_end - dt.timedelta(days=30), lo + dt.timedelta(days=200))
            applied = lo + _days(rng, 0, (hi - lo).days)
        performed = "否" if kind == "not_performed" else "是"
        committed = "否" if kind == "no_commitment" else "是"
        decided = _workdays_after(applied, rng.randint(1, wd))
        reasons = []
        if t.min_end is not None and applied < t.min_end:
            reasons.append("window_not_passed")
        if performed == "否":
            reasons.append("penalty_not_performed")
        if committed == "否":
            reasons.append("no_commitment")
        if kind in ("granted", "premature_approved"):
            final, opinion = "已修复", ""
        elif kind == "pending":
            final, opinion = "已修复", ""
        elif kind == "dept_rejected":
            final, opinion = "不予修复", "申请材料不齐全，经补正后仍不符合要求"
        elif kind == "premature" or kind == "premature_approved":
            final, opinion = "不予修复", "未满最短公示期限"
        elif kind == "not_performed":
            final, opinion = "不予修复", "未履行行政处罚决定"
        else:
            final, opinion = "不予修复", "未提交信用修复承诺书"
        states = [{"status": "已申请", "date": applied.isoformat()},
                  {"status": final, "date": decided.isoformat(), "handled": decided.isoformat(), "opinion": opinion}]
        if kind == "pending" and when is None:
            decided = max(decided, self.end + dt.timedelta(days=1))
            states[1]["date"] = states[1]["handled"] = decided.isoformat()
        if final == "已修复" and not reasons:
            outcome = "granted"
        else:
            outcome = "rejected"
        return {
            "kind": "repair", "case_number": self._number("XF", applied, n, day_mode), "subject": t.subject_sid,
            "target": asdict(t) | {"decision_date": t.decision_date.isoformat(),
                                  "min_end": t.min_end.isoformat() if t.min_end else None,
                                  "max_end": t.max_end.isoformat() if t.max_end else None},
            "start": applied.isoformat(), "scenario": kind,
            "values": {"penalty_performed": performed, "commitment_submitted": committed,
                       "training_completed": rng.choice(("是", "是", "否"))},
            "states": states,
            "expected": {"outcome": outcome, "reasons": reasons, "decided": decided.isoformat(),
                         "repaired_date": decided.isoformat() if outcome == "granted" else None},
        }

    # -- objection --------------------------------------------------------------------------------
    def objection(self, rng: random.Random, n: int, day_mode: bool, when: dt.date | None = None) -> dict | None:
        c = self.config
        acc_wd = c.setting("objection.accept_within_working_days")
        ver_wd = c.setting("objection.verify_within_working_days")
        close_wd = c.setting("objection.close_within_working_days")
        latest = when or self.end
        kind = rng.choices(("corrected", "kept", "rejected", "open"), weights=(30, 35, 15, 20))[0]
        if when is not None:
            kind = "open"
        if kind == "corrected":
            t = self._pick_target(rng, lambda t: t.corrected and t.decision_date + dt.timedelta(days=10) < latest,
                                  ("objection.corrected", latest))
            if t is None:
                kind = "kept"
        if kind != "corrected":
            t = self._pick_target(rng, lambda t: not t.corrected and t.max_end is not None
                                  and t.decision_date + dt.timedelta(days=10) < latest, ("objection.uncorrected", latest))
        if t is None:
            return None
        if when is not None:
            submitted = when
        elif kind == "open":
            lo = max(t.decision_date + dt.timedelta(days=5), latest - dt.timedelta(days=6))
            submitted = lo + _days(rng, 0, (latest - lo).days)
        else:
            hi = min(latest - dt.timedelta(days=45), t.decision_date + dt.timedelta(days=300))
            lo = t.decision_date + dt.timedelta(days=5)
            if hi < lo:
                return None
            submitted = lo + _days(rng, 0, (hi - lo).days)
        late = {stage: rng.random() < 0.1 for stage in ("accept", "verify", "close")}
        accepted = _workdays_after(submitted, rng.randint(acc_wd + 1, acc_wd + 3) if late["accept"] else rng.randint(1, acc_wd))
        states = [{"status": "已提交", "date": submitted.isoformat()}]
        overdue = []
        if late["accept"]:
            overdue.append("accept")
        if kind == "rejected":
            states.append({"status": "不予受理", "date": accepted.isoformat(),
                           "result": "异议申请不属于受理范围（非本主体信息或已超出异议期限）"})
            closed = accepted
            outcome = "rejected"
        else:
            verified = _workdays_after(accepted, rng.randint(ver_wd + 1, ver_wd + 4) if late["verify"] else rng.randint(2, ver_wd))
            close = _workdays_after(verified, rng.randint(close_wd + 1, close_wd + 3) if late["close"] else rng.randint(1, close_wd))
            if late["verify"]:
                overdue.append("verify")
            if late["close"]:
                overdue.append("close")
            final = "已更正" if kind == "corrected" else "维持"
            result = "经核实，原信息存在错误，已由认定机关更正" if final == "已更正" else "经核实，原信息准确，予以维持"
            states += [{"status": "已受理", "date": accepted.isoformat()},
                       {"status": "已核实", "date": verified.isoformat()},
                       {"status": final, "date": close.isoformat(), "result": result}]
            closed = close
            outcome = "corrected" if kind == "corrected" else "kept"
            if kind == "open":
                outcome = "kept"
        return {
            "kind": "objection", "case_number": self._number("YY", submitted, n, day_mode), "subject": t.subject_sid,
            "target": asdict(t) | {"decision_date": t.decision_date.isoformat(),
                                  "min_end": t.min_end.isoformat() if t.min_end else None,
                                  "max_end": t.max_end.isoformat() if t.max_end else None},
            "start": submitted.isoformat(), "scenario": kind,
            "values": {"reason": rng.choice(("处罚对象认定有误", "罚款金额记载错误", "违法事实描述与决定书不符",
                                              "决定书文号记载错误", "该处罚已被行政复议撤销"))},
            "states": states,
            "expected": {"outcome": outcome, "overdue": overdue, "closed": closed.isoformat(),
                         "disputed_from": submitted.isoformat()},
        }

    # -- commitment --------------------------------------------------------------------------------
    def commitment(self, rng: random.Random, n: int, day_mode: bool, when: dt.date | None = None) -> dict | None:
        subject = self.pool.draw(rng, rng.choice(("company", "company", "self_employed")))
        if not subject.uscc:
            return None
        made = when or (self.start + _days(rng, 0, (self.end - self.start).days))
        due = made + _days(rng, 30, 180)
        kind = rng.choices(("fulfilled", "broken", "open"), weights=(62, 23, 15))[0]
        if when is not None:
            kind = "open"
        ctype = rng.choices(("告知承诺", "容缺受理承诺", "主动承诺", "行业自律承诺"), weights=(45, 25, 20, 10))[0]
        matter, condition = rng.choice((
            ("食品经营许可", "于履约期限前补交食品安全管理制度文本及从业人员健康证明"),
            ("公众聚集场所投入使用、营业前消防安全检查", "于履约期限前取得消防设施检测合格报告"),
            ("建筑业企业资质", "于履约期限前补齐注册人员社保缴纳证明"),
            ("道路运输经营许可", "于履约期限前完成车辆技术等级评定"),
            ("排污许可", "于履约期限前完成自动监测设备联网"),
            ("税务事项（容缺办理）", "于履约期限前补报财务会计报表"),
        ))
        authority = rng.choice(self.departments)
        states = [{"status": "履行中", "date": made.isoformat()}]
        if kind == "fulfilled":
            done = made + _days(rng, 5, (due - made).days)
            states.append({"status": "已履行", "date": done.isoformat()})
            outcome, broken = "fulfilled", None
        elif kind == "broken":
            broken_on = due + _days(rng, 1, 20)
            states.append({"status": "未履行", "date": broken_on.isoformat(),
                           "breach": f"逾期未{condition.replace('于履约期限前', '')}"})
            outcome, broken = "broken", broken_on.isoformat()
        else:
            outcome, broken = ("overdue" if due < (when or self.end) else "open"), None
        return {
            "kind": "commitment", "case_number": self._number("CN", made, n, day_mode), "subject": subject.sid,
            "target": None, "start": made.isoformat(), "scenario": kind,
            "values": {"commitment_type": ctype, "related_matter": f"{matter}（{ctype}）",
                       "commitment_content": "本单位（人）承诺所提交材料真实有效，并在约定期限内履行承诺事项，如违反承诺愿意承担相应责任",
                       "commitment_conditions": condition, "due_date": due.isoformat(),
                       "authority_name": authority[0], "authority_uscc": authority[1]},
            "states": states,
            "expected": {"outcome": outcome, "broken_date": broken, "due_date": due.isoformat()},
        }

    # -- interview / rectification --------------------------------------------------------------------
    def interview(self, rng: random.Random, n: int, day_mode: bool, when: dt.date | None = None) -> dict | None:
        latest = when or self.end
        t = self._pick_target(rng, lambda t: t.decision_date + dt.timedelta(days=70) < latest or when is not None,
                              ("interview", latest, when is not None))
        if t is None:
            return None
        held = when or (t.decision_date + _days(rng, 5, 60))
        measure = rng.choices(("约谈", "限期整改", "约谈并限期整改"), weights=(25, 40, 35))[0]
        reason = rng.choice(("受到行政处罚后未按要求落实整改", "多次被投诉举报", "信用风险监测预警",
                             "抽查检查发现问题", "未按规定公示年度报告"))
        states: list[dict] = []
        kind = "interview_only"
        deadline = None
        escalated = None
        if measure == "约谈":
            states.append({"status": "", "date": held.isoformat()})
        else:
            deadline = held + _days(rng, 15, 60)
            kind = rng.choices(("on_time", "late", "refused", "silent"), weights=(58, 10, 12, 20))[0]
            if when is not None:
                kind = "silent"
            states.append({"status": "整改中", "date": held.isoformat()})
            if kind == "on_time":
                done = held + _days(rng, 3, (deadline - held).days)
                states.append({"status": "已整改", "date": done.isoformat(), "completed": done.isoformat()})
            elif kind == "late":
                done = deadline + _days(rng, 2, 30)
                states.append({"status": "已整改", "date": done.isoformat(), "completed": done.isoformat()})
            elif kind == "refused":
                states.append({"status": "未整改", "date": (deadline + _days(rng, 1, 10)).isoformat()})
            if kind != "on_time":
                after = self.config.setting("rectification.escalate_after_working_days")
                escalated = _workdays_after(deadline, after) if after else deadline + dt.timedelta(days=1)
        outcome = {"interview_only": "interview_only", "on_time": "completed"}.get(kind, "escalated")
        if outcome == "escalated" and escalated is not None and escalated > (when or self.end):
            outcome = "open"
        return {
            "kind": "interview", "case_number": self._number("YT", held, n, day_mode), "subject": t.subject_sid,
            "target": asdict(t) | {"decision_date": t.decision_date.isoformat(),
                                  "min_end": t.min_end.isoformat() if t.min_end else None,
                                  "max_end": t.max_end.isoformat() if t.max_end else None},
            "start": held.isoformat(), "scenario": kind,
            "values": {"measure": measure, "measure_reason": reason,
                       "rectification_deadline": deadline.isoformat() if deadline else "",
                       "authority_name": t.authority_name, "authority_uscc": t.authority_uscc},
            "states": states,
            "expected": {"outcome": outcome, "escalated_on": escalated.isoformat() if escalated else None,
                         "deadline": deadline.isoformat() if deadline else None},
        }

    # -- voluntary registration ------------------------------------------------------------------------
    def voluntary(self, rng: random.Random, n: int, day_mode: bool, when: dt.date | None = None) -> dict | None:
        subject = self.pool.draw(rng, rng.choice(("company", "company", "self_employed", "social_org")))
        if not subject.uscc:
            return None
        registered = when or (self.start + _days(rng, 0, (self.end - self.start).days))
        info_type, title = rng.choice((
            ("资质资格", "ISO9001质量管理体系认证证书"), ("资质资格", "高新技术企业证书"),
            ("合同履行", "近三年重大合同履约情况说明"), ("公益慈善", "抗洪救灾捐赠证明"),
            ("公益慈善", "助学捐赠证明"), ("荣誉表彰", "守合同重信用企业称号"), ("荣誉表彰", "市级文明单位称号"),
        ))
        kind = rng.choices(("verified", "mismatch", "unverified"), weights=(55, 15, 30))[0]
        if when is not None:
            kind = "unverified"
        truth_commitment = "是" if rng.random() < 0.95 else "否"
        states = [{"status": "待核实", "date": registered.isoformat()}]
        if kind != "unverified":
            checked = registered + _days(rng, 3, 30)
            states.append({"status": "已核实" if kind == "verified" else "核实不符", "date": checked.isoformat(),
                           "verifier": rng.choice(self.departments)[0]})
        return {
            "kind": "voluntary", "case_number": self._number("ZY", registered, n, day_mode), "subject": subject.sid,
            "target": None, "start": registered.isoformat(), "scenario": kind,
            "values": {"info_type": info_type, "info_title": title,
                       "info_content": f"{title}，有效期内，原件可供核验", "truth_commitment": truth_commitment},
            "states": states,
            "expected": {"counted": kind == "verified" and truth_commitment == "是", "verification": states[-1]["status"]},
        }


PLANNERS = {
    "credit_repair_application": "repair",
    "credit_objection": "objection",
    "credit_commitment": "commitment",
    "interview_rectification": "interview",
    "voluntary_registration": "voluntary",
}


# --- rows -------------------------------------------------------------------------------------------

def _row_values(builder, rng: random.Random, case: dict, state: dict, row) -> None:
    """Fill the case- and state-specific columns of a row made by the feed's RowBuilder."""
    v = row.values
    fmt = lambda d: builder.fmt_date(rng, dt.date.fromisoformat(d)) if d else ""  # noqa: E731
    enum = lambda lookup, value: builder._enum_text(rng, lookup, value, row, store=None) if value else ""  # noqa: E731
    cv = case["values"]
    v["decision_number"] = case["case_number"]
    v["decision_date"] = fmt(case["start"])
    kind = case["kind"]
    if kind in ("repair", "objection"):
        t = case["target"]
        v["target_decision_number"] = t["decision_number"]
        v["target_authority_name"] = t["authority_name"]
        v["target_authority_uscc"] = t["authority_uscc"]
    if kind == "repair":
        v["target_kind"] = enum("repair_target_kind", "行政处罚信息")
        v["penalty_performed"] = enum("yes_no", cv["penalty_performed"])
        v["commitment_submitted"] = enum("yes_no", cv["commitment_submitted"])
        v["training_completed"] = enum("yes_no", cv["training_completed"])
        v["repair_status"] = enum("repair_status", state["status"])
        v["handled_date"] = fmt(state.get("handled"))
        v["handling_opinion"] = state.get("opinion") or ""
    elif kind == "objection":
        v["objection_reason"] = cv["reason"]
        v["objection_status"] = enum("objection_status", state["status"])
        v["status_date"] = fmt(state["date"])
        v["handling_result"] = state.get("result") or ""
    elif kind == "commitment":
        for col in ("related_matter", "commitment_content", "commitment_conditions"):
            v[col] = cv[col]
        v["commitment_type"] = enum("commitment_type", cv["commitment_type"])
        v["due_date"] = fmt(cv["due_date"])
        v["commitment_status"] = enum("commitment_status", state["status"])
        v["status_date"] = fmt(state["date"])
        v["breach_description"] = state.get("breach") or ""
        v["authority_name"], v["authority_uscc"] = cv["authority_name"], cv["authority_uscc"]
    elif kind == "interview":
        v["measure"] = enum("supervision_measure", cv["measure"])
        v["measure_reason"] = cv["measure_reason"]
        v["related_decision_number"] = case["target"]["decision_number"]
        v["rectification_deadline"] = fmt(cv["rectification_deadline"])
        v["rectification_status"] = enum("rectification_status", state["status"])
        v["completion_date"] = fmt(state.get("completed"))
        v["status_date"] = fmt(state["date"])
        v["authority_name"], v["authority_uscc"] = cv["authority_name"], cv["authority_uscc"]
    elif kind == "voluntary":
        for col in ("info_title", "info_content"):
            v[col] = cv[col]
        v["info_type"] = enum("voluntary_info_type", cv["info_type"])
        v["truth_commitment"] = enum("yes_no", cv["truth_commitment"])
        v["verification_status"] = enum("verification_status", state["status"])
        v["verifying_department"] = state.get("verifier") or ""
        v["verified_date"] = fmt(state["date"]) if state["status"] != "待核实" else ""
        v["valid_until"] = ""


def _emit_rows(opts, cat: Catalogue, ctx: dict, feed: Feed, cases: list[dict], truth, day: dt.date | None,
               lower: dt.date | None, upper: dt.date, preset) -> dict:
    """Send every planned state dated in (lower, upper] as one row; returns the feed's stats."""
    from ingest_connectors.simulator.generate import FeedRun, FeedWriter, feed_id

    writer = FeedWriter(feed, opts.out_dir, None, day=day)
    run = FeedRun(opts, feed, ctx, writer, truth, f"platform:{day or 'bulk'}", upper)
    rng = random.Random(opts.stream_seed("platform-rows", day or "bulk", feed.key))
    pool_by_sid = ctx["platform_subjects"]
    due = []
    for case in cases:
        for i, state in enumerate(case["states"]):
            when = dt.date.fromisoformat(state["date"])
            if state.get("row") is None and when <= upper and (lower is None or when > lower):
                due.append((when, case["case_number"], i, case, state))
    due.sort(key=lambda x: (x[0], x[1], x[2]))
    prefix = feed_id(feed)
    dept = feed.sector.departments[PLATFORM_DEPT].code

    def make_row(seq: int, case: dict, state: dict):
        sim_id = f"{prefix}-{day:%Y%m%d}-{seq:05d}" if day else f"{prefix}-{seq:07d}"
        subject = pool_by_sid[case["subject"]]
        start = dt.date.fromisoformat(case["start"])
        for _ in range(20):
            row = run.builder.new_row(rng, sim_id, start, PLATFORM_DEPT, subject=subject, day_mode=day is not None)
            if not row.defects:
                break
        row.decision_number = case["case_number"]
        _row_values(run.builder, rng, case, state, row)
        state["row"] = sim_id
        return row

    seq = 0
    if day is not None:
        if due:
            writer.open_file(dept, day)
            for _, _, _, case, state in due:
                seq += 1
                run.emit(make_row(seq, case, state))
    else:
        years = sorted({d[0].year for d in due})
        for year in years:
            writer.open_file(dept, min(dt.date(year, 12, 31), preset.end))
            for item in [d for d in due if d[0].year == year]:
                seq += 1
                run.emit(make_row(seq, item[3], item[4]))
    writer.close()
    run.stats.sources = writer.stats_sources
    return asdict(run.stats)


def _case_counts(opts, cat: Catalogue) -> dict[str, int]:
    return {code: max(MIN_CASES, round(opts.n_records * per / 1000)) for code, per in CASES_PER_1000.items()}


def generate_platform(opts, cat: Catalogue, ctx: dict, day: dt.date | None = None,
                      last_day: dt.date | None = None) -> list[dict]:
    """Write the platform feeds (bulk when ``day`` is None, else one more day) and their truth."""
    from ingest_connectors.simulator.generate import PRESETS
    from ingest_connectors.simulator.writers import GzipCsv

    if not cat.platform:
        return []
    preset = PRESETS[opts.preset]
    pool = ctx["pool"]
    ctx["platform_subjects"] = {s.sid: s for s in pool.subjects}
    cases_path = Path(opts.truth_dir) / CASES_FILE
    targets = _targets(Path(opts.out_dir), Path(opts.truth_dir), cat, ctx["platform_subjects"])
    by_feed: dict[str, list[dict]] = {}
    if day is None:
        planner = Planner(opts, cat, targets, pool, "bulk", preset.start, preset.end)
        counts = _case_counts(opts, cat)
        for sector in cat.platform:
            for rt in sector.record_types:
                feed_key = f"{sector.slug}__{rt.code}"
                kind = PLANNERS[rt.code]
                rng = planner.rng(kind)
                cases, n, attempts = [], 0, 0
                while len(cases) < counts[rt.code] and attempts < counts[rt.code] * 5:
                    attempts += 1
                    case = getattr(planner, kind)(rng, n + 1, False)
                    if case is None:
                        continue
                    n += 1
                    case["feed_key"] = feed_key
                    cases.append(case)
                by_feed[feed_key] = cases
        upper, lower = preset.end, None
    else:
        existing = [json.loads(line) for line in cases_path.read_text(encoding="utf-8").splitlines() if line] \
            if cases_path.exists() else []
        for case in existing:
            by_feed.setdefault(case["feed_key"], []).append(case)
        planner = Planner(opts, cat, targets, pool, f"day:{day.isoformat()}", preset.start, day)
        for sector in cat.platform:
            for rt in sector.record_types:
                feed_key = f"{sector.slug}__{rt.code}"
                kind = PLANNERS[rt.code]
                rng = planner.rng(kind)
                # at least one new case a day per feed, like the sector feeds
                for i in range(1 + (rng.random() < 0.3)):
                    case = getattr(planner, kind)(rng, i + 1, True, when=day)
                    if case is not None:
                        case["feed_key"] = feed_key
                        by_feed.setdefault(feed_key, []).append(case)
        upper, lower = day, last_day
    truth = GzipCsv(Path(opts.truth_dir) / "records.csv.gz", None, append=True)
    stats = []
    try:
        for sector in cat.platform:
            for rt in sector.record_types:
                feed = Feed(sector=sector, record_type=rt)
                stats.append(_emit_rows(opts, cat, ctx, feed, by_feed.get(feed.key, []), truth, day, lower,
                                        upper, preset))
    finally:
        truth.close()
    with open(cases_path, "w", encoding="utf-8") as fh:
        for sector in cat.platform:
            for rt in sector.record_types:
                for case in by_feed.get(f"{sector.slug}__{rt.code}", []):
                    fh.write(json.dumps(case, ensure_ascii=False, sort_keys=True) + "\n")
    return stats


def read_cases(truth_dir: Path | str) -> list[dict]:
    """The lifecycle ground truth: every planned case with its states and expected outcome."""
    path = Path(truth_dir) / CASES_FILE
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
