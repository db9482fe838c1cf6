"""Every benchmark at city scale, each figure beside its same-run baseline; writes docs/BENCHMARKS.md.

    ./scripts/bench.sh [--scale 1.0] [--skip-scaling] [--day 2026-11-21] [--lookups 1000]

Runs, in order, each in its own process (their printed figures are kept verbatim in the report,
the headline figures go into the targets table, and the report is rewritten after every step so
a run cut short still leaves what it measured):

1. simulate the preset at 0.25×, 0.5× and 1× once (every feed; cached by bench/_city.py, reused
   while it matches — test data, timed apart, not part of any figure);
2. ingest vs plain COPY (bench_ingest: every file-drop file of the 1× preset);
3. the end-to-end main job + reports (bench/e2e_run.py) at 0.25×, 0.5× and 1×, with time and peak
   memory per stage and the fitted growth exponent; at 1× then one new day through the same jobs
   (the incremental ratio) and 1,000 credit checks as the downstream role (p50/p95);
4. GX validation of every feed vs the same rules as plain SQL (bench_gx, on the 1× warehouse);
5. standardise + resolve vs CTAS (bench_resolve --reuse, a full refresh on the 1× warehouse).

bench/bench_build.py (the whole-project `dbt build` alone: full, no-op and one-day incremental,
with the time per layer) is the same question as step 3's ratio asked of dbt only; run it apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_STATE = ROOT / ".local" / "bench"
STEPS = BENCH_STATE / "steps"
NOTES_MARKER = "<!-- notes: written by hand, kept by bench/run_all.py -->"


def _run(name: str, args: list[str], log: list[tuple[str, str, float]], env: dict | None = None) -> str:
    print(f"==> {name}: {' '.join(args)}", flush=True)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.monotonic() - started
    output = proc.stdout + (f"\n[exit {proc.returncode}]\n{proc.stderr[-3000:]}" if proc.returncode else "")
    print(output[-4000:], flush=True)
    log.append((name, output, seconds))
    # kept per step, so --report-only can rebuild the page from steps run apart or cut short
    STEPS.mkdir(parents=True, exist_ok=True)
    (STEPS / (re.sub(r"[^\w.]+", "_", name) + ".json")).write_text(json.dumps(
        {"name": name, "output": output, "seconds": seconds, "finished": time.time(), "args": args}))
    return output


def _saved_steps() -> list[dict]:
    steps = [json.loads(p.read_text()) for p in STEPS.glob("*.json")] if STEPS.exists() else []
    return sorted(steps, key=lambda step: step["finished"])


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
    parser.add_argument("--day", default="2026-11-21", help="the new day of the incremental run")
    parser.add_argument("--lookups", type=int, default=1000, help="credit checks to time")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: rebuild the page from the outputs the steps saved (.local/bench)")
    args = parser.parse_args()
    BENCH_STATE.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    log: list[tuple[str, str, float]] = []
    env_machine = machine()
    scales = [args.scale] if args.skip_scaling else [round(args.scale * f, 4) for f in (0.25, 0.5, 1.0)]
    results: dict = {"e2e": []}
    if args.report_only:
        steps = _saved_steps()
        log = [(st["name"], st["output"], st["seconds"]) for st in steps]
        if steps:
            started = dt.datetime.fromtimestamp(steps[0]["finished"] - steps[0]["seconds"]).astimezone()
        by_name = {st["name"]: st["output"] for st in steps}
        results["ingest"] = by_name.get("ingest vs plain COPY", "")
        results["resolve"] = next((o for n, o in by_name.items() if n.startswith("standardise + resolve")), "")
        results["e2e"] = [json.loads((BENCH_STATE / f"e2e_{s}.json").read_text()) for s in scales
                          if (BENCH_STATE / f"e2e_{s}.json").exists()]
        gx_json = BENCH_STATE / "gx.json"
        results["gx"] = json.loads(gx_json.read_text()) if gx_json.exists() else {}
        env_machine = machine().rsplit(";", 1)[0] + "; steps run apart, see their outputs"
        write_report(args, started, env_machine, scales, results, log)
        print(f"wrote {args.out}")
        return 0
    shutil.rmtree(STEPS, ignore_errors=True)

    def write() -> None:
        write_report(args, started, env_machine, scales, results, log)

    for s in scales:
        _run(f"simulate ×{s} (test data, cached)", ["bench/_city.py", "--preset", "city", "--scale", str(s)], log)
    results["ingest"] = _run("ingest vs plain COPY",
                             ["bench/bench_ingest.py", "--preset", "city", "--scale", str(args.scale)], log,
                             env={"CREDIT_WAREHOUSE_DB": "credit_bench_ingest"})
    write()
    for s in scales:
        out_json = BENCH_STATE / f"e2e_{s}.json"
        out_json.unlink(missing_ok=True)
        extra = ["--new-day", args.day, "--lookups", str(args.lookups)] if s == scales[-1] else []
        _run(f"end-to-end main job ×{s}", ["bench/e2e_run.py", "--scale", str(s), "--state",
                                           str(BENCH_STATE / f"e2e_{s}"), "--json", str(out_json), *extra], log)
        if out_json.exists():
            results["e2e"].append(json.loads(out_json.read_text()))
        write()
        if s != scales[-1]:
            # its figures are saved; the 1× warehouse (43 GB) and the GX and resolve steps that
            # reuse it need the disk more than a smaller scale's state does
            shutil.rmtree(BENCH_STATE / f"e2e_{s}", ignore_errors=True)
    full_state = BENCH_STATE / f"e2e_{scales[-1]}"
    state_env = {"CREDIT_STATE_DIR": str(full_state), "XDG_RUNTIME_DIR": str(full_state / "run"),
                 "DAGSTER_HOME": str(full_state / "dagster_home"), "CREDIT_WAREHOUSE_DB": "credit_warehouse"}
    gx_json = BENCH_STATE / "gx.json"
    gx_json.unlink(missing_ok=True)
    if results["e2e"]:
        _run("GX validation vs plain SQL", ["bench/bench_gx.py", "--json", str(gx_json)], log, env=state_env)
        results["gx"] = json.loads(gx_json.read_text()) if gx_json.exists() else {}
        write()
        results["resolve"] = _run("standardise + resolve vs CTAS (full refresh on the ×1 warehouse)",
                                  ["bench/bench_resolve.py", "--preset", "city", "--scale", str(args.scale), "--reuse"],
                                  log, env=state_env)
        write()
    print(f"wrote {args.out}")
    return 0


def write_report(args, started, env_machine, scales, results, log) -> None:
    e2e = [r for r in results["e2e"] if r.get("seconds")]
    exponent = fitted_exponent([(r["records"], r["seconds"]) for r in e2e])
    full = e2e[-1] if e2e and e2e[-1]["scale"] == scales[-1] else {}
    day = full.get("new_day", {})
    check = full.get("credit_check", {})
    gx = results.get("gx", {})
    peak_stage = max((st["peak_rss_mb"] for r in e2e for run in (r, r.get("new_day", {}))
                      for st in run.get("stages", {}).values() if st.get("peak_rss_mb") is not None), default=None)
    ingest, resolve = results.get("ingest", ""), results.get("resolve", "")
    targets = [
        ("ingest ≥ 50% of plain COPY", _grab(r"ratio landing/COPY \(throughput\): ([\d.]+)", ingest), "≥ 0.5", lambda v: v >= 0.5),
        ("standardise + resolve ≤ 3× CTAS", _grab(r"ratio: ([\d.]+)×", resolve), "≤ 3", lambda v: v <= 3),
        ("incremental day ≤ 5% of full run", round(100 * day["seconds"] / full["seconds"], 1) if day else None,
         "≤ 5 %", lambda v: v <= 5),
        ("credit check p95 ≤ 10 ms", check.get("p95_ms"), "≤ 10 ms", lambda v: v <= 10),
        ("end-to-end city preset ≤ 20 min", round(full["seconds"] / 60, 1) if full else None, "≤ 20 min", lambda v: v <= 20),
        ("peak memory of any stage < 2 GiB", peak_stage, "< 2048 MiB", lambda v: v < 2048),
        ("growth exponent ≤ 1.1", round(exponent, 3) if exponent and len(e2e) == len(scales) else None, "≤ 1.1",
         lambda v: v <= 1.1),
        ("GX validation vs plain SQL (no target)", gx.get("ratio"), "—", lambda v: True),
    ]
    lines = [
        "# Benchmarks", "",
        f"Latest run: {started:%Y-%m-%d %H:%M %Z}, scale {args.scale} of the city preset "
        "(≈300,000 subjects, ≈5,000,000 records at 1.0).", "",
        f"Machine: {env_machine}.", "",
        "Rerun: `./scripts/bench.sh` (all of it: three to four and a half hours on 2 cores with the "
        "simulations, depending on the machine, and 80 GB of free disk) or "
        "`./scripts/bench.sh --scale 0.1 --skip-scaling` for a quick look. Every figure is printed "
        "beside a baseline measured in the same run. What each step does: the docstring of "
        "`bench/run_all.py`.", "",
        "## Targets", "", "| target | measured | wanted | met |", "|---|---|---|---|",
    ]
    for name, value, wanted, ok in targets:
        met = "—" if value is None else ("yes" if ok(value) else "**no**")
        lines.append(f"| {name} | {'not measured' if value is None else value} | {wanted} | {met} |")
    lines += ["", "## End-to-end main job by scale", "",
              "Main job (ingest, dbt build, GX gate, publish) and reports job, as command 1 runs them after "
              "simulating; the simulation is not timed.", "",
              "| scale | records | seconds | records/s | published | peak RSS (MiB) | exit code |", "|---|---|---|---|---|---|---|"]
    for r in e2e:
        lines.append(f"| {r['scale']} | {r['records']:,} | {r['seconds']:,} | {r['records'] / r['seconds']:,.0f} "
                     f"| {r['records_published']:,} | {r['peak_rss_mb'] if r['peak_rss_mb'] is not None else 'not sampled'} | {r['exit_code']} |")
    if day:
        lines.append(f"| ×{full['scale']} + one day ({day['date']}) | {day['records']:,} new | {day['seconds']:,} | "
                     f"— | — | {day['peak_rss_mb']:,} | {day['exit_code']} |")
    if exponent and len(e2e) > 1:
        lines += ["", f"Fitted growth exponent (time ∝ records^k, least squares over {len(e2e)} scales): k = {exponent:.3f}."]
    for r in e2e:
        runs = [(f"×{r['scale']}", r)] + ([(f"×{r['scale']}, one new day", r["new_day"])] if "new_day" in r else [])
        for title, run in runs:
            lines += ["", f"### Stages at {title}", "", "| stage | seconds | peak RSS (MiB) | PostgreSQL RSS (MiB) |",
                      "|---|---|---|---|"]
            for stage, st in run["stages"].items():
                lines.append(f"| {stage} | {st['seconds']} | {st['peak_rss_mb']} | {st.get('postgres_rss_mb', '—')} |")
    lines += ["", "## Output of each benchmark", ""]
    for name, output, seconds in log:
        lines += [f"### {name} ({seconds:,.0f} s)", "", "```", output.strip()[-6000:], "```", ""]
    # hand-written analysis below the marker survives a rerun
    previous = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    notes = previous[previous.index(NOTES_MARKER):] if NOTES_MARKER in previous else ""
    args.out.write_text("\n".join(lines) + "\n" + notes, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
