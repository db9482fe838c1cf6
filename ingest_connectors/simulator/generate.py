"""Orchestration: presets, the bulk run (all feeds over ~5 years) and the one-day increment.

Determinism: every random stream is seeded from (seed, preset, scale, what it is for) through
``random.Random(str)`` (SHA-512 based, stable across processes and runs), never from ``hash()``;
sectors run in parallel processes but each writes only its own files, and the ground-truth parts
are concatenated in catalogue order.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import multiprocessing
import operator
import os
import random
import shutil
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest_connectors.catalogue import Catalogue, Feed, catalogue as load_default_catalogue
from ingest_connectors.simulator.defects import ALL_KINDS, DefectMaker
from ingest_connectors.simulator.identifiers import Weighted
from ingest_connectors.simulator.lifecycle import generate_platform
from ingest_connectors.simulator.rows import Row, RowBuilder, decision_prefixes
from ingest_connectors.simulator.subjects import SUBJECT_CATEGORY, SubjectPool
from ingest_connectors.simulator.writers import (
    CsvFile, GzipCsv, JsonArrayFile, JsonlFile, SqliteTable, XlsxFile, open_sqlite,
)

END_DATE = dt.date(2026, 11, 20)
START_DATE = dt.date(2021, 11, 21)
TRUTH_COLUMNS = (
    "sim_record_id", "feed_key", "connector_kind", "source", "true_subject_id", "subject_type",
    "defects", "duplicate_of", "correction_of", "variants", "decision_number", "decision_date",
    "row_in_source",
)
SUBJECT_COLUMNS = (
    "true_subject_id", "subject_type", "name", "uscc", "registration_number", "org_code", "id_number",
    "division", "subject_category", "legal_rep_name", "legacy_only",
)
REGISTRATION_COLUMNS = ("uscc", "registration_number", "org_code", "name", "subject_category", "division", "legal_rep_name")
_EXT = {"csv": "csv", "xlsx": "xlsx", "json": "json", "jsonl": "jsonl"}
_LAYOUT_WEIGHT = {"penalty": 1.6, "licence": 2.0, "act": 0.8, "sector_record": 0.8}
_SECTOR_WEIGHT = {"production": 1.3, "circulation": 1.5, "taxation": 1.4, "construction": 1.2,
                  "social_organizations": 0.5, "key_occupations": 0.8}


@dataclass(frozen=True)
class Preset:
    name: str
    subjects: int
    records: int
    start: dt.date = START_DATE
    end: dt.date = END_DATE
    max_rows_per_file: int = 50_000


PRESETS = {
    "test": Preset("test", 200, 1_500),
    "demo": Preset("demo", 2_000, 20_000),
    "city": Preset("city", 300_000, 5_000_000),
}


@dataclass
class Options:
    preset: str
    seed: int
    scale: float = 1.0
    defect_rate: float = 0.05
    out_dir: Path | None = None
    truth_dir: Path | None = None
    workers: int | None = None
    progress: bool = False

    def resolved(self) -> "Options":
        from credit import settings

        out = Path(self.out_dir) if self.out_dir else settings.landing_dir()
        truth = Path(self.truth_dir) if self.truth_dir else settings.state_dir() / "ground_truth"
        return Options(self.preset, self.seed, self.scale, self.defect_rate, out, truth, self.workers, self.progress)

    @property
    def n_subjects(self) -> int:
        return max(50, round(PRESETS[self.preset].subjects * self.scale))

    @property
    def n_records(self) -> int:
        return max(len(PRESETS), round(PRESETS[self.preset].records * self.scale))

    def stream_seed(self, *parts: object) -> str:
        return ":".join(str(p) for p in (self.seed, self.preset, self.scale, *parts))


@dataclass
class FeedStats:
    key: str
    connector: str
    rows: int = 0
    clean: int = 0
    defects: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


# --- shared per-process context (inherited by forked workers) -------------------------------------

_CTX: dict = {}


def _context(opts: Options, cat: Catalogue) -> dict:
    key = (opts.seed, opts.preset, opts.scale, id(cat))
    if _CTX.get("key") != key:
        _CTX.clear()
        _CTX.update(key=key, pool=SubjectPool(opts.seed, opts.n_subjects), cat=cat,
                    prefixes=decision_prefixes(cat))
    return _CTX


def feed_counts(opts: Options, cat: Catalogue) -> dict[str, int]:
    # the credit platform's feeds are planned by simulator/lifecycle.py from these records
    feeds = list(cat.feeds(include_platform=False))
    weights = [_LAYOUT_WEIGHT.get(f.record_type.layout or "sector_record", 0.8)
               * _SECTOR_WEIGHT.get(f.sector.slug, 1.0) for f in feeds]
    total = sum(weights)
    return {f.key: max(5, round(opts.n_records * w / total)) for f, w in zip(feeds, weights)}


def feed_id(feed: Feed) -> str:
    index = [r.code for r in feed.sector.record_types].index(feed.record_type.code) + 1
    return f"{feed.sector.number:02d}{index:02d}"


def _decision_dates(rng: random.Random, n: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """n dates in [start, end], denser towards the end (the platform's coverage grows)."""
    span = (end - start).days
    out = []
    for _ in range(n):
        t = rng.random() if rng.random() < 0.55 else rng.triangular(0, 1, 1)
        out.append(start + dt.timedelta(days=min(span, int(t * (span + 1)))))
    out.sort()
    return out


# --- sinks ----------------------------------------------------------------------------------------

class FeedWriter:
    """Where one feed's rows go, by connector kind; tracks sources and row numbers for the truth."""

    def __init__(self, feed: Feed, out: Path, conn: sqlite3.Connection | None, day: dt.date | None = None):
        day_mode = day is not None
        self.day = day
        self.feed = feed
        self.kind = feed.sector.connector.kind
        self.settings = feed.sector.connector.settings
        self.fields = feed.record_type.fields
        self.out = out
        self.columns = [f.column for f in self.fields]
        self._get = operator.itemgetter(*self.columns) if len(self.columns) > 1 else (lambda v: (v[self.columns[0]],))
        self.current = None
        self.source = ""
        self.stats_sources: list[str] = []
        self.table = None
        self.last_ts: dt.datetime | None = None
        if self.kind == "http_api":
            path = out / "api" / feed.sector.slug / f"{feed.record_type.code}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.current = JsonlFile(path, [f.code for f in self.fields], append=day_mode)
            self.source = f"/api/v1/{feed.sector.slug}/{feed.record_type.code}"
            self.row_no = _count_lines(path) if day_mode else 0
            self.stats_sources.append(str(path.relative_to(out)))
        elif self.kind == "database":
            assert conn is not None
            self.table = SqliteTable(conn, feed.record_type.code, self.columns)
            self.source = f"db/{feed.sector.slug}.sqlite:{feed.record_type.code}"
            self.stats_sources.append(self.source)
            if self.table.last_updated_at:
                self.last_ts = dt.datetime.fromisoformat(self.table.last_updated_at)

    def open_file(self, dept_code: str, day: dt.date) -> None:
        """file_drop only: start the next file of this department for ``day``."""
        self.close_file()
        fmt = self.settings.get("format", "csv")
        encoding = self.settings.get("encoding", "utf-8")
        folder = self.out / "files" / self.feed.sector.slug / self.feed.record_type.code
        folder.mkdir(parents=True, exist_ok=True)
        n = 1
        while (folder / f"{dept_code}_{day:%Y%m%d}_{n}.{_EXT[fmt]}").exists():
            n += 1
        path = folder / f"{dept_code}_{day:%Y%m%d}_{n}.{_EXT[fmt]}"
        headers = [f.name_zh for f in self.fields]
        if fmt == "csv":
            self.current = CsvFile(path, headers, encoding, self.columns.index("remarks") if "remarks" in self.columns else -1)
        elif fmt == "xlsx":
            numeric = [f.type in ("amount_wan_yuan", "decimal", "integer", "date") for f in self.fields]
            self.current = XlsxFile(path, headers, numeric)
        elif fmt == "json":
            self.current = JsonArrayFile(path, [f.code for f in self.fields], encoding)
        elif fmt == "jsonl":
            self.current = JsonlFile(path, headers, encoding)
        else:
            raise ValueError(f"{self.feed.key}: unknown file format {fmt!r}")
        self.source = str(path.relative_to(self.out))
        self.stats_sources.append(self.source)
        self.row_no = 0

    def close_file(self) -> None:
        if self.kind == "file_drop" and self.current is not None:
            self.current.close()
            self.current = None

    def write(self, rng: random.Random, row: Row) -> int:
        try:
            values = list(self._get(row.values))
        except KeyError:
            values = [row.values.get(c, "") for c in self.columns]
        if self.kind == "database":
            base = dt.datetime.combine(self.day or row.decision, dt.time(8, 0))
            step = dt.timedelta(seconds=rng.randint(1, 900))
            ts = base if self.last_ts is None or base > self.last_ts else self.last_ts + step
            if self.last_ts is not None and ts <= self.last_ts:
                ts = self.last_ts + step
            self.last_ts = ts
            return self.table.write(values, ts.isoformat(timespec="seconds"))
        self.current.write(values, row.ragged)
        self.row_no += 1
        return self.row_no

    def close(self) -> None:
        if self.kind == "database":
            self.table.flush()
        elif self.current is not None:
            self.current.close()
            self.current = None


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


# --- one feed ---------------------------------------------------------------------------------------

class FeedRun:
    def __init__(self, opts: Options, feed: Feed, ctx: dict, writer: FeedWriter, truth: GzipCsv,
                 rng_label: str, as_of: dt.date):
        self.opts = opts
        self.feed = feed
        self.rng = random.Random(opts.stream_seed(rng_label, feed.key))
        self.builder = RowBuilder(feed, ctx["cat"].lookups, ctx["pool"], ctx["prefixes"],
                                  random.Random(opts.stream_seed("feed-style", feed.key)), as_of)
        fmt = feed.sector.connector.settings.get("format") if feed.sector.connector.kind == "file_drop" else None
        self.defects = DefectMaker(self.builder, feed.sector.connector.kind, fmt, END_DATE)
        self.writer = writer
        self.truth = truth
        self.stats = FeedStats(feed.key, feed.sector.connector.kind)
        self.pick_dept = Weighted(range(len(feed.sector.departments)),
                                  [3.0] + [1.0] * (len(feed.sector.departments) - 1))

    def make(self, sim_id: str, decision: dt.date, dept_index: int, day_mode: bool = False) -> tuple[Row, list[Row]]:
        """One base row (maybe made defective) and the extra rows it spawns (duplicate/correction)."""
        rng = self.rng
        row = self.builder.new_row(rng, sim_id, decision, dept_index, day_mode=day_mode)
        extras: list[Row] = []
        if not row.defects and rng.random() < self.opts.defect_rate:
            kind = self.defects.choose(rng, row)
            if kind == "duplicate":
                extras.append(self.defects.duplicate(row))
            elif kind == "correction":
                extras.append(self.defects.correction(rng, row))
            else:
                self.defects.apply(rng, row, kind)
        return row, extras

    def emit(self, row: Row) -> None:
        row_no = self.writer.write(self.rng, row)
        s = self.stats
        s.rows += 1
        if row.defects:
            for k in row.defects:
                s.defects[k] = s.defects.get(k, 0) + 1
        else:
            s.clean += 1
        self.truth.writer.writerow((
            row.sim_id, self.feed.key, s.connector, self.writer.source, row.subject.sid, row.subject.kind,
            ";".join(row.defects), row.duplicate_of, row.correction_of, ";".join(sorted(set(row.variants))),
            row.decision_number, row.decision.isoformat(), row_no,
        ))

    def run_bulk(self, n: int, preset: Preset) -> FeedStats:
        rng = self.rng
        dates = _decision_dates(rng, n, preset.start, preset.end)
        depts = [self.pick_dept(rng) for _ in dates]
        prefix = feed_id(self.feed)
        numbered = [(f"{prefix}-{i + 1:07d}", d, k) for i, (d, k) in enumerate(zip(dates, depts))]
        years = list(range(preset.start.year, preset.end.year + 1))
        if self.writer.kind == "file_drop":
            # One stream per department, one file per year (split when large).
            for k, dept in enumerate(self.feed.sector.departments):
                batches = [[x for x in numbered if x[2] == k and x[1].year == y] for y in years]
                self._stream(batches, years, preset, dept.code)
        else:
            batches = [[x for x in numbered if x[1].year == y] for y in years]
            self._stream(batches, years, preset, None)
        self.writer.close()
        self.stats.sources = self.writer.stats_sources
        return self.stats

    def _stream(self, batches, years, preset: Preset, dept_code: str | None) -> None:
        rng = self.rng
        carried: list[Row] = []
        for b, (batch, year) in enumerate(zip(batches, years)):
            if not batch and not carried:
                continue
            last = b == len(batches) - 1 or not any(batches[b + 1:])
            file_day = min(dt.date(year, 12, 31), preset.end)
            in_file = 0
            if dept_code is not None:
                self.writer.open_file(dept_code, file_day)
            pending_end: list[Row] = []
            queue = carried + []
            carried = []
            for row in queue:
                self._emit_counted(row, dept_code, file_day, preset)
                in_file += 1
            for sim_id, d, k in batch:
                row, extras = self.make(sim_id, d, k)
                self._emit_counted(row, dept_code, file_day, preset)
                for extra in extras:
                    if extra.correction_of or (not last and rng.random() < 0.5):
                        (pending_end if last else carried).append(extra)
                    else:
                        pending_end.append(extra)
            for row in pending_end:
                self._emit_counted(row, dept_code, file_day, preset)
        for row in carried:  # nothing after the last batch: send at the end of it
            self._emit_counted(row, dept_code, dt.date(years[-1], 12, 31), preset)

    def _emit_counted(self, row: Row, dept_code, file_day, preset: Preset) -> None:
        if dept_code is not None and self.writer.row_no >= preset.max_rows_per_file:
            self.writer.open_file(dept_code, file_day)
        self.emit(row)

    def run_day(self, day: dt.date, mean: float) -> FeedStats:
        rng = self.rng
        n = max(1, _poisson(rng, mean))
        prefix = feed_id(self.feed)
        rows: list[tuple[str, dt.date, int]] = []
        for i in range(n):
            d = day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 5, 6)))
            k = self.pick_dept(rng)
            rows.append((f"{prefix}-{day:%Y%m%d}-{i + 1:05d}", d, k))
        rows.sort(key=lambda x: (x[2], x[1], x[0]))
        if self.writer.kind == "file_drop":
            for k, dept in enumerate(self.feed.sector.departments):
                mine = [x for x in rows if x[2] == k]
                if not mine:
                    continue
                self.writer.open_file(dept.code, day)
                self._day_batch(mine)
                self.writer.close_file()
        else:
            rows.sort(key=lambda x: (x[1], x[0]))
            self._day_batch(rows)
        self.writer.close()
        self.stats.sources = self.writer.stats_sources
        return self.stats

    def _day_batch(self, items) -> None:
        extras_all = []
        for sim_id, d, k in items:
            row, extras = self.make(sim_id, d, k, day_mode=True)
            self.emit(row)
            extras_all.extend(extras)
        for row in extras_all:
            self.emit(row)


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    import math

    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --- sectors (the unit of parallel work) -----------------------------------------------------------

