"""Benchmark: pub.credit_check latency on a built warehouse, before and after rebuilding the
serving models from this checkout — the baseline and the figure from the same run, same warehouse,
same identifiers.

    CREDIT_STATE_DIR=.local/bench/e2e_1.0 CREDIT_WAREHOUSE_DB=credit_warehouse \\
        PYTHONPATH=. python bench/bench_credit_check.py --truth .local/bench/e2e_1.0/truth \\
        [--lookups 1000] [--rebuild]

Without ``--rebuild`` it only times the warehouse as it is. With it, the models a credit check
reads (the archive, publication, list and ban views and the tables they probe, the function
itself) are rebuilt from this checkout with ``dbt run`` and the same identifiers are timed again:
how a change to the serving path pays off on a city-scale warehouse without rebuilding the city.
The identifiers are drawn as bench/e2e_run.py draws them (same seed: the same lookups).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import bench_build  # noqa: E402

from credit import warehouse  # noqa: E402
from credit.dbt import run_dbt  # noqa: E402

#: what a credit check reads, and the views a table switch of these drops with it (cascade)
SERVING_SELECTION = (
    "mart_repair__granted mart_objection__open_records mart_list__ban "
    "mart_repair__granted+,config.materialized:view mart_objection__open_records+,config.materialized:view "
    "mart_list__ban+,config.materialized:view pub_credit_subject"
)


def timed(location, identifiers: list[str]) -> dict:
    return bench_build.latency_summary(bench_build.check_latencies(location, identifiers))


def line(label: str, t: dict) -> str:
    return (f"{label:<28} p50 {t['p50_ms']:7.2f} ms   p95 {t['p95_ms']:7.2f} ms   max {t['max_ms']:7.2f} ms"
            f"   over {t['lookups']:,} lookups")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truth", type=Path, required=True, help="the simulation's ground truth (ID numbers)")
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the serving models, then time again")
    args = parser.parse_args()
    location = warehouse.locate()
    identifiers = bench_build.identifiers_to_check(location, args.truth, args.lookups, random.Random(args.seed))
    before = timed(location, identifiers)
    print(line("as built", before), flush=True)
    if args.rebuild:
        started = time.monotonic()
        run_dbt(["run", "--select", *SERVING_SELECTION.split()], location)
        print(f"rebuilt the serving models from this checkout in {time.monotonic() - started:,.1f} s", flush=True)
        after = timed(location, identifiers)
        print(line("after the rebuild", after))
        print(f"p95 after / before: {after['p95_ms'] / before['p95_ms']:.3f}   (target p95 ≤ 10 ms)"
              f"{'  OK' if after['p95_ms'] <= 10 else '  MISSED'}")
    warehouse.stop_embedded()
    return 0


if __name__ == "__main__":
    sys.exit(main())
