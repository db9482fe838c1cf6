"""Benchmark: Great Expectations validation of every feed in the database, beside a same-run
baseline that evaluates the same rules as plain SQL (one aggregate query per feed).

    PYTHONPATH=. python bench/bench_gx.py [--json out.json]

Runs against the configured warehouse (after a main job has built the gate tables). Both sides
read the materialised gate tables, so the ratio is GX's own overhead: expectation graphs, one
query per metric, result objects.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from credit import warehouse
from credit.gx.runner import validate_feeds
from ingest_connectors.catalogue import catalogue
from ingest_connectors.catalogue.rules import rules_for


def plain_sql_validation(location: warehouse.WarehouseLocation, feed_keys: list[str]) -> dict[str, dict[str, int]]:
    """Failing-row counts of every field rule, one aggregate query per feed."""
    cat = catalogue()
    out: dict[str, dict[str, int]] = {}
    with warehouse.connect(location) as conn:
        for key in feed_keys:
            rules = [r for r in rules_for(cat.feed(key)) if r.predicate]
            counts = ", ".join(f"count(*) filter (where not ({r.predicate}))" for r in rules)
            row = conn.execute(f"select count(*), {counts} from intermediate.int_gate__{key}").fetchone()
            out[key] = {"rows": row[0], **{r.rule_id: n for r, n in zip(rules, row[1:])}}
    return out


def run(location: warehouse.WarehouseLocation | None = None) -> dict:
    location = location or warehouse.locate()
    feeds = [f.key for f in catalogue().feeds()]
    t0 = time.perf_counter()
    plain = plain_sql_validation(location, feeds)
    plain_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    results = validate_feeds(location, feeds, run_id=f"bench-{uuid.uuid4().hex[:8]}", build_docs=False,
                             persist=False, pending_only=True)
    gx_s = time.perf_counter() - t1
    rows = sum(p["rows"] for p in plain.values())
    return {
        "feeds": len(feeds), "rows": rows, "rules": sum(len(r.rules) for r in results),
        "gx_seconds": round(gx_s, 2), "plain_sql_seconds": round(plain_s, 2),
        "ratio": round(gx_s / plain_s, 2) if plain_s else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures = run()
    print(f"GX validation of {figures['feeds']} feeds ({figures['rows']:,} rows, {figures['rules']:,} rules): "
          f"{figures['gx_seconds']} s; plain SQL, same rules: {figures['plain_sql_seconds']} s; "
          f"ratio {figures['ratio']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(figures, fh, indent=2)


if __name__ == "__main__":
    main()