def _run_sector(args: tuple) -> tuple[int, list[dict], str]:
    opts, sector_slug, counts, part_path, day = args
    ctx = _CTX  # built by the parent before the workers were forked
    cat: Catalogue = ctx["cat"]
    sector = cat.sector(sector_slug)
    preset = PRESETS[opts.preset]
    conn = None
    if sector.connector.kind == "database":
        (opts.out_dir / "db").mkdir(parents=True, exist_ok=True)
        conn = open_sqlite(opts.out_dir / "db" / f"{sector.slug}.sqlite")
    truth = GzipCsv(Path(part_path), None)
    stats = []
    try:
        for rt in sector.record_types:
            feed = Feed(sector=sector, record_type=rt)
            writer = FeedWriter(feed, opts.out_dir, conn, day=day)
            if day is None:
                run = FeedRun(opts, feed, ctx, writer, truth, "bulk", preset.end)
                stats.append(asdict(run.run_bulk(counts[feed.key], preset)))
            else:
                run = FeedRun(opts, feed, ctx, writer, truth, f"day:{day.isoformat()}", day)
                mean = counts[feed.key] / (preset.end - preset.start).days * 1.4
                stats.append(asdict(run.run_day(day, mean)))
        if conn is not None:
            conn.commit()
    finally:
        truth.close()
        if conn is not None:
            conn.close()
    return sector.number, stats, part_path


