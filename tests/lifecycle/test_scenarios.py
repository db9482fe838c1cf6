"""Scenarios (a), (b), (c) of issue 8 through two real runs of the Dagster main job (conftest.py),
asserted where downstream systems and the archive see them: pub.credit_check (the veto and its
reason), pub.credit_record (publication, the disputed mark), marts.mart_archive__record (record
status, versions), marts.mart_rating__current (the score), besides the lifecycle marts themselves.
"""

from __future__ import annotations

import datetime as dt

import pytest

from credit.lifecycle.config import load_config
from credit.lifecycle.lists import entry_dates

pytestmark = pytest.mark.e2e


def _entry(entries, rule_code, decision_number=None):
    found = [e for e in entries if e["rule_code"] == rule_code
             and (decision_number is None or e["trigger_decision_number"] == decision_number)]
    assert len(found) == 1, [(e["rule_code"], e["trigger_decision_number"]) for e in entries]
    return found[0]


def test_every_step_of_every_run_succeeded_but_a_blocking_gate_and_its_publication(lifecycle):
    """Read back from the instance: a field-specification gate that blocks (gx_<sector> fails on its
    blocking check) withholds its sector's publication (publish__<sector> never starts) and nothing
    else; every other step of every run succeeded."""
    for name, steps in lifecycle.steps.items():
        blocked = {step.removeprefix("gx_") for step, how in steps.items() if how == "failure" and step.startswith("gx_")}
        allowed = {f"gx_{sector}" for sector in blocked} | {f"publish__{sector}" for sector in blocked}
        assert {step: how for step, how in steps.items() if how != "success" and step not in allowed} == {}, name
        assert all(steps.get(f"publish__{sector}", "not run") == "not run" for sector in blocked), name
        assert lifecycle.runs[name].success == (not blocked), name
        # the runner's own account of the run agrees with the instance
        assert sorted(lifecycle.runs[name].failed_steps) == sorted(f"gx_{sector}" for sector in blocked), name
    assert "publish__production" in lifecycle.steps["day2"]
    assert lifecycle.steps["day1"]["publish__production"] == "success"


def test_the_second_run_released_what_it_landed(lifecycle):
    """Day 2 is an ordinary daily run: every sector whose gate passed is released up to its last
    load, so the day's rows (among them the scenario's) reach pub."""
    day2 = lifecycle.steps["day2"]
    released = dict(lifecycle.rows("select sector_slug, released_up_to_load_id from audit.sector_release"))
    last = dict(lifecycle.rows("select split_part(feed_key, '__', 1), max(load_id) from audit.load "
                               "where status = 'loaded' group by 1"))
    passed = {s for s in released if day2.get(f"gx_{s}") == "success"}
    assert {"production", "ecommerce", "pricing"} <= passed
    assert {s: released[s] for s in passed} == {s: last[s] for s in passed}


# --- (a) serious penalty → notice → listed → veto → punishment delivered → repair → delisted ---------

def test_a_serious_penalty_lists_the_subject_after_a_prior_notice_stage(lifecycle):
    sc, day1 = lifecycle.scenario, lifecycle.snapshots["day1"]
    entry = _entry(day1["entries_a"], "SD_SERIOUS_PENALTY", sc.a_decision_number)
    expected = entry_dates(load_config().rule("SD_SERIOUS_PENALTY"), sc.a_decision_date)
    assert entry["list_type"] == "serious_dishonesty"
    assert entry["trigger_decision_number"] == sc.a_decision_number
    assert "严重违法失信名单管理办法" in entry["legal_basis"]
    assert (entry["notice_date"], entry["response_deadline"], entry["effective_date"], entry["planned_end_date"],
            entry["early_exit_from"]) == (expected.notice_date, expected.response_deadline, expected.effective_date,
                                          expected.planned_end_date, expected.early_exit_from)
    assert entry["status"] == "active" and entry["is_vetoing"]
    assert sc.a_decision_number in entry["veto_reason"]
    # the stages, read back as of their dates (all before the repair of day 2)
    for day, status in [(sc.a_decision_date, "pending"), (expected.notice_date, "notice"),
                        (expected.response_deadline, "notice"), (expected.effective_date, "active")]:
        got = lifecycle.one("select status from marts.list_entries_as_of(%s) where entry_id = %s", (day, entry["entry_id"]))
        assert got == status, (day, got)
    assert any(p["entry_id"] == entry["entry_id"] for p in day1["pub_list_entry"])
    # the licence revocation also bars the legal representative (responsible person, hashed ID only)
    bans = lifecycle.rows("select responsible_person_name, responsible_person_id_hash, end_date - start_date, status "
                          "from marts.mart_list__ban_status where record_key = %s", (day1["a_record"][0]["record_key"],))
    assert len(bans) == 1 and bans[0][0] == sc.a_subject.rep_name
    assert bans[0][1] and len(bans[0][1]) >= 32 and sc.a_subject.rep_id not in bans[0][1]


