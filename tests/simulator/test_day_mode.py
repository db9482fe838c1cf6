"""--day adds one day of records without touching what was delivered before."""

from __future__ import annotations

import csv
import gzip
import sqlite3

import pytest

from ingest_connectors.simulator import generate, generate_day
from ingest_connectors.simulator.__main__ import main


def _db_rows(db_dir):
    out = {}
    for path in sorted(db_dir.glob("*.sqlite")):
        conn = sqlite3.connect(path)
        for (table,) in conn.execute("select name from sqlite_master where type='table'"):
            out[(path.name, table)] = conn.execute(f'select * from "{table}" order by row_id').fetchall()
        conn.close()
    return out


def test_day_mode_appends_without_changing_earlier_files(tmp_path, hashes):
    out, truth = tmp_path / "landing", tmp_path / "truth"
    assert main(["--preset", "test", "--seed", "5", "--out", str(out), "--truth", str(truth), "--workers", "1"]) == 0
    before_files = hashes(out / "files", out / "registration")
    before_api = {p: p.read_bytes() for p in (out / "api").rglob("*.jsonl")}
    before_db = _db_rows(out / "db")
    with gzip.open(truth / "records.csv.gz", "rt", encoding="utf-8") as fh:
        before_truth = list(csv.DictReader(fh))

    assert main(["--preset", "test", "--seed", "5", "--out", str(out), "--truth", str(truth),
                 "--workers", "1", "--day", "2026-11-23"]) == 0

    after_files = hashes(out / "files", out / "registration")
    assert {k: v for k, v in after_files.items() if k in before_files} == before_files
    new_files = set(after_files) - set(before_files)
    assert new_files and all("_20261123_" in name for name in new_files)
    for path, old in before_api.items():
        new = path.read_bytes()
        assert new.startswith(old) and len(new) > len(old)
    after_db = _db_rows(out / "db")
    for key, rows in before_db.items():
        assert after_db[key][: len(rows)] == rows
        added = after_db[key][len(rows):]
        assert added and all(r[-1] > rows[-1][-1] and r[-1].startswith("2026-11-23") for r in added)

    with gzip.open(truth / "records.csv.gz", "rt", encoding="utf-8") as fh:
        after_truth = list(csv.DictReader(fh))
    assert after_truth[: len(before_truth)] == before_truth
    added = after_truth[len(before_truth):]
    assert added and all("-20261123-" in r["sim_record_id"] for r in added)
    with open(truth / "subjects.csv", encoding="utf-8") as fh:
        subjects = {r["true_subject_id"] for r in csv.DictReader(fh)}
    assert {r["true_subject_id"] for r in added} <= subjects

    with pytest.raises(ValueError):  # the same day twice, or going back in time
        generate_day("2026-11-23", preset="test", seed=5, out_dir=out, truth_dir=truth, workers=1)
    with pytest.raises(ValueError):  # another run's output
        generate_day("2026-11-24", preset="test", seed=6, out_dir=out, truth_dir=truth, workers=1)


def test_day_mode_is_deterministic(tmp_path, hashes):
    roots = []
    for name in ("a", "b"):
        out, truth = tmp_path / name / "landing", tmp_path / name / "truth"
        generate("test", seed=9, scale=0.5, out_dir=out, truth_dir=truth, workers=1)
        generate_day("2026-11-21", preset="test", seed=9, scale=0.5, out_dir=out, truth_dir=truth, workers=2)
        roots.append(hashes(out, truth))
    assert roots[0] == roots[1]
