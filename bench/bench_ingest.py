"""Benchmark: landing a large CSV file versus a plain COPY of the same file, in the same run.

    PYTHONPATH=. python bench/bench_ingest.py [--rows 1000000] [--feed taxation__penalty]
                                              [--file existing.csv] [--repeat 1]

The baseline is PostgreSQL's own CSV parser: ``COPY ... FROM STDIN (FORMAT csv, HEADER)`` of the
file's bytes into an UNLOGGED table of text columns. The landing does everything the pipeline
does: hash the file, detect the encoding, split rows in Python, quarantine structural defects,
map headers to columns, COPY into the logged raw table with provenance, and write the audit.
The landing runs in a child process so that its peak RSS is its own.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--feed", default="taxation__penalty")
    parser.add_argument("--file", type=Path, help="land this CSV instead of generating one")
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"],
                        help="encoding of the generated file")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is shown")
    args = parser.parse_args(argv)

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
