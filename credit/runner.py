"""Run a Dagster job of the code location on the project's instance, showing progress."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

import dagster as dg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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

    worker = threading.Thread(target=execute, name=f"dagster-{job_name}", daemon=True)
    worker.start()
    done: set[str] = set()
    failed: list[str] = []
    skipped: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("[dim]{task.fields[current]}"))
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(label, total=total_steps, current="")
        cursor = None
        while worker.is_alive() or cursor is None:
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
            if not worker.is_alive():
                break
            time.sleep(0.5)
        progress.update(task, completed=max(len(done), total_steps), current="done")
    worker.join()
    if "error" in result:
        raise result["error"]
    return JobOutcome(run_id, result["value"].success, failed, skipped, time.monotonic() - started)
