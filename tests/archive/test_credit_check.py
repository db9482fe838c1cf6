"""pub.credit_check(identifier) and the console commands `credit check` and `credit report`."""

from __future__ import annotations

import csv
import re
import time

import pytest

from credit import cli, identifiers, warehouse
from credit.credit_check import credit_check, render
from credit.credit_report import AmbiguousSubject, SubjectNotFound, write_report


@pytest.fixture(scope="module")
def listed(archive):
    """An organisation with an active serious-dishonesty entry of the list engine."""
    rows = archive.rows("""
        select s.subject_id, s.uscc from marts.mart_list__active_entries l
        join core.dim_credit_subject s using (subject_id)
        where l.is_vetoing and s.uscc is not null
        order by s.subject_id limit 1""")
    assert rows, "the test preset has listed organisations"
    return rows[0]


@pytest.fixture(scope="module")
def clean(archive):
    rows = archive.rows("""
        select s.subject_id, s.uscc from pub.credit_subject s
        where s.uscc is not null
          and not exists (select 1 from marts.mart_list__active_entries l where l.subject_id = s.subject_id)
          and not exists (select 1 from core.fct_credit_record f where f.subject_id = s.subject_id
                          and f.information_category = '经营(活动)异常名录(状态)信息')
        order by s.subject_id limit 1""")
    return rows[0]


@pytest.fixture(scope="module")
def person(archive):
    """A natural person's clear ID number (from the ground truth) and subject id."""
    with (archive.truth / "subjects.csv").open(encoding="utf-8") as handle:
        people = [r["id_number"] for r in csv.DictReader(handle) if r["subject_type"] == "natural_person"]
    for id_number in people:
        found = credit_check(id_number, archive.location)
        if found.found:
            return id_number, found.subjects[0]["subject_id"]
    pytest.fail("no natural person of the ground truth was found by ID number")


def test_a_listed_subject_is_vetoed_with_its_reasons(archive, listed):
    subject_id, uscc = listed
    result = credit_check(uscc, archive.location)
    assert [s["subject_id"] for s in result.subjects] == [subject_id]
    subject = result.subjects[0]
    assert subject["matched_by"] == "uscc" and subject["is_vetoed"]
    reasons = [r[0] for r in archive.rows("select veto_reason from marts.mart_list__active_entries "
                                          "where subject_id = %s and is_vetoing", (subject_id,))]
    assert sorted(subject["veto_reasons"]) == sorted(reasons) and all("严重失信" in r for r in reasons)
    assert any(e["list"] == "serious_dishonesty" and e["vetoes"] for e in subject["active_list_entries"])


def test_the_check_reports_the_subjects_grade(archive, listed, clean):
    for subject_id, uscc in (listed, clean):
        grade = archive.rows("select grade from marts.mart_rating__current where subject_id = %s", (subject_id,))
        assert credit_check(uscc, archive.location).subjects[0]["credit_grade"] == (grade[0][0] if grade else None)


def test_a_clean_subject_passes(archive, clean):
    result = credit_check(clean[1], archive.location)
    assert result.found and not result.is_vetoed
    assert result.subjects[0]["active_list_entries"] == [] and result.subjects[0]["veto_reasons"] == []


def test_messy_spellings_of_a_uscc_find_the_subject(archive, clean):
    subject_id, uscc = clean
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in uscc.lower())
    for spelling in (uscc.lower(), f" {uscc[:6]}-{uscc[6:]} ", fullwidth):
        assert [s["subject_id"] for s in credit_check(spelling, archive.location).subjects] == [subject_id]


def test_a_natural_person_is_found_by_id_number_and_the_answer_carries_no_id(archive, person):
    id_number, subject_id = person
    result = credit_check(id_number.lower(), archive.location)
    assert [s["subject_id"] for s in result.subjects] == [subject_id]
    assert result.subjects[0]["matched_by"] == "id_number" and result.subjects[0]["uscc"] is None
    assert identifiers.normalise_id_number(id_number) not in repr(result.subjects)


def test_a_name_finds_the_subject(archive, clean):
    name = archive.rows("select subject_name from pub.credit_subject where subject_id = %s", (clean[0],))[0][0]
    result = credit_check(name, archive.location)
    assert clean[0] in [s["subject_id"] for s in result.subjects]
    assert all(s["matched_by"] == "name" for s in result.subjects)


