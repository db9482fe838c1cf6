"""Shared by the benchmarks: simulate a preset once, keep it, and land it without consuming it.

    PYTHONPATH=. python bench/_city.py [--preset city] [--scale 1.0] [--seed 20261127]

The simulator's output (landing zone + ground truth) goes to
``<state>/bench/sim/<preset>_<scale>_<seed>[_sectors]/`` and is reused by every benchmark whose
(preset, scale, seed, feeds) match the cached ``manifest.json`` (written last by the simulator, so
its presence means a complete output; a cache with appended days is never reused). Feeds: every
feed of the catalogue (the 20 sectors and the platform's lifecycle feeds), or with
``platform=False`` (``--no-platform``, suffix ``_sectors``) the 20 sectors' feeds only. The 20
sectors of the city preset take about four minutes on 2 cores; the platform's lifecycle feeds take
far longer at that size (the lifecycle planner picks each case's target by scanning every clean
penalty record: cases × records, hours at the city preset), so the city benchmarks run on the
sector feeds only.

The cache is only ever read: the file-drop connector identifies files by content hash and leaves
them in place, the API server and the SQLite department databases are read. A benchmark that adds
a day (``generate_day`` appends to API files, databases and ground truth) works on
:func:`working_copy`: files hard-linked (new day files are new names, earlier files are never
rewritten), everything else copied.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credit import settings  # noqa: E402

DEFAULT_SEED = 20261127


def cache_dir(preset: str, scale: float, seed: int, platform: bool = True) -> Path:
    return settings.state_dir() / "bench" / "sim" / f"{preset}_{scale:g}_{seed}{'' if platform else '_sectors'}"


def sector_catalogue():
    """The 20 sectors' feeds only (not the platform's lifecycle feeds)."""
    from ingest_connectors.catalogue import Catalogue, catalogue

    cat = catalogue()
    return Catalogue(cat.sectors, cat.lookups)


def _manifest(landing: Path) -> dict:
    path = landing / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def simulated(preset: str = "city", scale: float = 1.0, seed: int = DEFAULT_SEED, *, platform: bool = True,
              log=print) -> tuple[Path, Path, dict]:
    """(landing, truth, manifest) of the preset, simulated now unless the cache matches."""
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.simulator.generate import generate

    root = cache_dir(preset, scale, seed, platform)
    landing, truth = root / "landing", root / "truth"
    manifest = _manifest(landing)
    if (manifest.get("preset"), manifest.get("seed"), manifest.get("scale"), manifest.get("days")) == (
            preset, seed, scale, []):
        log(f"simulation: reusing {root} ({manifest['totals']['rows']:,} rows, "
            f"{manifest['subjects']:,} subjects)")
        return landing, truth, manifest
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    manifest = generate(preset=preset, seed=seed, scale=scale, out_dir=landing, truth_dir=truth, progress=True,
                        cat=catalogue() if platform else sector_catalogue())
    log(f"simulation: {manifest['totals']['rows']:,} rows of {manifest['subjects']:,} subjects "
        f"in {time.perf_counter() - started:,.0f} s → {root}")
    return landing, truth, manifest


def working_copy(landing: Path, truth: Path, dest: Path) -> tuple[Path, Path]:
    """A copy of a cached simulation that may be appended to: ``files/`` hard-linked (falls back
    to copying across file systems), the rest (API files, databases, manifest, truth) copied."""
    shutil.rmtree(dest, ignore_errors=True)
    out_landing, out_truth = dest / "landing", dest / "truth"

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    for entry in landing.iterdir():
        target = out_landing / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, copy_function=link if entry.name == "files" else shutil.copy2)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(entry, target)
    shutil.copytree(truth, out_truth)
    return out_landing, out_truth


def land(location, landing: Path, cat=None, *, strict: bool = True) -> int:
    """Land every feed of ``cat`` (default: the whole catalogue) through its real connector
    (files, simulated department APIs, department databases), then the registration base data.
    Returns the rows loaded; a landing failure exits (``strict``) or is printed."""
    from credit import pii, warehouse
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.landing import connector_for, land_feed
    from ingest_connectors.simulator.api_server import serve_department_apis
    from tests.archive.harness import land_registration_base

    cat = cat or catalogue()
    with warehouse.connect(location) as conn:
        warehouse.ensure_pipeline_schemas(conn)
        pii.install_key(conn)
        conn.commit()
    rows = 0
    with serve_department_apis(landing / "api") as base_url:
        for feed in cat.feeds():
            connector = connector_for(feed, landing_dir=landing, api_base_url=base_url)
            result = land_feed(feed, connector, location=location)
            if result.failures:
                if strict:
                    sys.exit(f"landing {feed.key} failed: {result.failures}")
                print(f"  landing {feed.key} failed: {result.failures}", flush=True)
            rows += result.rows_loaded
    land_registration_base(location, landing)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description="Simulate a preset into the benchmarks' cache (or reuse it).")
    parser.add_argument("--preset", default="city")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--no-platform", action="store_true", help="the 20 sectors' feeds only")
    args = parser.parse_args()
    landing, truth, manifest = simulated(args.preset, args.scale, args.seed, platform=not args.no_platform)
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    print(f"landing zone {landing}: {size / 1e6:,.0f} MB; ground truth {truth}")
    by_connector: dict[str, int] = {}
    for feed in manifest["feeds"].values():
        by_connector[feed.get("connector", "?")] = by_connector.get(feed.get("connector", "?"), 0) + feed["rows"]
    print("rows by connector: " + ", ".join(f"{k} {v:,}" for k, v in sorted(by_connector.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
