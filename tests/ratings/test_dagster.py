"""The Dagster side: the quarterly plan asset, the rating report asset, the jobs."""

from __future__ import annotations

import dagster as dg

from credit import warehouse
from credit.ratings import config as rating_config


def _env(monkeypatch, rated, tmp_path):
    monkeypatch.setenv(warehouse.DATABASE_OVERRIDE_ENV, rated.location.dbname)
    monkeypatch.setenv(rating_config.CONFIG_DIR_ENV, str(rated.config_dir))
    monkeypatch.setenv("CREDIT_REPORTS_DIR", str(tmp_path / "reports"))


def test_jobs_keep_the_partitioned_plan_out_of_the_main_job():
    from pipelines.definitions import defs

    main = defs.resolve_job_def("main_job")
    assert main.partitions_def is None
    assert not [n for n in main.graph.node_dict if "inspection_plan" in n]
    plans = defs.resolve_job_def("inspection_plan_job")
    keys = plans.partitions_def.get_partition_keys()
    assert keys[0] == "2021-10-01" and "2026-10-01" in keys
    assert "reports__rating_report" in defs.resolve_job_def("reports_job").graph.node_dict


def test_the_plan_asset_draws_a_quarter(monkeypatch, rated, tmp_path):
    from pipelines.ratings.assets import inspection_plan
    from pipelines.resources import WarehouseResource

    _env(monkeypatch, rated, tmp_path)
    result = dg.materialize([inspection_plan], partition_key="2023-04-01",
                            resources={"warehouse": WarehouseResource()})
    assert result.success
    metadata = result.asset_materializations_for_node("supervision__inspection_plan")[0].metadata
    assert metadata["seed"].value == "HS-SJ-2026:2023Q2"
    assert rated.value("select subjects_selected from pub.inspection_plan where quarter = '2023Q2'") \
        == metadata["subjects_selected"].value > 0


def test_the_rating_report_is_written(monkeypatch, rated, tmp_path):
    from pipelines.ratings.assets import rating_report
    from pipelines.resources import WarehouseResource

    _env(monkeypatch, rated, tmp_path)
    result = dg.materialize([rating_report], resources={"warehouse": WarehouseResource()})
    assert result.success
    index = tmp_path / "reports" / "ratings" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.count("<svg") >= 6
    for expected in ("Per district", "Per sector", "Score distribution", "Sector ratings", "黄石港区", "税务",
                     "Random inspection", "Integrity demonstration candidates"):
        assert expected in html, expected
