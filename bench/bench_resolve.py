"""Benchmark: standardise + resolve versus a plain CREATE TABLE … AS SELECT of the same rows.

    PYTHONPATH=. python bench/bench_resolve.py [--preset city] [--scale 1.0] [--seed 20261127]
                                               [--reuse] [--repeat 1]

Quick check (≈100,000 records): ``--scale 0.02``.

1. The preset is simulated once into the benchmarks' cache (``bench/_city.py``:
   ``.local/bench/sim/<preset>_<scale>_<seed>/``, shared with bench_ingest and bench_build) and
   reused while its manifest matches (the 20 sectors' feeds: the credit records that resolution
   works on, not the platform's lifecycle feeds); ``--reuse`` also skips the landing when the database
   already holds the landed rows.
2. Every feed is landed into ``raw.*`` of the database ``credit_bench_resolve`` (or
   ``CREDIT_WAREHOUSE_DB``), with the registration base data. Timed, but not part of the ratio.
3. Baseline: ``create table bench.raw_union as select … from raw.<feed> union all …`` — every raw
   row of every feed, all columns (a feed's missing columns as null): a plain copy of the same
   rows in one statement.
4. Standardise + resolve: ``dbt build --full-refresh`` of everything ``dim_credit_subject``
   depends on and itself: staging views (parsing, identifier and name standardisation), gate
   tables, the unioned records, identification, keying, names, name matching
   (``int_records__resolved``) and the subject master. Seeds and the SQL functions are installed
   beforehand and not timed.

Prints both times, the dbt time per model layer, and the ratio (target ≤ 3×). The baseline runs
before and after the dbt build; the faster of the two is the one the ratio uses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
os.environ.setdefault("CREDIT_WAREHOUSE_DB", "credit_bench_resolve")

from psycopg import sql  # noqa: E402

import _city  # noqa: E402
from credit import warehouse  # noqa: E402
from credit.dbt import run_dbt  # noqa: E402

CHAIN = "+dim_credit_subject"
LAYERS = [  # (label, model-name prefix)
    ("staging views", "stg_"), ("gate tables", "int_gate__"), ("unioned", "int_records__unioned"),
    ("identified", "int_records__identified"), ("keyed", "int_records__keyed"),
    ("registration base", "int_subjects__registration_base"), ("names", "int_subjects__names"),
    ("resolved", "int_records__resolved"), ("subject master", "dim_credit_subject"),
]


def log(message: str) -> None:
    print(message, flush=True)


def dbt(args: list[str], location, target: Path) -> float:
    env = {"DBT_TARGET_PATH": str(target / "target"), "DBT_LOG_PATH": str(target / "logs")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        started = time.perf_counter()
        result = run_dbt(args, location, check=False, capture=True)
        elapsed = time.perf_counter() - started
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if result.returncode != 0:
        sys.exit(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
    return elapsed


sector_catalogue = _city.sector_catalogue


def baseline(location) -> tuple[float, int]:
    """CREATE TABLE … AS SELECT of every raw row of every feed, all columns, in one statement."""
    feeds = [f.key for f in sector_catalogue().feeds()]
    with warehouse.connect(location) as conn:
        columns: dict[str, set[str]] = {}
        for feed, column in conn.execute(
                "select table_name, column_name from information_schema.columns"
                " where table_schema = 'raw' and table_name = any(%s)", (feeds,)).fetchall():
            columns.setdefault(feed, set()).add(column)
        every = sorted(set().union(*columns.values()))
        selects = [
            sql.SQL("select {} from {}").format(
                sql.SQL(", ").join(
                    sql.Identifier(c) if c in columns[feed] else sql.SQL("null::text as {}").format(sql.Identifier(c))
                    for c in every),
                sql.Identifier("raw", feed))
            for feed in feeds if feed in columns]
        conn.execute("create schema if not exists bench")
        conn.execute("drop table if exists bench.raw_union")
        conn.commit()
        statement = sql.SQL("create table bench.raw_union as {}").format(sql.SQL(" union all ").join(selects))
        started = time.perf_counter()
        conn.execute(statement)
        conn.commit()
        elapsed = time.perf_counter() - started
        rows = conn.execute("select count(*) from bench.raw_union").fetchone()[0]
        conn.execute("drop table bench.raw_union")
        conn.commit()
    return elapsed, rows


def layer_times(target: Path) -> dict[str, float]:
    results = json.loads((target / "target" / "run_results.json").read_text(encoding="utf-8"))
    times = {label: 0.0 for label, _ in LAYERS}
    times["other (seeds, tests)"] = 0.0
    for r in results["results"]:
        name = r["unique_id"].split(".")[-1]
        label = next((lbl for lbl, prefix in LAYERS if name.startswith(prefix)), "other (seeds, tests)")
        times[label] += r["execution_time"]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database and its landed raw rows from an earlier run")
    parser.add_argument("--repeat", type=int, default=1, help="dbt builds; the fastest is shown")
    args = parser.parse_args()

    location = warehouse.locate(create=False)
    log(f"warehouse: {location.describe()}")
    reuse = False
    if args.reuse:
        try:
            with warehouse.connect(location) as conn:
                reuse = conn.execute("select count(*) from audit.load where status = 'loaded'").fetchone()[0] > 0
        except Exception:  # noqa: BLE001 - no database or no audit table yet
            reuse = False
    if not reuse:
        if location.embedded:
            warehouse.drop_database(location)
        location = warehouse.locate()
        landing, _, _ = _city.simulated(args.preset, args.scale, args.seed, platform=False, log=log)
        started = time.perf_counter()
        rows = _city.land(location, landing, sector_catalogue())
        log(f"landed {rows:,} rows in {time.perf_counter() - started:.0f} s (not part of the ratio)")
    else:
        location = warehouse.locate()
        log("reusing the landed raw rows")

    with tempfile.TemporaryDirectory(prefix="bench_resolve_dbt_") as tmp:
        target = Path(tmp)
        dbt(["seed"], location, target)
        dbt(["run-operation", "install_udfs_now"], location, target)
        with warehouse.connect(location) as conn:
            conn.execute("analyze")
            conn.commit()

        base_before, rows = baseline(location)
        log(f"baseline CTAS of {rows:,} raw rows: {base_before:.1f} s")
        builds = []
        for i in range(args.repeat):
            elapsed = dbt(["build", "-s", CHAIN, "--exclude", "resource_type:seed", "--full-refresh",
                           "--indirect-selection", "cautious"], location, target)
            builds.append((elapsed, layer_times(target)))
            log(f"standardise + resolve (dbt build {CHAIN}), run {i + 1}: {elapsed:.1f} s")
        base_after, _ = baseline(location)
        log(f"baseline CTAS again: {base_after:.1f} s")

    elapsed, layers = min(builds, key=lambda b: b[0])
    base = min(base_before, base_after)
    models = sum(layers.values())
    with warehouse.connect(location) as conn:
        resolved, subjects, queue = conn.execute(
            "select (select count(*) from intermediate.int_records__resolved),"
            " (select count(*) from core.dim_credit_subject),"
            " (select count(*) from intermediate.int_records__resolved where subject_id is null)").fetchone()

    log("")
    log(f"{args.preset} preset, scale {args.scale:g}: {rows:,} raw rows → {resolved:,} records, "
        f"{subjects:,} subjects, {queue:,} held for review")
    log("dbt time per layer (sum of model times; threads run some in parallel):")
    for label, seconds in layers.items():
        log(f"  {label:<22} {seconds:8.1f} s")
    log(f"baseline  CREATE TABLE AS SELECT (union of raw tables): {base:8.1f} s")
    log(f"standardise + resolve (dbt build, wall clock):          {elapsed:8.1f} s")
    log(f"ratio: {elapsed / base:.2f}× (target ≤ 3×)")


if __name__ == "__main__":
    main()