def test_a_credit_check_vetoes_with_the_reason_while_listed(lifecycle):
    sc, day1 = lifecycle.scenario, lifecycle.snapshots["day1"]
    check = day1["credit_check_a"]
    assert len(check) == 1 and check[0]["matched_by"] == "uscc"
    assert check[0]["is_vetoed"]
    entry = _entry(day1["entries_a"], "SD_SERIOUS_PENALTY", sc.a_decision_number)
    assert check[0]["veto_reasons"] == [entry["veto_reason"]]
    reason = check[0]["veto_reasons"][0]
    # the reason names the list, the rule, the triggering decision, its legal basis and the term
    for part in ("严重失信主体名单", entry["rule_name_zh"], sc.a_decision_number, entry["legal_basis"],
                 str(entry["effective_date"]), str(entry["planned_end_date"])):
        assert part in reason, (part, reason)
    listed = [e for e in check[0]["active_list_entries"] if e["rule"] == "SD_SERIOUS_PENALTY"]
    assert len(listed) == 1 and listed[0]["vetoes"] and listed[0]["decision_number"] == sc.a_decision_number


def test_a_punishment_actions_wait_for_a_department_that_is_down_and_are_delivered_once(lifecycle):
    sc, day1, tick = lifecycle.scenario, lifecycle.snapshots["day1"], lifecycle.snapshots["after_tick"]
    entry = _entry(day1["entries_a"], "SD_SERIOUS_PENALTY", sc.a_decision_number)
    measures = [m for m in load_config().measures if m.list_type == "serious_dishonesty"]
    mine = [o for o in day1["outbox"] if o["entry_id"] == entry["entry_id"]]
    assert sorted(o["measure_code"] for o in mine) == sorted(m.code for m in measures)
    assert all(o["action"] == "impose" for o in mine)
    waiting = {o["department_code"]: o for o in mine if o["status"] == "pending"}
    assert waiting["HS-CZ"]["attempts"] >= 1 and "503" in waiting["HS-CZ"]["last_error"]
    # anything else still waiting lost its acknowledgement (the fault plan's HS-SW request 2)
    assert all("500" in o["last_error"] for d, o in waiting.items() if d != "HS-CZ")
    # every HS-CZ action of the run waited; after the endpoint came back, the sensor delivered them
    assert all(o["status"] == "pending" for o in day1["outbox"] if o["department_code"] == "HS-CZ")
    assert "delivered" in lifecycle.snapshots["sensor_tick"]
    after = {o["action_key"]: o for o in tick["outbox"]}
    assert all(o["status"] == "delivered" and o["receipt_id"] and o["feedback_status"] for o in after.values())
    # exactly once: each action key processed once by its department, however often it was sent
    processed = [a["action_key"] for a in lifecycle.departments.actions()]
    assert len(processed) == len(set(processed))
    assert set(after) <= set(processed)
    assert any(o["was_duplicate"] for o in after.values())  # the lost acknowledgement was retried


