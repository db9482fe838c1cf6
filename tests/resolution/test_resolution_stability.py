"""subject_ids survive rebuilds and new data (issue 4): a full rebuild gives identical ids; a new
day of data (the simulator's ``generate_day``) changes none of the existing ones.

Runs last in this package (it changes the demo database: a rebuild, then a new day landed).
"""

from __future__ import annotations

import datetime as dt
import json

import resolution_support as support
from conftest import DEMO_PRESET, DEMO_SEED

from credit import warehouse


def _changed(before: dict, after: dict) -> list[tuple]:
    return [(k, v, after.get(k, "<gone>")) for k, v in before.items() if after.get(k, "<gone>") != v]


def test_full_rebuild_and_a_new_day_keep_every_subject_id(demo):
    records_before = support.assignments(demo.location)
    subjects_before = support.subjects(demo.location)
    assert len(subjects_before) > 1000

    # 1. a full rebuild (incremental models rebuilt too; the subject registry is kept) gives
    #    identical subject_ids, and so does one without the registry (ids derive from the keys)
    support.dbt_build(demo.location, "--full-refresh")
    assert support.assignments(demo.location) == records_before
    assert support.subjects(demo.location) == subjects_before
    with warehouse.connect(demo.location) as conn:
        conn.execute("drop table intermediate.int_subjects__registry cascade")
        conn.commit()
    support.dbt_build(demo.location, "--full-refresh")
    assert support.assignments(demo.location) == records_before
    assert support.subjects(demo.location) == subjects_before

    # 2. one more day of data: new records, none of the existing ones renumbered or moved
    manifest = json.loads((demo.landing / "manifest.json").read_text(encoding="utf-8"))
    day = dt.date.fromisoformat(max([manifest["period"]["end"], *(d["day"] for d in manifest["days"])]))
    support.generate_day(day + dt.timedelta(days=1), DEMO_PRESET, DEMO_SEED, demo.landing, demo.truth)
    support.land_everything(demo.location, demo.landing)
    support.dbt_build(demo.location)
    records_after = support.assignments(demo.location)
    subjects_after = support.subjects(demo.location)

    assert len(records_after) > len(records_before)
    assert _changed(records_before, records_after) == []
    assert _changed(subjects_before, subjects_after) == []
    # the new day's records land mostly on subjects already known
    new = [s for r, s in records_after.items() if r not in records_before and s is not None]
    assert new and sum(s in subjects_before for s in new) / len(new) > 0.8
