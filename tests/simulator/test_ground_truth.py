"""The ground truth is honest: clean rows pass every field rule, tagged defects are really there."""

from __future__ import annotations

import collections
import re

import pytest
from stdnum.cn import uscc as stdnum_uscc

from ingest_connectors.catalogue import catalogue
from ingest_connectors.simulator.defects import ALL_KINDS
from ingest_connectors.simulator.identifiers import id_is_valid, normalise_code
from ingest_connectors.simulator.readback import iter_feed_rows, read_truth, tracer_of, violations


@pytest.fixture(scope="module")
def joined(sim):
    """[(feed, truth record, raw values)] for every landed row."""
    cat = catalogue()
    truth = {}
    for rec in read_truth(sim["truth"]):
        truth[rec["sim_record_id"]] = rec
    rows = []
    for feed in cat.feeds():
        for source, row_no, values in iter_feed_rows(sim["out"], feed):
            tracer = tracer_of(values)
            assert tracer is not None, (feed.key, source, row_no)
            rows.append((feed, truth, tracer, source, row_no, values))
    return cat, truth, rows


def _record(truth, tracer, source, row_no):
    """The truth record of a raw row (an exact duplicate carries its original's tracer)."""
    rec = truth[tracer]
    dup = truth.get(f"{tracer}.dup")
    if dup and dup["source"] == source and int(dup["row_in_source"]) == row_no:
        return dup
    return rec


def test_every_row_is_in_the_truth_and_vice_versa(joined):
    cat, truth, rows = joined
    assert len(rows) == len(truth)
    located = {(r["source"], int(r["row_in_source"])) for r in truth.values()}
    for feed, _, tracer, source, row_no, _ in rows:
        assert tracer in truth
        if feed.sector.connector.kind != "database":
            assert (source, row_no) in located


def test_every_feed_and_connector_kind_gets_rows(sim, joined):
    cat, truth, rows = joined
    per_feed = collections.Counter(feed.key for feed, *_ in rows)
    assert set(per_feed) == {f.key for f in cat.feeds()}
    assert min(per_feed.values()) >= 5
    assert {r["connector_kind"] for r in truth.values()} == {"file_drop", "http_api", "database"}
    assert sim["manifest"]["totals"]["rows"] == len(rows)


def test_clean_rows_pass_every_field_rule(joined):
    cat, truth, rows = joined
    failures = []
    n_clean = 0
    for feed, truth_, tracer, source, row_no, values in rows:
        rec = _record(truth_, tracer, source, row_no)
        if rec["defects"]:
            continue
        n_clean += 1
        problems = violations(cat, feed, values)
        if problems:
            failures.append((feed.key, tracer, problems))
    assert n_clean > 800
    assert failures == []


def test_clean_rows_have_valid_subject_identifiers(joined):
    cat, truth, rows = joined
    for feed, truth_, tracer, source, row_no, values in rows:
        rec = _record(truth_, tracer, source, row_no)
        if rec["defects"]:
            continue
        code = normalise_code(values.get("uscc", ""))
        if code and code != "00000000000000000X":
            assert stdnum_uscc.is_valid(code), (tracer, code)
        if rec["subject_type"] == "natural_person":
            number = normalise_code(values["id_number"])
            assert len(number) in (15, 18) and (len(number) == 15 or id_is_valid(number)), (tracer, number)


def test_tagged_defects_are_really_present(joined):
    cat, truth, rows = joined
    seen = collections.Counter()
    raw_by_key = collections.defaultdict(list)
    for feed, _, _, _, _, values in rows:
        raw_by_key[(feed.key, values.get("decision_number"), values.get("authority_uscc"))].append(values)
    for feed, truth_, tracer, source, row_no, values in rows:
        rec = _record(truth_, tracer, source, row_no)
        if not rec["defects"]:
            continue
        problems = violations(cat, feed, values)
        rt = feed.record_type
        for kind in rec["defects"].split(";"):
            seen[kind] += 1
            date = values.get(rt.decision_date, "")
            if kind == "bad_check_digit":
                if rec["subject_type"] == "natural_person":
                    assert not id_is_valid(normalise_code(values["id_number"]))
                else:
                    assert not stdnum_uscc.is_valid(normalise_code(values["uscc"]))
            elif kind == "missing_required":
                assert any(p.endswith((".required", ".conditional")) for p in problems), (tracer, problems)
            elif kind == "date_excel_serial":
                assert re.fullmatch(r"\d{5}", date)
            elif kind == "date_yyyymmdd":
                assert re.fullmatch(r"20\d{6}", date)
            elif kind == "date_2099":
                assert date.startswith("2099")
            elif kind == "date_in_future":
                assert f"{rt.decision_date}.not_in_future" in problems
            elif kind == "amount_in_yuan":
                assert any(p.endswith(".max_value") for p in problems)
            elif kind == "unknown_enum":
                assert any(p.endswith(".enum") for p in problems)
            elif kind == "duplicate":
                original = truth_[rec["duplicate_of"]]
                assert not original["defects"]
                same = raw_by_key[(feed.key, values.get("decision_number"), values.get("authority_uscc"))]
                assert sum(1 for v in same if v == values) == 2
            elif kind == "correction":
                same = raw_by_key[(feed.key, values.get("decision_number"), values.get("authority_uscc"))]
                assert len(same) == 2 and same[0] != same[1]
                assert truth_[rec["correction_of"]]["decision_number"] == rec["decision_number"]
            elif kind == "ragged_row":
                assert values.get("__ragged__")
            elif kind == "embedded_newline":
                assert any("\n" in v for v in values.values())
            elif kind == "sql_text":
                assert re.search(r"DROP TABLE|DELETE FROM|' OR '", values["subject_name"])
    assert set(seen) == set(ALL_KINDS), set(ALL_KINDS) - set(seen)
