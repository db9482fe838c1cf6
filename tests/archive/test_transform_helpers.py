"""Pure helpers of the dbt assets (pipelines/transform/assets.py): no database needed."""

from __future__ import annotations

import json

from pipelines.transform.assets import dbt_build_args, load_window_vars


def test_the_run_window_is_passed_as_vars():
    assert load_window_vars(42) == {"load_window_end": 42}
    assert load_window_vars(None) == {}
    assert load_window_vars(7, "2026-04-01") == {"load_window_end": 7, "as_of_date": "2026-04-01"}


def test_build_arguments_carry_the_vars_as_json():
    assert dbt_build_args() == ["build", "--indirect-selection", "buildable"]
    args = dbt_build_args({"load_window_end": 42})
    assert args[:4] == ["build", "--indirect-selection", "buildable", "--vars"]
    assert json.loads(args[4]) == {"load_window_end": 42}
