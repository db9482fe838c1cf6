"""Landing formats exactly as the connectors expect them (see docs/simulator.md)."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import warnings

import pytest
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_10

from ingest_connectors.catalogue import catalogue
from ingest_connectors.simulator.identifiers import id_is_valid, org_code_check, uscc_is_valid
from ingest_connectors.simulator.readback import read_truth

FILE_NAME = re.compile(r"^(?P<dept>[A-Z0-9-]+)_(?P<day>\d{8})_(?P<n>\d+)\.(csv|xlsx|json|jsonl)$")


def _file_feeds(**settings):
    for feed in catalogue().feeds():
        c = feed.sector.connector
        if c.kind == "file_drop" and all(c.settings.get(k) == v for k, v in settings.items()):
            yield feed


def _files(sim, feed):
    return sorted((sim["out"] / "files" / feed.sector.slug / feed.record_type.code).iterdir())


def test_file_drop_feeds_get_several_dated_files_per_department(sim):
    for feed in _file_feeds():
        files = _files(sim, feed)
        assert len(files) >= 2, feed.key
        depts = {d.code for d in feed.sector.departments}
        for path in files:
            m = FILE_NAME.match(path.name)
            assert m and m["dept"] in depts and path.suffix[1:] == feed.sector.connector.settings["format"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_files_decode_as_gbk_and_not_as_utf8(sim, encoding):
    feeds = list(_file_feeds(encoding=encoding))
    assert feeds, f"no {encoding} sector in the catalogue"
    for feed in feeds:
        for path in _files(sim, feed):
            data = path.read_bytes()
            header = next(csv.reader(io.StringIO(data.decode(encoding))))
            assert header == [f.name_zh for f in feed.record_type.fields]
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")


def test_utf8_sig_files_have_a_bom_and_utf8_files_do_not(sim):
    for feed in _file_feeds(encoding="utf-8-sig"):
        for path in _files(sim, feed):
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    for feed in _file_feeds(format="csv", encoding="utf-8"):
        for path in _files(sim, feed):
            data = path.read_bytes()
            assert not data.startswith(b"\xef\xbb\xbf")
            data.decode("utf-8")


def test_xlsx_json_and_jsonl_layouts(sim):
    import openpyxl

    for feed in _file_feeds(format="xlsx"):
        names = [f.name_zh for f in feed.record_type.fields]
        path = _files(sim, feed)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            wb = openpyxl.load_workbook(path, read_only=True)
            assert [c.value for c in next(wb.active.iter_rows(max_row=1))] == names
            wb.close()
    for feed in _file_feeds(format="json"):
        codes = {f.code for f in feed.record_type.fields}
        data = json.loads(_files(sim, feed)[0].read_text(encoding="utf-8"))
        assert isinstance(data, list) and data and set(data[0]) == codes
    for feed in _file_feeds(format="jsonl"):
        names = {f.name_zh for f in feed.record_type.fields}
        first = _files(sim, feed)[0].read_text(encoding="utf-8").splitlines()[0]
        assert set(json.loads(first)) == names


def test_database_tables_have_row_id_and_increasing_updated_at(sim):
    for feed in catalogue().feeds():
        if feed.sector.connector.kind != "database":
            continue
        conn = sqlite3.connect(sim["out"] / "db" / f"{feed.sector.slug}.sqlite")
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{feed.record_type.code}")')]
        assert cols == ["row_id", *[f.column for f in feed.record_type.fields], "updated_at"]
        stamps = [r[0] for r in conn.execute(f'SELECT updated_at FROM "{feed.record_type.code}" ORDER BY row_id')]
        assert stamps and all(a < b for a, b in zip(stamps, stamps[1:]))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", stamps[0])
        conn.close()


def test_api_feeds_are_jsonl_keyed_by_field_code(sim):
    for feed in catalogue().feeds():
        if feed.sector.connector.kind != "http_api":
            continue
        lines = (sim["out"] / "api" / feed.sector.slug / f"{feed.record_type.code}.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines and set(json.loads(lines[0])) == {f.code for f in feed.record_type.fields}


def test_subjects_have_valid_identifiers_and_the_registration_base_maps_legacy_numbers(sim):
    with open(sim["truth"] / "subjects.csv", encoding="utf-8") as fh:
        subjects = list(csv.DictReader(fh))
    kinds = {s["subject_type"] for s in subjects}
    assert kinds == {"company", "self_employed", "social_org", "public_institution", "natural_person"}
    for s in subjects:
        if s["uscc"]:
            assert uscc_is_valid(s["uscc"]) and stdnum_uscc.is_valid(s["uscc"])
            assert s["uscc"][2:8] == s["division"] and s["uscc"][8:17] == s["org_code"]
        if s["org_code"]:
            assert org_code_check(s["org_code"][:8]) == s["org_code"][8]
        if s["registration_number"]:
            assert len(s["registration_number"]) == 15 and mod_11_10.is_valid(s["registration_number"])
        if s["subject_type"] == "natural_person":
            assert id_is_valid(s["id_number"])
    assert any(s["legacy_only"] for s in subjects)
    with open(sim["out"] / "registration" / "registration_base.csv", encoding="utf-8") as fh:
        base = list(csv.DictReader(fh))
    by_reg = {b["registration_number"]: b for b in base if b["registration_number"]}
    for s in subjects:
        if s["registration_number"]:
            assert by_reg[s["registration_number"]]["uscc"] == s["uscc"]


def test_realistic_variation_is_recorded(sim):
    seen = set()
    for rec in read_truth(sim["truth"]):
        seen.update(v for v in rec["variants"].split(";") if v)
    for expected in ("enum_alias", "valid_until_no_end", "legacy_only"):
        assert expected in seen
    assert seen & {"name_space", "name_halfwidth_brackets", "name_ltd_long", "name_ltd_short"}
    assert seen & {"code_fullwidth", "code_lowercase", "code_hyphen", "code_space"}
    assert seen & {"id_15_digit", "id_lowercase_x"}
