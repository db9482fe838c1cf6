"""Configuration takes effect with no code change: edit the YAML, run, and the grades move."""

from __future__ import annotations

from decimal import Decimal

import yaml

import ratings_support as support
from credit.ratings import config as rating_config


def _edit(rated, tmp_path, mutate):
    directory = support.copy_config(tmp_path / "config")
    path = directory / rating_config.RATING_MODEL_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rated.install_config(directory)
    support.rerun_ratings(rated.location)


def _ratings(rated) -> dict[str, tuple]:
    return {s: (score, grade) for s, score, grade in rated.rows(
        "select subject_id, score, grade from marts.mart_rating__current")}


def _band(data, grade):
    return next(g for g in data["grades"] if g["grade"] == grade)


def test_a_band_and_a_weight_change_grades_with_no_code_change(rated, tmp_path):
    baseline = _ratings(rated)
    changes_before = rated.value("select coalesce(max(change_id), 0) from marts.mart_rating__history")
    try:
        # 1. band: A from 900 to 950 — scores stay, grades between 900 and 950 become B
        _edit(rated, tmp_path / "band", lambda d: _band(d, "A").update(min_score=950))
        after_band = _ratings(rated)
        assert {s: v[0] for s, v in after_band.items()} == {s: v[0] for s, v in baseline.items()}
        moved = {s for s in baseline if baseline[s][1] != after_band[s][1]}
        expected = {s for s, (score, grade) in baseline.items() if grade == "A" and score < Decimal(950)}
        assert moved == expected and moved, "some A subjects score below 950"
        assert all(after_band[s][1] == "B" for s in moved)
        downgrades = rated.rows("""
            select subject_id, explanation from marts.mart_rating__history
            where change_id > %s and change_kind = 'downgrade'""", (changes_before,))
        assert {s for s, _ in downgrades} == moved
        assert all("A → B" in e for _, e in downgrades)

        # 2. weight: administrative management counts three times — penalties weigh more
        def triple(d):
            _band(d, "A").update(min_score=950)
            next(x for x in d["dimensions"] if x["key"] == "administrative").update(weight=3.0)

        _edit(rated, tmp_path / "weight", triple)
        after_weight = _ratings(rated)
        weights = {w for (w,) in rated.rows("""
            select distinct weight from marts.mart_rating__contribution
            where contribution_kind = 'record' and dimension_key = 'administrative'""")}
        assert weights == {Decimal("3.0")}
        lowered = [s for s in after_band if after_weight[s][0] < after_band[s][0]]
        assert lowered and any(after_weight[s][1] != after_band[s][1] for s in lowered)
        assert all(after_weight[s][0] <= after_band[s][0] for s in after_band
                   if not rated.value("""select count(*) from marts.mart_rating__contribution
                                         where subject_id = %s and dimension_key = 'administrative'
                                           and contribution > 0""", (s,)))
    finally:
        rated.install_config()
        support.rerun_ratings(rated.location)
    assert _ratings(rated) == baseline