def test_a_repair_after_the_minimum_window_is_granted_and_delists(lifecycle):
    sc, day2 = lifecycle.scenario, lifecycle.snapshots["day2"]
    record = day2["a_record"][-1]
    app = lifecycle.rows("select outcome, is_eligible, failed_conditions, repaired_date, record_key "
                         "from marts.mart_repair__application where application_number = 'XFLC0001'")
    assert app == [("granted", True, [], sc.a_repaired_date, record["record_key"])]
    assert sc.a_repair_date >= record["publication_min_end_date"]
    entry = _entry(day2["entries_a"], "SD_SERIOUS_PENALTY", sc.a_decision_number)
    assert entry["status"] == "repaired" and entry["exit_reason"] == "repaired"
    assert entry["exit_date"] == max(sc.a_repaired_date, entry["early_exit_from"])
    assert not entry["is_vetoing"]
    assert not any(p["entry_id"] == entry["entry_id"] for p in day2["pub_list_entry"])
    # the sanctions tied to the record end: the punishments are lifted, the ban on the legal rep too
    lifts = [o for o in day2["outbox"] if o["entry_id"] == entry["entry_id"] and o["action"] == "lift"]
    assert len(lifts) == len([m for m in load_config().measures if m.list_type == "serious_dishonesty"])
    assert all(o["status"] == "delivered" for o in lifts)
    ban = lifecycle.one("select status from marts.mart_list__ban_status where record_key = %s", (record["record_key"],))
    assert ban == "lifted"
    check = day2["credit_check_a"]
    assert not any(sc.a_decision_number in r for r in check[0]["veto_reasons"])
    assert not any(e["decision_number"] == sc.a_decision_number for e in check[0]["active_list_entries"])


def test_a_repaired_record_leaves_publication(lifecycle):
    sc, day1, day2 = lifecycle.scenario, lifecycle.snapshots["day1"], lifecycle.snapshots["day2"]
    # published before the repair (inside its maximum window), withdrawn after it
    assert [r["decision_number"] for r in day1["a_pub"]] == [sc.a_decision_number]
    assert [r["cf_wsh"] for r in day1["a_double_publicity"]] == [sc.a_decision_number]
    assert day1["a_archive"][0]["record_status"] == "active"
    assert day2["a_pub"] == [] and day2["a_double_publicity"] == []
    archived = day2["a_archive"]
    assert len(archived) == 1
    assert (archived[0]["record_status"], archived[0]["repaired_date"]) == ("repaired", sc.a_repaired_date)
    assert archived[0]["publication_max_end_date"] > sc.today  # withdrawn by the repair, not by expiry


def test_a_grade_is_recomputed_after_the_repair(lifecycle):
    day1, day2 = lifecycle.snapshots["day1"], lifecycle.snapshots["day2"]
    assert day1["rating_a"] and day2["rating_a"]
    before, after = day1["rating_a"][0], day2["rating_a"][0]
    assert after["score"] > before["score"]
    # the credit check reports the recomputed grade
    assert day2["credit_check_a"][0]["credit_grade"] == after["grade"]


def test_a_history_is_kept(lifecycle):
    day2 = lifecycle.snapshots["day2"]
    key = day2["a_record"][0]["record_key"]
    assert len(day2["a_record"]) == 1  # the record itself is never deleted or rewritten by a repair
    assert lifecycle.one("select count(*) from marts.mart_list__entry where trigger_record_key = %s", (key,)) >= 1
    assert lifecycle.one("select count(*) from lifecycle.joint_measure_delivery d join lifecycle.joint_measure_outbox o "
                         "using (action_key) where o.subject_id = %s", (day2["a_subject_id"],)) >= 14
    assert lifecycle.one("select count(*) from snapshots.snap_credit_record where record_key = %s", (key,)) >= 1


# --- (b) objection → disputed → corrected → both versions kept ---------------------------------------

def test_b_an_open_objection_marks_the_record_disputed(lifecycle):
    day1 = lifecycle.snapshots["day1"]
    key = day1["b_record"][0]["record_key"]
    opened = [o for o in day1["open_objections"] if o["record_key"] == key]
    assert len(opened) == 1 and opened[0]["objection_state"] == "accepted"
    assert opened[0]["disputed_since"] == lifecycle.scenario.b_dates["submitted"]
    assert len(day1["b_pub"]) == 1, "the record under objection stays published"
    assert day1["b_pub"][0]["is_under_objection"]
    archived = day1["b_archive"]
    assert len(archived) == 1
    assert (archived[0]["record_status"], archived[0]["is_under_objection"], archived[0]["objection_status"],
            archived[0]["disputed_since"]) == ("under_objection", True, "accepted", lifecycle.scenario.b_dates["submitted"])


