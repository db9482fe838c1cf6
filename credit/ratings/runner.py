"""Run the quarterly inspection draw as a Dagster run (for the demo CLI and scripts).

The draw is the quarterly-partitioned asset ``supervision/inspection_plan`` in its own job,
``inspection_plan_job``; this runs one partition of it in process on the given instance, so the
run shows in the Dagster UI like the main job's::

    from credit.ratings.runner import run_inspection_plan
    outcome = run_inspection_plan(defs, instance)            # the current quarter
    outcome = run_inspection_plan(defs, instance, "2026Q3")  # any quarter of the partitions
"""

from __future__ import annotations

import time
import uuid

import dagster as dg

from credit.ratings.inspection import Quarter, current_quarter
from credit.runner import JobOutcome

JOB_NAME = "inspection_plan_job"


def run_inspection_plan(defs: dg.Definitions, instance: dg.DagsterInstance,
                        quarter: str | None = None) -> JobOutcome:
    """Draw (or re-draw) the plan of ``quarter`` ('2026Q4', a date, or a partition key; default:
    the current quarter) through ``inspection_plan_job``."""
    q = Quarter.parse(quarter) if quarter else current_quarter()
    job = defs.resolve_job_def(JOB_NAME)
    run_id = str(uuid.uuid4())
    started = time.monotonic()
    result = job.execute_in_process(
        instance=instance, run_id=run_id, raise_on_error=False, partition_key=q.start.isoformat(),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    failed = [e.step_key for e in result.all_events if e.is_step_failure and e.step_key]
    return JobOutcome(run_id, result.success, failed, [], time.monotonic() - started)
