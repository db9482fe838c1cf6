"""credit.runner.run_job: the account of a run includes the steps that ended it."""

from __future__ import annotations

import dagster as dg

from credit.runner import run_job


@dg.asset
def upstream() -> int:
    return 1


@dg.asset
def fails_last(upstream: int) -> int:
    raise RuntimeError("the last step of the run fails")


@dg.asset
def never_runs(fails_last: int) -> int:
    return fails_last


def test_a_step_that_fails_last_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    # A run of a fraction of a second: it is over before the runner's first pause, so its failure
    # is among the events the runner reads after the run ended.
    defs = dg.Definitions(assets=[upstream, fails_last, never_runs],
                          jobs=[dg.define_asset_job("short", selection="*")])
    with dg.instance_for_test() as instance:
        for _ in range(3):
            outcome = run_job(defs, "short", instance, label="short")
            assert not outcome.success
            assert outcome.failed_steps == ["fails_last"]
            assert outcome.skipped_steps == []
