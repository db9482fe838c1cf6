"""Every benchmark at city scale, each figure beside its same-run baseline; writes docs/BENCHMARKS.md.

    ./scripts/bench.sh [--scale 1.0] [--skip-scaling]      (≈ 1–2 hours on 2 cores at scale 1)

Runs, in order: ingest vs plain COPY (bench_ingest), standardise + resolve vs CTAS
(bench_resolve), full build vs one-day incremental and credit-check latency (bench_build), GX
validation vs the same rules as plain SQL (bench_gx, on the end-to-end warehouse), and the
end-to-end main job at 0.25×, 0.5× and 1× of the scale with time and peak memory per stage and
the fitted growth exponent. Each benchmark runs in its own process; their printed figures are
kept verbatim in the report, and the headline figures are parsed into the targets table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_STATE = ROOT / ".local" / "bench"


def _run(name: str, args: list[str], log: list[tuple[str, str, float]], env: dict | None = None) -> str:
    print(f"==> {name}: {' '.join(args)}", flush=True)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.monotonic() - started
    output = proc.stdout + (f"\n[exit {proc.returncode}]\n{proc.stderr[-3000:]}" if proc.returncode else "")
    print(output[-4000:], flush=True)
    log.append((name, output, seconds))
    return output


def _grab(pattern: str, text: str, cast=float):
    m = re.search(pattern, text)
    return cast(m.group(1).replace(",", "")) if m else None


def fitted_exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) on log(records)."""
    pts = [(math.log(r), math.log(t)) for r, t in points if r > 0 and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the city preset")
    parser.add_argument("--skip-scaling", action="store_true", help="only the 1× end-to-end run")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    args = parser.parse_args()
    BENCH_STATE.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    log: list[tuple[str, str, float]] = []
    env_machine = machine()

    # The preset is simulated once (bench/_city.py caches it) and reused by the three benchmarks below:
    # the 20 sectors' feeds only, since the platform's lifecycle feeds take hours to simulate at city
    # scale (see bench/_city.py).
    ingest = _run("ingest vs plain COPY", ["bench/bench_ingest.py", "--preset", "city", "--scale", str(args.scale), "--no-platform"], log)
    resolve = _run("standardise + resolve vs CTAS", ["bench/bench_resolve.py", "--preset", "city", "--scale", str(args.scale)], log)
    build = _run("full build, one-day incremental, credit check", ["bench/bench_build.py", "--preset", "city", "--scale", str(args.scale), "--no-platform"], log)

    scales = [args.scale] if args.skip_scaling else [round(args.scale * f, 4) for f in (0.25, 0.5, 1.0)]
    e2e: list[dict] = []
    for s in scales:
        out_json = BENCH_STATE / f"e2e_{s}.json"
        state = BENCH_STATE / f"e2e_{s}"
        _run(f"end-to-end main job ×{s}", ["bench/e2e_run.py", "--scale", str(s), "--state", str(state), "--json", str(out_json)], log)
        if out_json.exists():
            e2e.append(json.loads(out_json.read_text()))
    gx_json = BENCH_STATE / "gx.json"
    if e2e:
        full_state = BENCH_STATE / f"e2e_{scales[-1]}"
        _run("GX validation vs plain SQL", ["bench/bench_gx.py", "--json", str(gx_json)], log,
             env={"CREDIT_STATE_DIR": str(full_state), "XDG_RUNTIME_DIR": str(full_state / "run")})
    gx = json.loads(gx_json.read_text()) if gx_json.exists() else {}

    exponent = fitted_exponent([(r["records"], r["seconds"]) for r in e2e])
    full = e2e[-1] if e2e else {}
    peak_stage = max((st.get("peak_rss_mb", 0) for r in e2e for st in r["stages"].values()), default=None)
    targets = [
        ("ingest ≥ 50% of plain COPY", _grab(r"ratio landing/COPY \(throughput\): ([\d.]+)", ingest), "≥ 0.5", lambda v: v >= 0.5),
        ("standardise + resolve ≤ 3× CTAS", _grab(r"ratio[^\n]*?([\d.]+)\s*[x×]", resolve), "≤ 3", lambda v: v <= 3),
        ("incremental day ≤ 5% of full build", _grab(r"incremental \(1 day\)\s+[\d,.]+ s\s+ratio ([\d.]+)%", build), "≤ 5 %", lambda v: v <= 5),
        ("credit check p95 ≤ 10 ms", _grab(r"p95 ([\d.]+) ms", build), "≤ 10 ms", lambda v: v <= 10),
        ("end-to-end city preset ≤ 20 min", round(full.get("seconds", 0) / 60, 1) if full else None, "≤ 20 min", lambda v: v <= 20),
        ("peak memory of any stage < 2 GiB", peak_stage, "< 2048 MiB", lambda v: v < 2048),
        ("growth exponent ≤ 1.1", round(exponent, 3) if exponent else None, "≤ 1.1", lambda v: v <= 1.1),
        ("GX validation vs plain SQL (no target)", gx.get("ratio"), "—", lambda v: True),
    ]
    lines = [
        "# Benchmarks", "",
        f"Latest run: {started:%Y-%m-%d %H:%M %Z}, scale {args.scale} of the city preset "
        "(≈300,000 subjects, ≈5,000,000 records at 1.0).", "",
        f"Machine: {env_machine}.", "",
        "Rerun: `./scripts/bench.sh` (all of it, about one to two hours on 2 cores) or "
        "`./scripts/bench.sh --scale 0.1 --skip-scaling` for a quick look. Every figure is printed "
        "beside a baseline measured in the same run.", "",
        "## Targets", "", "| target | measured | wanted | met |", "|---|---|---|---|",
    ]
    for name, value, wanted, ok in targets:
        met = "—" if value is None else ("yes" if ok(value) else "**no**")
        lines.append(f"| {name} | {'not measured' if value is None else value} | {wanted} | {met} |")
    lines += ["", "## End-to-end main job by scale", "",
              "| scale | records | seconds | records/s | published |", "|---|---|---|---|---|"]
    for r in e2e:
        lines.append(f"| {r['scale']} | {r['records']:,} | {r['seconds']:,} | {r['records'] / r['seconds']:,.0f} | {r['records_published']:,} |")
    if exponent:
        lines += ["", f"Fitted growth exponent (time ∝ records^k): k = {exponent:.3f}."]
    for r in e2e:
        lines += ["", f"### Stages at ×{r['scale']}", "", "| stage | seconds | peak RSS (MiB) | PostgreSQL RSS (MiB) |", "|---|---|---|---|"]
        for stage, st in r["stages"].items():
            lines.append(f"| {stage} | {st['seconds']} | {st['peak_rss_mb']} | {st.get('postgres_rss_mb', '—')} |")
    lines += ["", "## Output of each benchmark", ""]
    for name, output, seconds in log:
        lines += [f"### {name} ({seconds:,.0f} s)", "", "```", output.strip()[-6000:], "```", ""]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
