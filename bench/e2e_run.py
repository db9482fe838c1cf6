"""Benchmark helper: one end-to-end main job (README command 1's work) on a city-preset scale,
in its own state folder, with wall time and peak memory per stage.

    PYTHONPATH=. python bench/e2e_run.py --scale 0.25 --state /tmp/bench_e2e_025 [--json out.json]

Stages come from the Dagster event log of the run (ingest, dbt build, GX checks, publish,
reports) plus the simulator's generation. Peak memory is the resident set of this process tree
(the pipeline, dbt's subprocesses), sampled every 0.2 s and attributed to the stage running then;
the PostgreSQL server's own memory is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil


class MemorySampler:
    """Samples the RSS of this process and its children, and of the PostgreSQL server."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.samples: list[tuple[float, int, int]] = []  # (time, pipeline rss, postgres rss)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in procs if p.is_running())
            except psutil.Error:
                rss = 0
            pg = 0
            for p in psutil.process_iter(["name"]):
                if p.info["name"] == "postgres":
                    try:
                        pg += p.memory_info().rss
                    except psutil.Error:
                        pass
            self.samples.append((time.time(), rss, pg))
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, start: float, end: float) -> tuple[int, int]:
        inside = [(r, p) for t, r, p in self.samples if start <= t <= end] or [(0, 0)]
        return max(r for r, _ in inside), max(p for _, p in inside)


def _stage_of(step_key: str) -> str:
    if step_key.startswith("raw__") or step_key.startswith("registration_base"):
        return "ingest"
    if step_key.startswith("warehouse_models") or step_key.startswith("dbt"):
        return "dbt build"
    if step_key.startswith("gx_"):
        return "GX checks"
    if step_key.startswith("publish"):
        return "publish"
    return "reports" if step_key.startswith("reports") else step_key.split("__")[0]


def stage_windows(instance, run_ids: list[str]) -> dict[str, tuple[float, float, float]]:
    """stage → (first start, last end, summed step seconds) from the runs' event logs."""
    import dagster as dg

    windows: dict[str, list[float]] = {}
    for run_id in run_ids:
        starts: dict[str, float] = {}
        records = instance.get_records_for_run(
            run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                             dg.DagsterEventType.STEP_FAILURE}, limit=1_000_000).records
        for record in records:
            entry = record.event_log_entry
            if entry.dagster_event.event_type == dg.DagsterEventType.STEP_START:
                starts[entry.step_key] = entry.timestamp
                continue
            begin = starts.get(entry.step_key, entry.timestamp)
            stage = _stage_of(entry.step_key)
            w = windows.setdefault(stage, [begin, entry.timestamp, 0.0])
            w[0], w[1], w[2] = min(w[0], begin), max(w[1], entry.timestamp), w[2] + entry.timestamp - begin
    return {k: (v[0], v[1], v[2]) for k, v in windows.items()}


def run(scale: float, state: Path, seed: int = 20261127) -> dict:
    if state.exists():
        shutil.rmtree(state)
    state.mkdir(parents=True)
    os.environ.update({
        "CREDIT_STATE_DIR": str(state), "CREDIT_REPORTS_DIR": str(state / "reports"),
        "DAGSTER_HOME": str(state / "dagster_home"),
    })
    os.environ.setdefault("XDG_RUNTIME_DIR", str(state / "run"))
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    from rich.console import Console

    from credit import settings, warehouse
    from credit.demo import run_demo

    with MemorySampler() as sampler:
        t0 = time.time()
        code = run_demo(preset="city", seed=seed, scale=scale, console=Console(quiet=True), score_gate=False)
        t1 = time.time()
    import dagster as dg

    instance = dg.DagsterInstance.get()
    runs = [r.run_id for r in instance.get_runs(limit=10)]
    windows = stage_windows(instance, runs)
    manifest = json.loads((settings.landing_dir() / "manifest.json").read_text())
    first_step = min((w[0] for w in windows.values()), default=t1)
    stages = {"generate + parse": {"seconds": round(first_step - t0, 1),
                                   "peak_rss_mb": round(sampler.peak(t0, first_step)[0] / 2**20)}}
    for name, (begin, end, _) in sorted(windows.items(), key=lambda kv: kv[1][0]):
        rss, pg = sampler.peak(begin, end)
        stages[name] = {"seconds": round(end - begin, 1), "peak_rss_mb": round(rss / 2**20),
                        "postgres_rss_mb": round(pg / 2**20)}
    with warehouse.connect() as conn:
        published = conn.execute("select count(*) from pub.credit_record").fetchone()[0]
    warehouse.stop_embedded()
    return {"scale": scale, "records": manifest["totals"]["rows"], "subjects": manifest["subjects"],
            "exit_code": code, "seconds": round(t1 - t0, 1), "records_published": published, "stages": stages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--json")
    args = parser.parse_args()
    figures = run(args.scale, args.state)
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    sys.exit(figures["exit_code"])


if __name__ == "__main__":
    main()
