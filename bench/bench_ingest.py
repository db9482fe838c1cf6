"""Benchmark: landing versus a plain COPY of the same rows, in the same run.

    PYTHONPATH=. python bench/bench_ingest.py --preset city [--scale 1.0] [--seed 20261127]
    PYTHONPATH=. python bench/bench_ingest.py [--rows 1000000] [--feed taxation__penalty]
                                              [--file existing.csv] [--repeat 1]

``--preset``: every file-drop file of the simulated preset (all sectors and the platform's feeds,
or with ``--no-platform`` the 20 sectors' only;
CSV, XLSX, JSON and JSONL, UTF-8, UTF-8 with BOM and GBK as the simulator wrote them; simulated
once and cached by ``bench/_city.py``) is landed through the real landing path into a fresh
database; then the baseline COPYs the same rows into UNLOGGED tables of text columns: a CSV file
as it is (its own encoding and delimiter) when COPY accepts it, and for the other files (XLSX,
JSON, JSONL, and CSV files COPY refuses: ragged rows, undecodable bytes) an equivalent UTF-8 CSV
of the rows the landing loaded from them, one per feed, prepared before timing.

``--rows`` (default when no preset is given): one generated CSV file of one feed. The baseline is
PostgreSQL's own CSV parser: ``COPY ... FROM STDIN (FORMAT csv, HEADER)`` of the file's bytes
into an UNLOGGED table of text columns.

The landing does everything the pipeline does: hash the file, detect the encoding, split rows in
Python, quarantine structural defects, map headers to columns, COPY into the logged raw table
with provenance, and write the audit. It runs in a child process so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
os.environ.setdefault("CREDIT_WAREHOUSE_DB", "credit_bench_ingest")

from psycopg import sql  # noqa: E402

from credit import warehouse  # noqa: E402
from ingest_connectors import landing  # noqa: E402
from ingest_connectors.catalogue import Feed, catalogue  # noqa: E402
from ingest_connectors.file_drop import FileDropConnector  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
TRADES = ["商贸", "建材", "餐饮", "物流", "科技", "医药", "机械", "服装", "食品", "建筑工程"]
FACTS = ["未按规定期限办理纳税申报和报送纳税资料", "虚开增值税普通发票", "未按规定保管发票",
         "逃避追缴欠税", "偷税，少缴增值税及附加税费"]


def sample_value(field, i: int, rng: random.Random) -> str:
    column = field.column
    if field.type == "date":
        return f"20{rng.randint(18, 24)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    if field.type == "amount_wan_yuan":
        return f"{rng.randint(0, 500) / 10:.1f}"
    if field.type == "uscc":
        return f"91420200MA4K{i % 1000000:06d}"
    if field.type in ("code", "integer", "id_number"):
        return f"{field.code[-2:]}{i:08d}"
    if column == "subject_name":
        return f"黄石市{rng.choice(SURNAMES)}氏{rng.choice(TRADES)}有限公司{i % 997}"
    if field.type == "enum":
        return rng.choice(["罚款", "警告", "法人及非法人组织", "身份证"])
    if column in ("violation_facts", "penalty_content"):
        return rng.choice(FACTS) + "，" + rng.choice(FACTS)
    if field.required == "O":
        return "" if rng.random() < 0.7 else "备注"
    return f"{field.name_zh}{i % 100}"


def generate(feed: Feed, rows: int, path: Path, encoding: str = "utf-8") -> None:
    """A realistic file: values drawn from per-field pools, decision numbers unique."""
    rng = random.Random(20240301)
    fields = feed.record_type.fields
    pool_size = 1009  # prime, so that the fields' strides do not line up
    pools = [[sample_value(fd, k, rng) for k in range(pool_size)] for fd in fields]
    unique = {j for j, fd in enumerate(fields) if fd.column == "decision_number"}
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow([fd.name_zh for fd in fields])
        for start in range(0, rows, 10_000):
            writer.writerows(
                [f"黄税罚〔2024〕{i}号" if j in unique else pool[(i * (j + 1)) % pool_size]
                 for j, pool in enumerate(pools)]
                for i in range(start, min(rows, start + 10_000)))


def backend_cpu(conn) -> float:
    """CPU seconds used so far by the server process behind a connection (Linux, same host)."""
    try:
        fields = Path(f"/proc/{conn.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def baseline_copy(location, feed: Feed, path: Path, encoding: str) -> tuple[float, int, float, float]:
    """COPY the file's bytes into an UNLOGGED table of text columns.

    Returns seconds, rows, client CPU seconds and server CPU seconds.
    """
    table = sql.Identifier("public", "bench_copy_baseline")
    columns = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f.column))
                                 for f in feed.record_type.fields)
    with warehouse.connect(location, autocommit=True) as conn:
        conn.execute(sql.SQL("drop table if exists {}").format(table))
        conn.execute(sql.SQL("create unlogged table {} ({})").format(table, columns))
        server0, client0 = backend_cpu(conn), time.process_time()
        started = time.perf_counter()
        with conn.cursor() as cur, open(path, "rb") as f:
            statement = sql.SQL("copy {} from stdin (format csv, header true, encoding {})").format(
                table, sql.Literal(encoding.replace("-", "").upper()))
            with cur.copy(statement) as copy:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        elapsed = time.perf_counter() - started
        client, server = time.process_time() - client0, backend_cpu(conn) - server0
        rows = conn.execute(sql.SQL("select count(*) from {}").format(table)).fetchone()[0]
        conn.execute(sql.SQL("drop table {}").format(table))
    return elapsed, rows, client, server


def _land_in_child(feed_key: str, landing_dir: str, queue) -> None:
    feed = catalogue().feed(feed_key)
    with warehouse.connect(autocommit=True) as conn:
        server0, client0 = backend_cpu(conn), time.process_time()
        started = time.perf_counter()
        result = landing.land_feed(feed, FileDropConnector(Path(landing_dir)), conn=conn)
        elapsed = time.perf_counter() - started
        client, server = time.process_time() - client0, backend_cpu(conn) - server0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, result.metadata(), peak_kib, client, server))


def land(location, feed: Feed, landing_dir: Path):
    with warehouse.connect(location, autocommit=True) as conn:
        conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("raw", feed.key)))
        conn.execute("drop schema if exists audit cascade")
    landing._ready.clear()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_land_in_child, args=(feed.key, str(landing_dir), queue))
    child.start()
    outcome = queue.get()
    child.join()
    return outcome


# --- the preset's files ------------------------------------------------------------------------

_PG_ENCODING = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "gb18030": "GB18030"}


def _land_preset_in_child(feed_keys: list[str], landing_dir: str, conninfo: str, queue) -> None:
    import psycopg

    cat = catalogue()
    outcomes, metas = [], []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        server0, client0 = backend_cpu(conn), time.process_time()
        started = time.perf_counter()
        for key in feed_keys:
            result = landing.land_feed(cat.feed(key), FileDropConnector(Path(landing_dir)), conn=conn)
            metas.append(result.metadata())
            outcomes += [(key, o.source, o.status, o.encoding, o.bytes, o.rows_received, o.rows_loaded,
                          o.rows_quarantined) for o in result.outcomes]
        elapsed = time.perf_counter() - started
        client, server = time.process_time() - client0, backend_cpu(conn) - server0
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((elapsed, outcomes, metas, peak_kib, client, server))


def _csv_shape(path: Path) -> tuple[str, str, int]:
    """(PostgreSQL encoding, delimiter, header width) of a CSV file, as the connector reads it."""
    from ingest_connectors.file_drop import _delimiter, detect_encoding

    with open(path, "rb") as handle:
        prefix = handle.read(1 << 16)
    encoding, _ = detect_encoding(prefix)
    first = prefix.decode(encoding, "replace").lstrip("\ufeff").splitlines()[0]
    delimiter = _delimiter(first)
    width = len(next(csv.reader([first], delimiter=delimiter)))
    return _PG_ENCODING.get(encoding, "UTF8"), delimiter, width


def _copy_file(conn, table, path: Path, options: sql.Composable) -> None:
    statement = sql.SQL("copy {} from stdin ({})").format(table, options)
    with conn.cursor() as cur, open(path, "rb") as handle, cur.copy(statement) as copy:
        while chunk := handle.read(1 << 20):
            copy.write(chunk)


def _csv_options(encoding: str, delimiter: str) -> sql.Composable:
    return sql.SQL("format csv, header true, delimiter {}, encoding {}").format(
        sql.Literal(delimiter), sql.Literal(encoding))


def preset_benchmark(args) -> int:
    import _city
    import psycopg

    landing_dir, _, manifest = _city.simulated(args.preset, args.scale, args.seed, platform=not args.no_platform)
    cat = _city.sector_catalogue() if args.no_platform else catalogue()
    feeds = [f for f in cat.feeds() if f.sector.connector.kind == "file_drop"]
    files = [p for f in feeds if (FileDropConnector(landing_dir).feed_dir(f)).is_dir()
             for p in FileDropConnector(landing_dir).feed_dir(f).iterdir() if p.is_file()]
    location = warehouse.locate(create=False)
    if location.embedded:
        warehouse.drop_database(location)
    location = warehouse.locate()
    print(f"preset {args.preset} x{args.scale:g} seed {args.seed}"
          f"{' (20 sectors, no platform feeds)' if args.no_platform else ''}: {len(feeds)} file-drop feeds, {len(files)} files, "
          f"{sum(p.stat().st_size for p in files) / 1e6:,.1f} MB in {landing_dir}; {location.describe()}", flush=True)

    # 1. the landing, in a child process (its own peak RSS)
    landing._ready.clear()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_land_preset_in_child,
                        args=([f.key for f in feeds], str(landing_dir), location.conninfo(), queue))
    child.start()
    land_s, outcomes, metas, peak_kib, land_client, land_server = queue.get()
    child.join()
    loaded = [o for o in outcomes if o[2] == "loaded"]
    land_rows = sum(o[6] for o in loaded)
    land_mb = sum(o[4] for o in loaded) / 1e6
    failures = [f for m in metas for f in m["failures"]]
    print(f"landed {land_rows:,} rows ({sum(o[5] for o in loaded):,} received, "
          f"{sum(o[7] for o in loaded):,} quarantined) from {len(loaded)} files in {land_s:.1f} s; "
          f"{sum(o[2] == 'skipped' for o in outcomes)} skipped as already landed, {len(failures)} failed", flush=True)
    by_format: dict[str, list[int]] = {}
    for o in loaded:
        f = by_format.setdefault(Path(o[1]).suffix.lower().lstrip(".") + ("/gbk" if o[3] == "gb18030" else ""),
                                 [0, 0, 0])
        f[0], f[1], f[2] = f[0] + 1, f[1] + o[6], f[2] + o[4]
    print("  by format: " + "; ".join(f"{k} {v[0]} files {v[1]:,} rows {v[2] / 1e6:,.1f} MB"
                                      for k, v in sorted(by_format.items())), flush=True)

    # 2. the baseline, prepared untimed: CSV files COPY accepts as they are, and one equivalent
    #    UTF-8 CSV per feed of the rows the landing loaded from every other file
    with tempfile.TemporaryDirectory(prefix="bench_ingest_copy_") as tmp, \
            psycopg.connect(location.conninfo(), autocommit=True) as conn:
        conn.execute("drop schema if exists bench_copy cascade")
        conn.execute("create schema bench_copy")
        plan: list[tuple[sql.Composable, Path, sql.Composable, int]] = []  # (table, file, options, bytes)
        as_is, prepared_sources = 0, {}
        for i, (key, source, _, encoding, size, _, _, _) in enumerate(loaded):
            path = Path(source)
            if path.suffix.lower() == ".csv":
                pg_encoding, delimiter, width = _csv_shape(path)
                table = sql.Identifier("bench_copy", f"f{i}")
                conn.execute(sql.SQL("create unlogged table {} ({})").format(
                    table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(f"c{j}"))
                                              for j in range(width))))
                options = _csv_options(pg_encoding, delimiter)
                try:
                    _copy_file(conn, table, path, options)
                    conn.execute(sql.SQL("truncate {}").format(table))
                    plan.append((table, path, options, size))
                    as_is += 1
                    continue
                except psycopg.Error:
                    conn.execute(sql.SQL("drop table {}").format(table))
            prepared_sources.setdefault(key, []).append(source)
        prepared_files = sum(len(v) for v in prepared_sources.values())
        for key, sources in prepared_sources.items():
            columns = [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'raw'"
                " and table_name = %s and column_name not like '\\_%%' order by ordinal_position", (key,))]
            columns += [r[0] for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'raw'"
                " and table_name = %s and column_name = '_overflow'", (key,))]
            path = Path(tmp) / f"{key}.csv"
            select = sql.SQL("select {} from {} where _source = any({})").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier("raw", key), sql.Literal(sources))
            with conn.cursor() as cur, open(path, "wb") as out, \
                    cur.copy(sql.SQL("copy ({}) to stdout (format csv, header true)").format(select)) as copy:
                for chunk in copy:
                    out.write(chunk)
            table = sql.Identifier("bench_copy", key)
            conn.execute(sql.SQL("create unlogged table {} ({})").format(
                table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns)))
            plan.append((table, path, _csv_options("UTF8", ","), path.stat().st_size))
        copy_mb = sum(p[3] for p in plan) / 1e6

        # 3. the baseline, timed: every COPY of the plan, one transaction each
        server0, client0 = backend_cpu(conn), time.process_time()
        started = time.perf_counter()
        for table, path, options, _ in plan:
            _copy_file(conn, table, path, options)
        copy_s = time.perf_counter() - started
        copy_client, copy_server = time.process_time() - client0, backend_cpu(conn) - server0
        copy_rows = sum(conn.execute(sql.SQL("select count(*) from {}").format(p[0])).fetchone()[0] for p in plan)
        conn.execute("drop schema bench_copy cascade")

    def line(name: str, seconds: float, rows: int, mb: float, client: float, server: float) -> str:
        return (f"{name:<34} {seconds:7.1f} s  {rows:>10,} rows {rows / seconds:>10,.0f} rows/s  "
                f"{mb:8,.1f} MB {mb / seconds:6.1f} MB/s   cpu: client {client:6.1f} s, server {server:6.1f} s")

    print()
    print(f"baseline: {as_is} CSV files COPYed as they are (own encoding and delimiter); "
          f"{prepared_files} files (XLSX, JSON, JSONL, and CSV files COPY refuses) COPYed from an "
          f"equivalent UTF-8 CSV of the rows the landing loaded from them, prepared before timing "
          f"(into {len(prepared_sources)} files, one per feed)")
    print(line("COPY FROM STDIN (unlogged, csv)", copy_s, copy_rows, copy_mb, copy_client, copy_server))
    print(line("landing (raw + audit, logged)", land_s, land_rows, land_mb, land_client, land_server))
    print(f"ratio landing/COPY (throughput): {(land_rows / land_s) / (copy_rows / copy_s):.2f}  (target >= 0.5; "
          f"rows/s over rows/s)")
    print(f"peak RSS of the landing process: {peak_kib / 1024:.0f} MiB "
          f"(largest file {max(o[4] for o in loaded) / 1e6:,.1f} MB)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if failures:
        print("landing failures: " + "; ".join(failures[:10]))
    with warehouse.connect(location, autocommit=True) as conn:  # leave no large tables behind
        for f in feeds:
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("raw", f.key)))
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--feed", default="taxation__penalty")
    parser.add_argument("--file", type=Path, help="land this CSV instead of generating one")
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"],
                        help="encoding of the generated file")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is shown")
    parser.add_argument("--preset", help="land every file-drop file of this simulated preset (e.g. city) instead")
    parser.add_argument("--scale", type=float, default=1.0, help="with --preset")
    parser.add_argument("--seed", type=int, default=20261127, help="with --preset")
    parser.add_argument("--no-platform", action="store_true",
                        help="with --preset: the 20 sectors' feeds only, not the platform's lifecycle feeds")
    args = parser.parse_args(argv)
    if args.preset:
        return preset_benchmark(args)

    feed = catalogue().feed(args.feed)
    location = warehouse.locate()
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        folder = Path(tmp) / "files" / feed.sector.slug / feed.record_type.code
        folder.mkdir(parents=True)
        path = folder / "BENCH_20240301_1.csv"
        if args.file:
            path.symlink_to(args.file.resolve())
        else:
            started = time.perf_counter()
            generate(feed, args.rows, path, args.encoding)
            print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        size_mb = path.stat().st_size / 1e6
        print(f"file: {size_mb:,.1f} MB {args.encoding}, {len(feed.record_type.fields)} columns, feed {feed.key}, "
              f"{location.describe()}")

        copy_runs, land_runs = [], []
        for _ in range(args.repeat):
            copy_runs.append(baseline_copy(location, feed, path, args.encoding))
            land_runs.append(land(location, feed, Path(tmp)))
        copy_s, copy_rows, copy_client, copy_server = min(copy_runs)
        land_s, meta, peak_kib, land_client, land_server = min(land_runs, key=lambda r: r[0])
        rows = meta["rows_received"]
        assert meta["rows_loaded"] == copy_rows, (meta, copy_rows)
        with warehouse.connect(location, autocommit=True) as conn:  # leave no 1 GB table behind
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier("raw", feed.key)))

    def line(name: str, seconds: float, client: float, server: float) -> str:
        return (f"{name:<32} {seconds:7.2f} s  {rows / seconds:>10,.0f} rows/s  "
                f"{size_mb / seconds:6.1f} MB/s   cpu: client {client:5.2f} s, server {server:5.2f} s")

    print(line("COPY FROM STDIN (unlogged, csv)", copy_s, copy_client, copy_server))
    print(line("landing (raw + audit, logged)", land_s, land_client, land_server))
    print(f"ratio landing/COPY (throughput): {copy_s / land_s:.2f}  (target >= 0.5)")
    print(f"peak RSS of the landing process: {peak_kib / 1024:.0f} MiB")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"landing result: {meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
