"""Benchmark helper: the end-to-end main job (README command 1's work) on a city-preset scale,
in its own state folder, with wall time and peak memory per stage; optionally then one new day
through the same job, and the credit check's latency.

    PYTHONPATH=. python bench/e2e_run.py --scale 0.25 --state .local/bench/e2e_0.25 [--json out.json]
                                         [--new-day 2026-11-21] [--lookups 1000]

The simulator's output (every feed: the 20 sectors and the platform's lifecycle feeds) comes from
the benchmarks' cache (bench/_city.py; simulated there once, timed apart: it is test data, not the
platform's work) and is copied into the state folder, so the timed run is what command 1 does
after simulating: the main job (ingest, dbt build, GX gate, publish) and the reports job.

Stages come from the Dagster event log of the runs. Peak memory is the resident set of this
process tree (the pipeline, dbt's subprocesses), sampled every 0.2 s and attributed to the stage
running then; the PostgreSQL server's own memory is reported apart.

``--new-day``: the simulator appends one day to the landing zone and the same two jobs run again
— the daily run, incremental by design; its time beside the full run's is the incremental ratio.
``--lookups``: p50/p95 of ``pub.credit_check`` asked as the downstream role over that many random
identifiers (USCCs, names, ID numbers).
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

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]


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


#: step key prefix → stage (first match)
STAGE_PREFIXES = (
    (("raw__", "registration_base"), "ingest"),
    (("warehouse_models", "incremental_models", "warehouse_snapshots", "dbt"), "dbt build"),
    (("gx_",), "GX checks"),
    (("publish",), "publish"),
    (("reports",), "reports"),
)


def _stage_of(step_key: str) -> str:
    for prefixes, stage in STAGE_PREFIXES:
        if step_key.startswith(prefixes):
            return stage
    return step_key.split("__")[0]


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


def _run_jobs(instance, sampler: "MemorySampler", **demo_args) -> dict:
    """run_demo on the landing zone as it is: seconds, exit code and stages of its runs."""
    from rich.console import Console

    from credit.demo import run_demo

    before = {r.run_id for r in instance.get_runs(limit=1000)}
    t0 = time.time()
    code = run_demo(console=Console(quiet=True), score_gate=False, simulate=False, **demo_args)
    t1 = time.time()
    runs = [r.run_id for r in instance.get_runs(limit=1000) if r.run_id not in before]
    stages = {}
    for name, (begin, end, _) in sorted(stage_windows(instance, runs).items(), key=lambda kv: kv[1][0]):
        rss, pg = sampler.peak(begin, end)
        stages[name] = {"seconds": round(end - begin, 1), "peak_rss_mb": round(rss / 2**20),
                        "postgres_rss_mb": round(pg / 2**20)}
    return {"exit_code": code, "seconds": round(t1 - t0, 1), "stages": stages,
            "peak_rss_mb": round(sampler.peak(t0, t1)[0] / 2**20)}


def _simulate_day(day: str, seed: int, scale: float, landing: Path, truth: Path) -> int:
    """Append one day to the landing zone in a child process that has exited before the jobs
    start: the simulator holds the whole city in memory (1.6 GiB at 1×), which is test data, not
    the platform's footprint, and must not count in the daily run's peak memory."""
    import subprocess

    code = (
        "import json, sys\n"
        "from ingest_connectors.catalogue import catalogue\n"
        "from ingest_connectors.simulator.generate import generate_day\n"
        f"m = generate_day({day!r}, preset='city', seed={seed}, scale={scale}, out_dir={str(landing)!r}, "
        f"truth_dir={str(truth)!r}, cat=catalogue())\n"
        "print(json.dumps(m['days'][-1]['totals']['rows']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return int(done.stdout.strip().splitlines()[-1])


def _finished_runs(instance) -> dict:
    """--resume: the figures of the runs already in the state's Dagster instance (the full run of
    an earlier invocation that stopped before writing them)."""
    runs = instance.get_runs(limit=1000)
    windows = stage_windows(instance, [r.run_id for r in runs])
    stages = {name: {"seconds": round(end - begin, 1), "peak_rss_mb": None, "postgres_rss_mb": None}
              for name, (begin, end, _) in sorted(windows.items(), key=lambda kv: kv[1][0])}
    begin = min(w[0] for w in windows.values())
    end = max(w[1] for w in windows.values())
    return {"exit_code": int(any(r.status.value != "SUCCESS" for r in runs)), "seconds": round(end - begin, 1), "stages": stages,
            "peak_rss_mb": None, "resumed": True}


def run(scale: float, state: Path, seed: int = 20261127, new_day: str | None = None, lookups: int = 0,
        resume: bool = False) -> dict:
    import _city

    t0 = time.time()
    cached_landing, cached_truth, manifest = _city.simulated("city", scale, seed, platform=True,
                                                            log=lambda m: print(m, flush=True))
    simulation_seconds = round(time.time() - t0, 1)
    if resume:
        landing, truth = state / "landing", state / "truth"
    else:
        if state.exists():
            shutil.rmtree(state)
        state.mkdir(parents=True)
        landing, truth = _city.working_copy(cached_landing, cached_truth, state)
    os.environ.update({
        "CREDIT_STATE_DIR": str(state), "CREDIT_REPORTS_DIR": str(state / "reports"),
        "DAGSTER_HOME": str(state / "dagster_home"), "CREDIT_LANDING_DIR": str(landing),
        "CREDIT_GROUND_TRUTH_DIR": str(truth),
    })
    os.environ.setdefault("XDG_RUNTIME_DIR", str(state / "run"))
    os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    import dagster as dg

    from credit import warehouse

    figures = {"scale": scale, "records": manifest["totals"]["rows"], "subjects": manifest["subjects"],
               "simulation_seconds": simulation_seconds}
    with MemorySampler() as sampler:
        (state / "dagster_home").mkdir(parents=True, exist_ok=True)
        if not resume:
            shutil.copy(Path(__file__).resolve().parent.parent / "dagster.yaml", state / "dagster_home" / "dagster.yaml")
        instance = dg.DagsterInstance.get()
        full = (_finished_runs(instance) if resume
                else _run_jobs(instance, sampler, preset="city", seed=seed, scale=scale))
        figures.update(full)
        with warehouse.connect() as conn:
            figures["records_published"] = conn.execute("select count(*) from pub.credit_record").fetchone()[0]
        if new_day:
            day_rows = _simulate_day(new_day, seed, scale, landing, truth)
            day = _run_jobs(instance, sampler, preset="city", seed=seed, scale=scale)
            day.update(date=new_day, records=day_rows)
            figures["new_day"] = day
    if lookups:
        import random

        import bench_build

        location = warehouse.locate()
        identifiers = bench_build.identifiers_to_check(location, truth, lookups, random.Random(seed))
        timings = bench_build.check_latencies(location, identifiers)
        figures["credit_check"] = bench_build.latency_summary(timings)
    warehouse.stop_embedded()
    return figures


def _mib(value) -> str:
    return "not sampled" if value is None else f"{value:6,} MiB"


def report(f: dict) -> None:
    """The figures as text (run_all keeps this output verbatim)."""
    print(f"end-to-end ×{f['scale']}: {f['records']:,} records of {f['subjects']:,} subjects "
          f"(simulated or read from the cache in {f['simulation_seconds']:,.0f} s, not timed below)")
    print(f"  main job + reports: {f['seconds']:,.1f} s, exit {f['exit_code']}, "
          f"{f['records_published']:,} records published, peak RSS {_mib(f['peak_rss_mb'])}"
          + (" (resumed: times from the Dagster event log, memory not sampled)" if f.get("resumed") else ""))
    for name, st in f["stages"].items():
        print(f"    {name:<12} {st['seconds']:9,.1f} s   peak RSS {_mib(st['peak_rss_mb'])}   "
              f"PostgreSQL {_mib(st['postgres_rss_mb'])}")
    if "new_day" in f:
        d = f["new_day"]
        ratio = d["seconds"] / f["seconds"]
        print(f"  one new day {d['date']} ({d['records']:,} records): {d['seconds']:,.1f} s, exit {d['exit_code']}")
        for name, st in d["stages"].items():
            full = f["stages"].get(name, {}).get("seconds")
            share = f"   {st['seconds'] / full:6.1%} of the full run's" if full else ""
            print(f"    {name:<12} {st['seconds']:9,.1f} s{share}")
        print(f"incremental (1 day) {d['seconds']:,.1f} s vs full {f['seconds']:,.1f} s: ratio {ratio:.1%} "
              f"(target ≤ 5%){'  OK' if ratio <= 0.05 else '  MISSED'}")
    if "credit_check" in f:
        c = f["credit_check"]
        print(f"credit_check p50 {c['p50_ms']:.2f} ms   p95 {c['p95_ms']:.2f} ms   max {c['max_ms']:.2f} ms "
              f"over {c['lookups']:,} lookups as the downstream role (target p95 ≤ 10 ms)"
              f"{'  OK' if c['p95_ms'] <= 10 else '  MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--state", type=Path, required=True)
    parser.add_argument("--new-day", help="then simulate this day (after the preset's last) and run the jobs again")
    parser.add_argument("--lookups", type=int, default=0, help="then time pub.credit_check over this many lookups")
    parser.add_argument("--resume", action="store_true",
                        help="keep --state: its full run is done (read from its Dagster instance); go on from there")
    parser.add_argument("--json")
    args = parser.parse_args()
    figures = run(args.scale, args.state.resolve(), args.seed, args.new_day, args.lookups, args.resume)
    report(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    sys.exit(figures["exit_code"] or figures.get("new_day", {}).get("exit_code", 0))


if __name__ == "__main__":
    main()