def _run_sectors(opts: Options, cat: Catalogue, day: dt.date | None) -> list[dict]:
    counts = feed_counts(opts, cat)
    parts_dir = opts.truth_dir / ".parts"
    parts_dir.mkdir(parents=True, exist_ok=True)
    tasks = [(opts, s.slug, counts, str(parts_dir / f"{s.number:02d}.csv.gz"), day) for s in cat.sectors]
    # Biggest sectors first so two workers finish together.
    order = sorted(tasks, key=lambda t: -sum(v for k, v in counts.items() if k.startswith(t[1] + "__")))
    # Small runs stay in-process (cheaper than starting workers, and no fork inside test runners).
    default = 1 if sum(counts.values()) < 100_000 else min(os.cpu_count() or 1, 4)
    workers = opts.workers if opts.workers is not None else default
    results = []
    progress = None
    if opts.progress:
        from tqdm import tqdm

        progress = tqdm(total=len(tasks), unit="sector", desc=f"{opts.preset} {'day ' + str(day) if day else 'bulk'}")
    if workers > 1 and len(tasks) > 1:
        mp = multiprocessing.get_context("fork")
        with mp.Pool(workers) as pool:
            for result in pool.imap_unordered(_run_sector, order):
                results.append(result)
                if progress:
                    progress.update(1)
    else:
        for task in order:
            results.append(_run_sector(task))
            if progress:
                progress.update(1)
    if progress:
        progress.close()
    results.sort(key=lambda r: r[0])
    # Concatenate the gzip members in catalogue order.
    records = opts.truth_dir / "records.csv.gz"
    if day is None:
        header = GzipCsv(records, TRUTH_COLUMNS)
        header.close()
    with open(records, "ab") as out:
        for _, _, part in results:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out)
            os.remove(part)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return [s for _, stats, _ in results for s in stats]


