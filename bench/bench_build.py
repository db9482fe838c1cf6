"""Benchmark: the full build versus the incremental build of one new day, and the credit check.

    PYTHONPATH=. python bench/bench_build.py [--scale 1.0] [--seed 20261127] [--lookups 1000]
                                            [--database credit_bench_build] [--day 2026-11-21]
                                            [--no-platform] [--archive-only] [--check-only]

City preset (300,000 subjects, ≈5 M records at --scale 1): simulate (once: the simulation is
cached by bench/_city.py and shared with bench_ingest and bench_resolve; this benchmark works on a
hard-linked copy of it, since the new day appends to it), land every feed, then
  1. full build     `dbt build` of the whole project on the bulk load;
  2. no-op build    the same again with nothing new — the fixed cost of a run (dbt start, hooks,
                    one statement per model, tests), the floor any incremental run pays;
  3. one new day    simulator generate_day + landing (timed apart), then `dbt build` with the run
                    window (--vars load_window_end), as the daily job runs it.
Prints the three times, incremental/full (target ≤ 5 %), where each run spent its time, and the
p50/p95 of pub.credit_check over --lookups random identifiers (USCCs, names, ID numbers) asked
as the downstream role (target p95 ≤ 10 ms).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import psycopg  # noqa: E402

import _city  # noqa: E402
from credit import settings, warehouse  # noqa: E402
from tests.archive import harness  # noqa: E402

#: How the nodes of a run are grouped in the breakdown (first match on the node name).
STAGES = (
    ("gate (incremental)", "int_gate__"),
    ("unioned (incremental)", "int_records__unioned"),
    ("subject resolution", ("int_records__", "int_subjects__", "dim_credit_subject", "mart_resolution")),
    ("credit record (incremental)", "fct_credit_record"),
    ("snapshots", "snap_"),
    ("staging views", "stg_"),
    ("seeds", "seed."),
    ("tests", "test."),
)


def stage_of(unique_id: str) -> str:
    name = unique_id.split(".")[-1]
    if unique_id.startswith("test."):
        return "tests"
    if unique_id.startswith("seed."):
        return "seeds"
    for stage, prefixes in STAGES:
        prefixes = prefixes if isinstance(prefixes, tuple) else (prefixes,)
        if any(name.startswith(p) for p in prefixes):
            return stage
    return "other models (marts, pub, …)"


def breakdown(results: dict) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for node in results["results"]:
        totals[stage_of(node["unique_id"])] += node["execution_time"]
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def build(location, label: str, selection: tuple[str, ...] = (), variables: dict | None = None) -> tuple[float, dict]:
    result = harness.dbt(location, "build", *selection, variables=variables, check=False)
    results = harness.run_results(location)
    failed = [r["unique_id"] for r in results["results"] if r["status"] in ("error", "fail")]
    print(f"  {label}: {result.seconds:,.1f} s ({len(results['results'])} nodes"
          + (f", {len(failed)} failed: {', '.join(failed[:5])}" if failed else "") + ")", flush=True)
    return result.seconds, results


def identifiers_to_check(location, truth: Path, n: int, rng: random.Random) -> list[str]:
    with psycopg.connect(location.conninfo()) as conn:
        usccs = [r[0] for r in conn.execute("select uscc from core.dim_credit_subject where uscc is not null")]
        names = [r[0] for r in conn.execute("select canonical_name from core.dim_credit_subject "
                                            "where subject_kind <> 'natural_person' and canonical_name is not null")]
    with (truth / "subjects.csv").open(encoding="utf-8") as handle:
        ids = [r["id_number"] for r in csv.DictReader(handle) if r["id_number"]]
    pools = [(usccs, 0.5), (names, 0.25), (ids, 0.25)]
    picks = []
    for _ in range(n):
        pool = rng.choices([p for p, _ in pools if p], weights=[w for p, w in pools if p])[0]
        picks.append(rng.choice(pool))
    return picks


def check_latencies(location, identifiers: list[str]) -> list[float]:
    password = os.environ.get("CREDIT_DOWNSTREAM_PASSWORD", "downstream-dev-password")
    conninfo = psycopg.conninfo.make_conninfo(location.conninfo(), user="credit_downstream", password=password)
    timings = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for identifier in identifiers[:20]:  # warm the connection's caches
            conn.execute("select * from pub.credit_check(%s)", (identifier,)).fetchall()
        for identifier in identifiers:
            started = time.perf_counter()
            conn.execute("select * from pub.credit_check(%s)", (identifier,)).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def latency_summary(timings: list[float]) -> dict:
    """lookups, p50, p95 and max (ms, two decimals) of credit-check timings."""
    return {"lookups": len(timings), "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2), "max_ms": round(max(timings), 2)}


def print_latencies(timings: list[float]) -> None:
    print(f"credit_check          p50 {statistics.median(timings):.2f} ms   p95 {percentile(timings, 0.95):.2f} ms"
          f"   max {max(timings):.2f} ms over {len(timings)} lookups  (target p95 ≤ 10 ms)"
          f"{'  OK' if percentile(timings, 0.95) <= 10 else '  MISSED'}")


def main(argv: list[str] | None = None) -> int:
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.catalogue.loader import Catalogue
    from ingest_connectors.simulator.generate import generate_day

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--database", default="credit_bench_build")
    parser.add_argument("--day", default="2026-11-21", help="the new day (after the preset's last one)")
    parser.add_argument("--archive-only", action="store_true",
                        help="build the archive path only (gate → subjects → credit record → archive marts, "
                             "double-publicity views, snapshots), not the list engine and ratings — and so "
                             "not pub.credit_check, which reads them: no latency figures")
    parser.add_argument("--no-platform", action="store_true",
                        help="simulate the 20 sectors' feeds only, not the platform's lifecycle feeds")
    parser.add_argument("--check-only", action="store_true",
                        help="only the credit_check latencies, on --database as an earlier run left it")
    parser.add_argument("--truth", type=Path, help="with --check-only: the ground truth of that run "
                                                  "(default: <state>/bench/build/<database>/truth)")
    args = parser.parse_args(argv)
    root = settings.state_dir() / "bench" / "build" / args.database  # one per database: runs may overlap
    if args.check_only:
        location = warehouse.locate(create=False).with_database(args.database)
        lookups = identifiers_to_check(location, args.truth or root / "truth", args.lookups,
                                       random.Random(args.seed))
        print_latencies(check_latencies(location, lookups))
        return 0
    cat = catalogue()
    if args.no_platform:
        cat = Catalogue(cat.sectors, cat.lookups)

    location = warehouse.locate(create=False).with_database(args.database)
    if location.embedded:
        warehouse.drop_database(location)
    warehouse.ensure_database(location)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(harness.target_path(location), ignore_errors=True)

    print(f"bench_build: preset {args.preset} x{args.scale}, seed {args.seed}"
          f"{', sector feeds only' if args.no_platform else ''}"
          f"{', archive path only' if args.archive_only else ', whole project'}, {location.describe()}", flush=True)
    cached_landing, cached_truth, manifest = _city.simulated(args.preset, args.scale, args.seed,
                                                            platform=not args.no_platform,
                                                            log=lambda m: print(f"  {m}", flush=True))
    landing, truth = _city.working_copy(cached_landing, cached_truth, root)
    harness.prepare(location)
    started = time.monotonic()
    # the whole catalogue: every feed gets its raw table (empty for the platform feeds with
    # --no-platform), as the dbt sources need
    rows = _city.land(location, landing, catalogue(), strict=False)
    harness.release_all(location)
    print(f"  landed {rows:,} rows in {time.monotonic() - started:,.0f} s", flush=True)

    archive_path = [m for m in harness.ARCHIVE_MODELS if m != "pub_credit_subject"]
    selection = ("--select", *(f"+{m}" for m in archive_path), "--indirect-selection", "cautious") \
        if args.archive_only else ()
    full, full_results = build(location, "full build", selection)
    noop, noop_results = build(location, "no-op build (nothing new)", selection)

    manifest = generate_day(args.day, preset=args.preset, seed=args.seed, scale=args.scale,
                            out_dir=landing, truth_dir=truth, cat=cat)
    day_rows = manifest["days"][-1]["totals"]["rows"]
    started = time.monotonic()
    landed = _city.land(location, landing, catalogue(), strict=False)
    harness.release_all(location)
    land_seconds = time.monotonic() - started
    with psycopg.connect(location.conninfo()) as conn:
        window_end = conn.execute("select max(load_id) from audit.load where status = 'loaded'").fetchone()[0]
    print(f"  new day {args.day}: {day_rows:,} rows simulated, {landed:,} landed in {land_seconds:,.1f} s", flush=True)
    incremental, inc_results = build(location, "incremental build of the day", selection,
                                     variables={"load_window_end": window_end})

    timings = []
    if not args.archive_only:
        rng = random.Random(args.seed)
        lookups = identifiers_to_check(location, truth, args.lookups, rng)
        timings = check_latencies(location, lookups)

    ratio = incremental / full
    print()
    print(f"full build            {full:9,.1f} s")
    print(f"no-op build           {noop:9,.1f} s   (fixed cost of a run: {noop / full:.1%} of full)")
    print(f"incremental (1 day)   {incremental:9,.1f} s   ratio {ratio:.1%}  (target ≤ 5%)"
          f"{'  OK' if ratio <= 0.05 else '  MISSED'}")
    if timings:
        print_latencies(timings)
    else:
        print("credit_check          not measured (--archive-only builds neither the list engine nor the ratings)")
    print()
    print("where the time went (sum of node execution times, s; threads overlap):")
    stages = list(dict.fromkeys([*breakdown(full_results), *breakdown(inc_results)]))
    full_b, noop_b, inc_b = breakdown(full_results), breakdown(noop_results), breakdown(inc_results)
    print(f"  {'stage':32} {'full':>9} {'no-op':>9} {'one day':>9}")
    for stage in stages:
        print(f"  {stage:32} {full_b.get(stage, 0):9.1f} {noop_b.get(stage, 0):9.1f} {inc_b.get(stage, 0):9.1f}")
    slowest = sorted(inc_results["results"], key=lambda r: -r["execution_time"])[:8]
    print("slowest nodes of the incremental run:")
    for node in slowest:
        print(f"  {node['execution_time']:7.1f} s  {node['unique_id']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
