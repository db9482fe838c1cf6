"""Run a Dagster job of the code location on the project's instance, showing progress."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from credit import settings

_STEP_DONE = {
    dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED,
}


@dataclass
class JobOutcome:
    run_id: str
    success: bool
    failed_steps: list[str]
    skipped_steps: list[str]
    seconds: float


def run_job(defs: dg.Definitions, job_name: str, instance: dg.DagsterInstance, *, label: str) -> JobOutcome:
    """Execute ``job_name`` in process, with a progress bar over its steps."""
    job = defs.resolve_job_def(job_name)
    run_id = str(uuid.uuid4())
    total_steps = len(job.graph.node_dict)  # one step per node (op / multi-asset / check)
    result: dict = {}
    started = time.monotonic()

    def execute() -> None:
        try:
            result["value"] = job.execute_in_process(
                instance=instance, run_id=run_id, raise_on_error=False,
                # the progress bar is the console view; every event still goes to the instance
                run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            )
        except BaseException as exc:  # surfaced below, after the progress bar closes
            result["error"] = exc

    # The terminal shows the progress bar; everything the run prints (dbt's own output, which
    # dagster-dbt echoes to stdout, and the run's INFO logging) goes to a log file beside the
    # Dagster instance -- the full event log stays in the instance and the UI.
    console = Console(file=sys.stdout)
    log_path = run_log_path(job_name, run_id)
    with open(log_path, "a", encoding="utf-8") as log_file, contextlib.redirect_stdout(log_file), \
            _logging_to(log_file):
        console.print(f"  [dim]run {run_id[:8]}; its output: {log_path}")
        failed, skipped = _run_with_progress(instance, run_id, execute, job_name, total_steps, label, console)
    if "error" in result:
        raise result["error"]
    return JobOutcome(run_id, result["value"].success, failed, skipped, time.monotonic() - started)


def run_log_path(job_name: str, run_id: str) -> Path:
    folder = settings.dagster_home() / "run_output"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_name}-{run_id[:8]}.log"


@contextlib.contextmanager
def _logging_to(log_file):
    """Route the root logger's console handlers to ``log_file`` while a run executes (warnings
    and errors still reach the terminal through stderr)."""
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h, logging.StreamHandler)
                and not isinstance(h, logging.FileHandler)]
    levels = [h.level for h in handlers]
    to_file = logging.StreamHandler(log_file)
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(to_file)
    for h in handlers:
        h.setLevel(max(h.level, logging.WARNING))
    try:
        yield
    finally:
        root.removeHandler(to_file)
        for h, level in zip(handlers, levels):
            h.setLevel(level)


def _run_with_progress(instance, run_id, execute, job_name, total_steps, label, console):
    worker = threading.Thread(target=execute, name=f"dagster-{job_name}", daemon=True)
    worker.start()
    done: set[str] = set()
    failed: list[str] = []
    skipped: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("[dim]{task.fields[current]}"))
    with Progress(*columns, transient=False, console=console) as progress:
        task = progress.add_task(label, total=total_steps, current="")
        cursor = None
        while True:
            # Read whether the run is over before reading its events: the last read after it ended
            # then sees every event (a step that fails last, ending the run, is not missed).
            finished = not worker.is_alive()
            records = instance.get_records_for_run(run_id, cursor=cursor, of_type=_STEP_DONE | {dg.DagsterEventType.STEP_START})
            cursor = records.cursor
            for record in records.records:
                entry = record.event_log_entry
                event = entry.dagster_event
                if event is None or entry.step_key is None:
                    continue
                if event.event_type == dg.DagsterEventType.STEP_START:
                    progress.update(task, current=entry.step_key)
                    continue
                done.add(entry.step_key)
                if event.event_type == dg.DagsterEventType.STEP_FAILURE:
                    failed.append(entry.step_key)
                elif event.event_type == dg.DagsterEventType.STEP_SKIPPED:
                    skipped.append(entry.step_key)
                progress.update(task, completed=len(done))
            if finished:
                break
            time.sleep(0.5)
        progress.update(task, completed=max(len(done), total_steps), current="done")
    worker.join()
    return failed, skipped
