"""README command 1: the whole main job on simulated department feeds, with a closing summary."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time

import psycopg

from rich.console import Console
from rich.table import Table

from credit import settings, warehouse
from credit.dbt import run_dbt


def _prepare_dagster_home() -> None:
    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    if not (home / "dagster.yaml").exists():
        shutil.copy(settings.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")


@contextlib.contextmanager
def department_apis(console: Console):
    """Serve the simulated department APIs on localhost for the run's HTTP feeds."""
    from ingest_connectors.simulator.api_server import serve_department_apis
    from pipelines.ingest.resources import API_BASE_URL_ENV

    with serve_department_apis(settings.landing_dir() / "api") as base_url:
        previous = os.environ.get(API_BASE_URL_ENV)
        os.environ[API_BASE_URL_ENV] = base_url
        console.print(f"  department APIs served at {base_url}")
        try:
            yield base_url
        finally:
            if previous is None:
                os.environ.pop(API_BASE_URL_ENV, None)
            else:
                os.environ[API_BASE_URL_ENV] = previous


def _check_counts(instance, run_id: str) -> tuple[int, int, int]:
    """(passed, failed with ERROR severity, failed with WARN severity) over the run's checks."""
    import dagster as dg

    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100000)
    passed = errors = warnings = 0
    for record in records.records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed:
            passed += 1
        elif evaluation.severity == dg.AssetCheckSeverity.WARN:
            warnings += 1
        else:
            errors += 1
    return passed, errors, warnings


def summary_figures(location: warehouse.WarehouseLocation) -> dict[str, int]:
    with warehouse.connect(location, autocommit=True) as conn:
        def one(query: str) -> int:
            # a stage that failed may have left a table unbuilt: report 0, the run already failed
            try:
                return int(conn.execute(query).fetchone()[0] or 0)
            except psycopg.errors.UndefinedTable:
                return 0

        return {
            "feeds": one("select count(distinct feed_key) from audit.load where status = 'loaded'"),
            "sources": one("select count(*) from audit.load where status = 'loaded'"),
            "sources_failed": one("select count(*) from audit.load where status = 'failed'"),
            "rows_received": one("select sum(rows_received) from audit.load where status = 'loaded'"),
            "rows_quarantined_landing": one("select sum(rows_quarantined) from audit.load where status = 'loaded'"),
            "rows_quarantined_gate": one("select count(*) from intermediate.int_records__unioned where is_quarantined"),
            "records_published": one("select count(*) from pub.credit_record"),
            "subjects": one("select count(*) from core.dim_credit_subject"),
            "subjects_published": one("select count(*) from pub.credit_subject"),
        }


def run_demo(*, preset: str = "demo", seed: int = 20261127, scale: float = 1.0,
             console: Console | None = None, score_gate: bool = True, simulate: bool = True) -> int:
    import dagster as dg

    from credit.runner import run_job

    console = console or Console()
    started = time.monotonic()
    console.rule("[bold]Public credit information warehouse — main job")

    console.print("[bold]1/5[/] Warehouse")
    location = warehouse.locate()
    console.print(f"  {location.describe()}")

    if simulate:
        console.print(f"[bold]2/5[/] Simulating department feeds (preset {preset}, seed {seed})")
        from ingest_connectors.simulator.generate import generate

        manifest = generate(preset=preset, seed=seed, scale=scale, out_dir=settings.landing_dir(),
                            truth_dir=settings.state_dir() / "ground_truth", progress=True)
    else:
        # the benchmarks simulate once (bench/_city.py) and run the job on a copy of the output
        console.print("[bold]2/5[/] Department feeds already in the landing zone")
        manifest = json.loads((settings.landing_dir() / "manifest.json").read_text(encoding="utf-8"))
    console.print(f"  {manifest['subjects']:,} subjects, {manifest['totals']['rows']:,} records "
                  f"over {len(manifest['feeds'])} feeds in {settings.landing_dir()}")

    console.print("[bold]3/5[/] Parsing the dbt project")
    run_dbt(["parse", "--quiet"], location)

    _prepare_dagster_home()
    instance = dg.DagsterInstance.get()
    from pipelines.definitions import defs

    console.print("[bold]4/5[/] Main job: ingest → build → check → publish")
    with department_apis(console):
        main = run_job(defs, "main_job", instance, label="main job")
    console.print("[bold]5/5[/] Reports")
    reports = run_job(defs, "reports_job", instance, label="reports")

    figures = summary_figures(location)
    passed, failed, warned = _check_counts(instance, main.run_id)
    table = Table(title="Summary", show_header=False)
    table.add_row("feeds landed / sources", f"{figures['feeds']} feeds, {figures['sources']} sources "
                                            f"({figures['sources_failed']} failed)")
    table.add_row("rows received", f"{figures['rows_received']:,}")
    table.add_row("rows quarantined", f"{figures['rows_quarantined_landing']:,} at landing, "
                                      f"{figures['rows_quarantined_gate']:,} by the field-spec gate")
    table.add_row("records published", f"{figures['records_published']:,} "
                                       f"({figures['subjects_published']:,} of {figures['subjects']:,} subjects)")
    table.add_row("checks", f"{passed} passed, {failed} failed, {warned} warnings "
                            "(warning-level field rules: rows loaded, reported to the departments)")
    if score_gate:  # off in benchmarks: scoring reads the whole ground truth
        table.add_row("gate vs ground truth", _gate_scorecard_line(location))
    table.add_row("blocked / failed steps", ", ".join(main.failed_steps + reports.failed_steps) or "none")
    table.add_row("reports", str(settings.reports_dir()))
    table.add_row("Dagster runs", f"main {main.run_id[:8]}, reports {reports.run_id[:8]} "
                                  f"(DAGSTER_HOME={settings.dagster_home()})")
    table.add_row("time", f"{time.monotonic() - started:,.0f} s")
    console.print(table)
    ok = main.success and reports.success
    if not ok:
        console.print("[yellow]Some steps failed or were blocked — see the Dagster UI (scripts/ui.sh) "
                      "and the quality report.")
    return 0 if reports.success and not _unexpected_failures(main) else 1


def _gate_scorecard_line(location: warehouse.WarehouseLocation) -> str:
    """The gate scored against the simulator's ground truth (credit/gate_scorecard.py)."""
    from credit.gate_scorecard import score

    try:
        card = score(location, settings.state_dir() / "ground_truth")
    except psycopg.errors.UndefinedTable:  # a stage failed before the gate was built
        return "not scored (the gate was not built)"
    worst = min(card.by_kind.items(), key=lambda kv: kv[1].recall, default=None)
    if worst is None:
        recall = "no defects injected"
    elif worst[1].recall == 1:
        recall = f"every injected defect caught ({len(card.by_kind)} kinds)"
    else:
        recall = f"lowest recall {worst[1].recall:.1%} ({worst[0]}) of {len(card.by_kind)} defect kinds"
    return (f"{recall}; {card.false_positives:,} of {card.clean_rows:,} clean rows quarantined; "
            f"{card.unmatched_truth_rows:,} rows unaccounted for")


def _unexpected_failures(outcome) -> list[str]:
    """Steps that failed for a reason other than the quality gate blocking a sector's publication."""
    return [s for s in outcome.failed_steps if not s.startswith("gx_")]