def test_b_the_corrected_record_replaces_the_disputed_one_and_the_archive_keeps_both(lifecycle):
    sc, day2 = lifecycle.scenario, lifecycle.snapshots["day2"]
    versions = day2["b_record"]
    assert [v["version_number"] for v in versions] == [1, 2]
    assert [float(v["fine_wan_yuan"]) for v in versions] == [1.5, 0.8]
    assert [v["is_current_version"] for v in versions] == [False, True]
    case = lifecycle.rows("select outcome, closed_date, was_accept_late, was_verify_late, was_close_late "
                          "from marts.mart_objection__case where objection_number = 'YYLC0001'")
    assert case == [("corrected", sc.b_dates["corrected"], False, False, False)]
    assert not any(o["record_key"] == versions[0]["record_key"] for o in day2["open_objections"])
    assert [float(r["fine_wan_yuan"]) for r in day2["b_pub"]] == [0.8]
    assert not day2["b_pub"][0]["is_under_objection"]  # the objection is closed: no longer disputed
    archived = [(r["version_number"], float(r["fine_wan_yuan"]), r["is_current_version"], r["record_status"])
                for r in day2["b_archive"]]
    assert archived == [(1, 1.5, False, "corrected"), (2, 0.8, True, "active")]


# --- (c) broken commitment → negative record, lower score -----------------------------------------

def test_c_a_broken_commitment_becomes_a_negative_record_and_a_listing(lifecycle):
    sc, day1, day2 = lifecycle.scenario, lifecycle.snapshots["day1"], lifecycle.snapshots["day2"]
    sid = day2["c_subject_id"]
    records = lifecycle.rows("select record_type, polarity, information_category, decision_number, decision_date "
                             "from marts.mart_lifecycle__archive_record where subject_id = %s "
                             "and record_type = 'broken_commitment' order by decision_number", (sid,))
    assert len(records) == 2
    assert all(r[1] == "negative" and r[2] == "信用承诺及履行情况信息" for r in records)
    assert {r[3] for r in records} == {sc.c_platform_number, sc.c_sector_number}
    assert next(r[4] for r in records if r[3] == sc.c_platform_number) == sc.c_broken_date
    assert not any(e["rule_code"] == "KA_BROKEN_COMMITMENT" for e in day1["entries_c"])
    listed = [e for e in day2["entries_c"] if e["rule_code"] == "KA_BROKEN_COMMITMENT"]
    assert len(listed) == 2 and all(e["list_type"] == "key_attention" and not e["is_vetoing"] for e in listed)


def test_c_the_broken_commitment_lowers_the_score(lifecycle):
    day1, day2 = lifecycle.snapshots["day1"], lifecycle.snapshots["day2"]
    assert day1["rating_c"] and day2["rating_c"]
    assert day2["rating_c"][0]["score"] < day1["rating_c"][0]["score"]


# --- the quarterly release ------------------------------------------------------------------------------

def test_the_reports_job_writes_a_release_for_every_quarter_in_the_data(lifecycle):
    from credit.lifecycle.releases import Quarter

    first = lifecycle.one("select min(decision_date) from core.fct_credit_record")
    quarters, q = [], Quarter.of(first)
    while (q.year, q.q) <= (Quarter.of(dt.date.today()).year, Quarter.of(dt.date.today()).q):
        quarters.append(q.label)
        q = q.next()
    folder = lifecycle.reports / "releases"
    written = sorted(p.name for p in folder.iterdir() if p.is_dir())
    assert written == quarters
    for label in quarters:
        for name in ("release.html", "counts_by_sector.csv", "entries.csv"):
            assert (folder / label / name).stat().st_size > 0, (label, name)
    assert (folder / "index.html").exists()
    # the CSV counts equal the published figures
    label = quarters[-2]
    published = lifecycle.rows("select sector_slug, list_type, newly_listed, exited, listed_at_quarter_end "
                               "from pub.release_quarter where quarter = %s order by list_type, sector_slug", (label,))
    import csv

    with (folder / label / "counts_by_sector.csv").open(encoding="utf-8-sig") as fh:
        rows = [(r["sector_slug"], r["list_type"], int(r["newly_listed"]), int(r["exited"]), int(r["listed_at_quarter_end"]))
                for r in csv.DictReader(fh)]
    assert rows == published and rows