def test_a_banned_responsible_person_is_reported_by_id_number(archive):
    bans = archive.rows("select person_id_hash, decision_number from marts.mart_list__ban_person limit 20")
    if not bans:
        pytest.skip("no active ban names a responsible person in the test preset")
    wanted = {h: number for h, number in bans}
    found = None
    with warehouse.connect(archive.location) as conn:
        for (table,) in conn.execute("select table_name from information_schema.columns where table_schema = 'raw' "
                                     "and column_name = 'legal_rep_id_number'").fetchall():
            row = conn.execute(f"""select legal_rep_id_number from raw."{table}"
                                   where util.pii_hash(util.normalise_id_number(legal_rep_id_number)) = any(%s)
                                   limit 1""", (list(wanted),)).fetchone()
            if row:
                found = row[0]
                break
    if found is None:
        pytest.skip("the banned persons' ID numbers are not in the raw feeds")
    result = credit_check(found, archive.location)
    entries = [e for s in result.subjects for e in s["active_list_entries"] if e["list"] == "market_ban"]
    assert entries and {e["decision_number"] for e in entries} & set(wanted.values())
    assert identifiers.normalise_id_number(found) not in repr(result.subjects)


def test_an_unknown_identifier_finds_nothing(archive):
    assert not credit_check("91420200MA00000000", archive.location).found
    assert not credit_check("没有这个主体有限公司", archive.location).found


def test_a_lookup_takes_milliseconds(archive, listed, clean):
    with warehouse.connect(archive.location) as conn:
        conn.execute("select * from pub.credit_check(%s)", (listed[1],)).fetchall()
        started = time.perf_counter()
        for _ in range(50):
            conn.execute("select * from pub.credit_check(%s)", (clean[1],)).fetchall()
        assert (time.perf_counter() - started) / 50 < 0.05


def test_the_console_check_prints_the_veto(archive, listed, monkeypatch, capsys):
    monkeypatch.setenv(warehouse.DATABASE_OVERRIDE_ENV, archive.location.dbname)
    assert cli.main(["check", listed[1]]) == 0
    out = capsys.readouterr().out
    assert listed[0] in out and "VETO" in out
    assert cli.main(["check", "91420200MA00000000"]) == 1
    assert "no credit subject" in render(credit_check("91420200MA00000000", archive.location))


def test_the_credit_report_is_a_printable_page_of_the_archive(archive, listed, tmp_path):
    path = write_report(listed[1], tmp_path / "report.html", location=archive.location)
    html = path.read_text(encoding="utf-8")
    categories = [r[0] for r in archive.rows("select name_zh from core.dim_information_category")]
    assert len(categories) == 13 and all(c in html for c in categories)
    assert "信用报告" in html and listed[1] in html and "一票否决" in html and "@page" in html
    records = archive.rows("select count(*) from marts.archive_as_of(%s, current_date)", (listed[0],))[0][0]
    assert records > 0 and f"共 {records} 条" in html


def test_the_credit_report_of_a_person_shows_the_masked_id_only(archive, person, tmp_path):
    id_number, subject_id = person
    html = write_report(subject_id, tmp_path / "person.html", location=archive.location).read_text(encoding="utf-8")
    clear = identifiers.normalise_id_number(id_number)
    assert clear not in html and id_number not in html
    masked = archive.rows("select id_number_masked from core.dim_credit_subject where subject_id = %s", (subject_id,))[0][0]
    assert masked and masked in html
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", html.replace(masked, ""))


def test_the_report_command_names_its_file_or_says_why_not(archive, listed, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(warehouse.DATABASE_OVERRIDE_ENV, archive.location.dbname)
    out_file = tmp_path / "cli.html"
    assert cli.main(["report", listed[0], "--output", str(out_file)]) == 0
    assert out_file.exists() and str(out_file) in capsys.readouterr().out.replace("\n", "")
    assert cli.main(["report", "没有这个主体有限公司"]) == 1
    with pytest.raises(SubjectNotFound):
        write_report("CS0000000000000000", tmp_path / "x.html", location=archive.location)
    assert issubclass(AmbiguousSubject, LookupError)
