"""The simulator's credit-platform feeds are consistent with the sector records they refer to, and
their cases are planned whole and sent as their dates come (bulk, then --day)."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest_connectors.catalogue import catalogue
from ingest_connectors.simulator import generate, generate_day
from ingest_connectors.simulator.lifecycle import read_cases
from ingest_connectors.simulator.readback import iter_feed_rows, read_truth, tracer_of


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    root = tmp_path_factory.mktemp("platform")
    out, truth = root / "landing", root / "truth"
    manifest = generate("test", seed=3, scale=0.4, out_dir=out, truth_dir=truth, workers=1)
    return out, truth, manifest


def test_repairs_and_objections_name_real_penalties_of_their_subject(sim):
    out, truth, _ = sim
    records = {r["sim_record_id"]: r for r in read_truth(truth)}
    cases = [c for c in read_cases(truth) if c["kind"] in ("repair", "objection", "interview")]
    assert cases
    for case in cases:
        target = case["target"]
        original = records[target["sim_id"]]
        assert original["decision_number"] and original["feed_key"].endswith("__penalty")
        assert original["true_subject_id"] == case["subject"]
        assert not original["defects"]
    # and the rows say so, as the department sent the decision
    platform = {f.key: f for f in catalogue().feeds() if catalogue().is_platform(f)}
    numbers = {}
    for feed in catalogue().feeds(include_platform=False):
        if feed.record_type.layout == "penalty":
            for _, _, values in iter_feed_rows(out, feed):
                numbers[tracer_of(values)] = (values["decision_number"], values["authority_uscc"])
    for key in ("credit_platform__credit_repair_application", "credit_platform__credit_objection"):
        rows = list(iter_feed_rows(out, platform[key]))
        assert rows
        by_case = {c["case_number"]: c for c in cases}
        for _, _, values in rows:
            case = by_case[values["decision_number"]]
            assert (values["target_decision_number"], values["target_authority_uscc"]) == numbers[case["target"]["sim_id"]]


def test_states_are_sent_up_to_the_bulk_end_and_later_ones_by_day(sim, tmp_path):
    out, truth, manifest = sim
    end = dt.date.fromisoformat(manifest["period"]["end"])
    cases = read_cases(truth)
    sent = [s for c in cases for s in c["states"] if s.get("row")]
    waiting = [s for c in cases for s in c["states"] if not s.get("row")]
    assert sent and all(dt.date.fromisoformat(s["date"]) <= end for s in sent)
    assert all(dt.date.fromisoformat(s["date"]) > end for s in waiting)
    platform_rows = sum(v["rows"] for k, v in manifest["feeds"].items() if k.startswith("credit_platform__"))
    assert platform_rows == len(sent)
    # one more day: the states dated that day are sent, and new cases start
    import shutil

    shutil.copytree(out, tmp_path / "landing")
    shutil.copytree(truth, tmp_path / "truth")
    day = end + dt.timedelta(days=1)
    after = generate_day(day, preset="test", seed=3, scale=0.4, out_dir=tmp_path / "landing",
                         truth_dir=tmp_path / "truth", workers=1)
    later = read_cases(tmp_path / "truth")
    newly_sent = [s for c in later for s in c["states"] if s.get("row") and "-" + day.strftime("%Y%m%d") + "-" in s["row"]]
    assert newly_sent and all(s["date"] == day.isoformat() for s in newly_sent)
    assert len(later) > len(cases)
    day_rows = sum(f["rows"] for k, f in after["days"][-1]["feeds"].items() if k.startswith("credit_platform__"))
    assert day_rows == len(newly_sent)


#: Every outcome the planner plans, per case kind (a commitment may also still be open).
PATHS = {
    "repair": {"granted", "rejected"},
    "objection": {"corrected", "kept", "rejected"},
    "commitment": {"broken", "fulfilled", "overdue"},
    "interview": {"completed", "escalated", "interview_only"},
    "voluntary": {True, False},
}


def test_expected_outcomes_cover_every_path(tmp_path):
    # A handful of cases per kind and run: one seed may draw, say, only granted repairs, so the
    # paths are judged over three seeds of the full test preset.
    outcomes: dict[str, set] = {}
    for seed in (3, 4, 5):
        out, truth = tmp_path / f"landing{seed}", tmp_path / f"truth{seed}"
        generate("test", seed=seed, out_dir=out, truth_dir=truth, workers=1)
        for case in read_cases(truth):
            outcomes.setdefault(case["kind"], set()).add(case["expected"].get("outcome", case["expected"].get("counted")))
    assert set(outcomes) == set(PATHS)
    for kind, paths in PATHS.items():
        assert paths <= outcomes[kind], (kind, outcomes[kind])
