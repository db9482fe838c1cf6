"""python -m ingest_connectors.simulator --preset demo --seed 20261127 [--scale 1.0] [--out DIR]
[--truth DIR] [--day YYYY-MM-DD] [--defect-rate 0.05] [--workers N]"""

from __future__ import annotations

import argparse
import sys
import time

from ingest_connectors.simulator.generate import PRESETS, generate, generate_day


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ingest_connectors.simulator",
                                description="Generate simulated department feeds with ground truth.")
    p.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    p.add_argument("--seed", type=int, default=20261127)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--defect-rate", type=float, default=0.05)
    p.add_argument("--out", help="landing directory (default: credit.settings.landing_dir())")
    p.add_argument("--truth", help="ground-truth directory (default: <state>/ground_truth)")
    p.add_argument("--day", help="generate only this one new day (YYYY-MM-DD) on top of an existing run")
    p.add_argument("--workers", type=int, default=None, help="processes (default: 1 below 100,000 records, else CPUs up to 4)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar (default: on for the city preset)")
    a = p.parse_args(argv)
    progress = a.progress if a.progress is not None else (a.preset == "city" and sys.stderr.isatty())
    kwargs = dict(preset=a.preset, seed=a.seed, scale=a.scale, defect_rate=a.defect_rate,
                  out_dir=a.out, truth_dir=a.truth, workers=a.workers, progress=progress)
    t0 = time.perf_counter()
    if a.day:
        manifest = generate_day(a.day, **kwargs)
        totals = manifest["days"][-1]["totals"]
        what = f"day {a.day}"
    else:
        manifest = generate(**kwargs)
        totals = manifest["totals"]
        what = f"{a.preset} x{a.scale}"
    elapsed = time.perf_counter() - t0
    defects = ", ".join(f"{k} {v}" for k, v in totals["defects"].items() if v)
    kinds = {}
    for f in manifest["feeds"].values():
        kinds[f["connector"]] = kinds.get(f["connector"], 0) + 1
    print(f"simulator: {what} seed {a.seed}: {totals['rows']:,} rows ({totals['clean']:,} clean) in "
          f"{len(manifest['feeds'])} feeds ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}), "
          f"{manifest['subjects']:,} subjects, {elapsed:.1f} s")
    print(f"  defects: {defects}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
