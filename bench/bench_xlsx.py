"""Benchmark: reading XLSX rows with ingest_connectors.xlsx_rows versus openpyxl's own read-only
reader, over the same files in the same run.

    PYTHONPATH=. python bench/bench_xlsx.py --preset city [--scale 0.25] [--seed 20261127]
    PYTHONPATH=. python bench/bench_xlsx.py --landing path/to/landing

Every ``.xlsx`` file of the file-drop landing zone (of the simulated preset, cached by
``bench/_city.py``) is read twice, reading only (no database): once as the landing read it before
(``openpyxl.load_workbook(read_only=True, data_only=True)`` and ``iter_rows(values_only=True)``),
once through ``xlsx_rows`` (``open_workbook`` + ``sheet_values``). Both must give the same
non-empty rows (checked by a digest of every value); the figures are rows/s and CPU seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import openpyxl  # noqa: E402

from ingest_connectors.xlsx_rows import open_workbook, sheet_values  # noqa: E402


def _digest_rows(numbered_rows, digest) -> int:
    """Feed every non-empty row (number, values without trailing empty cells) to ``digest``."""
    rows = 0
    for number, values in numbered_rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        if values:
            digest.update(repr((number, tuple(values))).encode())
            rows += 1
    return rows


def read_openpyxl(path: Path, digest) -> int:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return _digest_rows(enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1), digest)
    finally:
        workbook.close()


def read_fast(path: Path, digest) -> int:
    workbook = open_workbook(str(path))
    try:
        return _digest_rows(sheet_values(workbook.worksheets[0]), digest)
    finally:
        workbook.close()


def timed(reader, files: list[Path]) -> tuple[float, float, int, str]:
    digest = hashlib.sha256()
    wall, cpu = time.perf_counter(), time.process_time()
    rows = sum(reader(path, digest) for path in files)
    return time.perf_counter() - wall, time.process_time() - cpu, rows, digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="city")
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--landing", type=Path, help="a landing zone to read instead of the preset's")
    args = parser.parse_args()
    if args.landing:
        landing = args.landing
    else:
        import _city

        landing, _, _ = _city.simulated(args.preset, args.scale, args.seed, platform=True, log=print)
    files = sorted(landing.glob("files/*/*/*.xlsx"))
    if not files:
        print(f"no .xlsx files under {landing / 'files'}", file=sys.stderr)
        return 2
    megabytes = sum(p.stat().st_size for p in files) / 2**20
    print(f"{len(files)} XLSX files, {megabytes:,.1f} MB, in {landing}")
    base = timed(read_openpyxl, files)
    fast = timed(read_fast, files)
    for name, (wall, cpu, rows, _) in (("openpyxl iter_rows (baseline)", base), ("xlsx_rows", fast)):
        print(f"{name:32} {wall:8.1f} s  {rows:>10,} rows  {rows / wall:>9,.0f} rows/s  "
              f"{1e6 * cpu / max(rows, 1):6.0f} µs CPU a row")
    print(f"ratio xlsx_rows/openpyxl (throughput): {base[0] / fast[0]:.2f}x; "
          f"same rows and values: {'yes' if base[2:] == fast[2:] else 'NO'}")
    return 0 if base[2:] == fast[2:] else 1


if __name__ == "__main__":
    sys.exit(main())