# --- public entry points -----------------------------------------------------------------------------

def _write_subjects(opts: Options, pool: SubjectPool) -> None:
    with open(opts.truth_dir / "subjects.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SUBJECT_COLUMNS)
        for s in pool.subjects:
            w.writerow((s.sid, s.kind, s.name, s.uscc, s.reg_no, s.org_code, s.id_number, s.division,
                        SUBJECT_CATEGORY[s.kind], s.rep_name, "1" if s.legacy_only else ""))
    reg_dir = opts.out_dir / "registration"
    reg_dir.mkdir(parents=True, exist_ok=True)
    with open(reg_dir / "registration_base.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(REGISTRATION_COLUMNS)
        for s in pool.subjects:
            if s.kind == "natural_person":
                continue
            w.writerow((s.uscc, s.reg_no, s.org_code, s.name, SUBJECT_CATEGORY[s.kind], s.division, s.rep_name))


def _summarise(stats: list[dict]) -> dict:
    totals = {"rows": 0, "clean": 0, "defects": {k: 0 for k in ALL_KINDS}}
    for s in stats:
        totals["rows"] += s["rows"]
        totals["clean"] += s["clean"]
        for k, v in s["defects"].items():
            totals["defects"][k] = totals["defects"].get(k, 0) + v
    return totals


def generate(preset: str = "demo", seed: int = 20261127, scale: float = 1.0, defect_rate: float = 0.05,
             out_dir: Path | str | None = None, truth_dir: Path | str | None = None,
             workers: int | None = None, progress: bool = False, cat: Catalogue | None = None) -> dict:
    """Generate every feed of the catalogue; returns the manifest (also written as manifest.json)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    opts = Options(preset, seed, scale, defect_rate, out_dir, truth_dir, workers, progress).resolved()
    cat = cat or load_default_catalogue()
    for sub in ("files", "db", "api", "registration"):
        shutil.rmtree(opts.out_dir / sub, ignore_errors=True)
    (opts.out_dir / "manifest.json").unlink(missing_ok=True)
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    opts.truth_dir.mkdir(parents=True, exist_ok=True)
    ctx = _context(opts, cat)
    _write_subjects(opts, ctx["pool"])
    stats = _run_sectors(opts, cat, None)
    stats += generate_platform(opts, cat, ctx)
    manifest = {
        "preset": preset, "seed": seed, "scale": scale, "defect_rate": defect_rate,
        "period": {"start": PRESETS[preset].start.isoformat(), "end": PRESETS[preset].end.isoformat()},
        "subjects": len(ctx["pool"].subjects),
        "totals": _summarise(stats),
        "feeds": {s["key"]: {k: v for k, v in s.items() if k != "key"} for s in stats},
        "days": [],
    }
    _write_manifest(opts, manifest)
    return manifest


def generate_day(day: dt.date | str, preset: str = "demo", seed: int = 20261127, scale: float = 1.0,
                 defect_rate: float = 0.05, out_dir: Path | str | None = None,
                 truth_dir: Path | str | None = None, workers: int | None = None,
                 progress: bool = False, cat: Catalogue | None = None) -> dict:
    """Add one day of new records (new files, appended API lines and database rows) to an
    existing bulk output of the same preset/seed/scale; earlier files are never modified."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    opts = Options(preset, seed, scale, defect_rate, out_dir, truth_dir, workers, progress).resolved()
    manifest_path = opts.out_dir / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"{manifest_path}: run the bulk generation first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if (manifest["preset"], manifest["seed"], manifest["scale"]) != (preset, seed, scale):
        raise ValueError(f"existing output is preset={manifest['preset']} seed={manifest['seed']} "
                         f"scale={manifest['scale']}, not {preset}/{seed}/{scale}")
    done = [d["day"] for d in manifest["days"]]
    last = max([manifest["period"]["end"], *done])
    if day.isoformat() <= last:
        raise ValueError(f"day {day} is not after the last generated day {last}")
    cat = cat or load_default_catalogue()
    ctx = _context(opts, cat)
    stats = _run_sectors(opts, cat, day)
    stats += generate_platform(opts, cat, ctx, day, dt.date.fromisoformat(last))
    manifest["days"].append({"day": day.isoformat(), "totals": _summarise(stats),
                             "feeds": {s["key"]: {k: v for k, v in s.items() if k not in ("key", "connector")} for s in stats}})
    for s in stats:
        entry = manifest["feeds"].setdefault(s["key"], {"connector": s["connector"], "rows": 0, "clean": 0,
                                                        "defects": {}, "sources": []})
        entry["rows"] += s["rows"]
        entry["clean"] += s["clean"]
        for k, v in s["defects"].items():
            entry["defects"][k] = entry["defects"].get(k, 0) + v
        entry["sources"] += [x for x in s["sources"] if x not in entry["sources"]]
    all_totals = _summarise([{"rows": f["rows"], "clean": f["clean"], "defects": f["defects"]}
                             for f in manifest["feeds"].values()])
    manifest["totals"] = all_totals
    _write_manifest(opts, manifest)
    return manifest


def _write_manifest(opts: Options, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False)
    (opts.out_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")
    (opts.truth_dir / "manifest.json").write_text(text + "\n", encoding="utf-8")
