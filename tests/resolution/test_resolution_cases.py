"""Resolution on hand-made cases the simulator does not produce, or produces rarely: two subjects
with one name, a registration number listed for two subjects, a record whose codes point at two
subjects, an invalid code one character away from a known one, a name match contradicted by the
record's own (invalid) code, legacy-only subjects, natural persons in 18-digit, lowercase-x and
15-digit spellings.

Each case is one row of ``raw.production__penalty`` (remarks ``CASE:<name>``) in a database of its
own (``credit_test_resolution_cases``), with a hand-made registration base; ``dbt build`` of the
resolution chain then decides, and each case's method and subject are checked.
"""

from __future__ import annotations

import os

import pytest
from psycopg import sql
from stdnum.iso7064 import mod_11_10

import resolution_support as support
from credit import identifiers as ids
from credit import pii, settings, warehouse

CASES_DB = "credit_test_resolution_cases"
FEED = "production__penalty"


def uscc(head: str, division: str, body: str) -> str:
    org = body + ids.org_code_check_char(body)
    first17 = head + division + org
    return first17 + ids.uscc_check_char(first17)


def reg_no(first14: str) -> str:
    return first14 + mod_11_10.calc_check_digit(first14)


def org_code(body: str) -> str:
    return body + ids.org_code_check_char(body)


def id_number(first17: str) -> str:
    return first17 + ids.id_number_check_char(first17)


def bad_check(code: str, alphabet: str = ids.USCC_CHARSET) -> str:
    """The same code with a wrong last (check) character."""
    return code[:-1] + next(c for c in alphabet if c != code[-1])


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


A = uscc("91", "420202", "MA4ABC01")
B = uscc("91", "420203", "MA4XYW02")
D1, D2 = uscc("91", "420204", "MA4DDD01"), uscc("91", "420205", "MA4DDD02")
E1, E2 = uscc("91", "420222", "MA4EEE01"), uscc("91", "420281", "MA4EEE02")
F = uscc("92", "420202", "MA4FFF01")
G = uscc("91", "420204", "MA4GGG07")  # in no base data: known only from its records
RA, RL, RE = reg_no("42020200012345"), reg_no("42020260054321"), reg_no("42022200099999")
OL = org_code("12345678")
# A USCC one body character away from A's (with a check character that then fails): never A.
NEAR_A = A[:12] + ("7" if A[12] != "7" else "8") + A[13:]
NEAR_A = NEAR_A if ids.uscc_status(NEAR_A) != "valid" else bad_check(NEAR_A)
assert ids.uscc_status(NEAR_A) == "invalid_check"
# a natural person whose number ends in X
PERSON = next(id_number(f"42020219{yy}0101{seq:03d}") for yy in range(60, 99) for seq in range(1, 999)
              if ids.id_number_check_char(f"42020219{yy}0101{seq:03d}") == "X")
PERSON_15 = PERSON[:6] + PERSON[8:17]

BASE = [  # uscc, registration_number, org_code, name
    (A, RA, A[8:17], "黄石甲科技有限公司"),
    (B, "", B[8:17], "黄石乙商贸有限公司"),
    ("", RL, OL, "黄石丙建材厂"),  # legacy-only
    (D1, "", D1[8:17], "黄石丁物流有限公司"),
    (D2, "", D2[8:17], "黄石丁物流有限公司"),  # same name, another subject
    (E1, RE, E1[8:17], "黄石戊一商贸有限公司"),
    (E2, RE, E2[8:17], "黄石戊二商贸有限公司"),  # the same registration number, listed twice
    (F, "", F[8:17], "黄石港区己（黄石）小吃店"),
]

ORG, IND, PER = "法人及非法人组织", "个体工商户", "自然人"
#: case: (subject_name, category, uscc, registration_number, org_code, id_number,
#:        expected method, expected subject key or None when held)
CASES = {
    "uscc_variant": ("黄石甲科技有限公司", ORG, full_width(A.lower()), "", "", "", "uscc", f"U:{A}"),
    "placeholder_with_reg": ("黄石甲科技有限公司", IND, "00000000000000000X", RA, "", "",
                             "registration_number", f"U:{A}"),
    "org_code_only": ("黄石甲科技", ORG, "", "", f"{A[8:16]}-{A[16]}", "", "org_code", f"U:{A}"),
    "bad_check_name_variant": ("黄石甲科技 有限责任公司", ORG, bad_check(A), "", "", "",
                               "name_exact", f"U:{A}"),
    "near_code_other_name": ("黄石乙商贸有限公司", ORG, NEAR_A, "", "", "",
                             "review_conflicting_code", None),
    "near_code_own_name": ("黄石甲科技有限公司", ORG, NEAR_A, "", "", "", "name_exact", f"U:{A}"),
    "near_code_unknown_name": ("黄石某某不知名公司", ORG, NEAR_A, "", "", "",
                               "review_no_exact_match", None),
    "legacy_reg_only": ("黄石丙建材厂", ORG, "", RL, "", "", "registration_number", f"R:{RL}"),
    "legacy_org_only": ("黄石丙建材厂", ORG, "00000000000000000X", "", OL, "", "org_code", f"R:{RL}"),
    "conflicting_codes": ("黄石甲科技有限公司", ORG, A, RL, "", "", "review_conflicting_identifiers", None),
    "ambiguous_name": ("黄石丁物流有限责任公司", ORG, "", "", "", "", "review_ambiguous_name", None),
    "ambiguous_reg": ("黄石戊一商贸有限公司", ORG, "", RE, "", "", "review_ambiguous_code", None),
    "person_18": ("张三", PER, "", "", "", PERSON, "id_number", "P"),
    "person_lower_x": ("张三", PER, "", "", "", PERSON.lower(), "id_number", "P"),
    "person_15": ("张三", PER, "", "", "", PERSON_15, "id_number", "P"),
    "person_bad_check": ("张三", PER, "", "", "", bad_check(PERSON, "0123456789X"),
                         "review_person_without_valid_id", None),
    "name_only_variant": ("\u3000黄石港区己(黄石)小吃店 ", IND, "", "", "", "", "name_exact", f"U:{F}"),
    "uscc_outside_base": ("黄石庚网络科技有限公司", ORG, G, "", "", "", "uscc", f"U:{G}"),
    "org_of_uscc_outside_base": ("黄石庚网络科技有限公司", ORG, "", "", G[8:17], "", "org_code", f"U:{G}"),
}


@pytest.fixture(scope="module")
def cases(dbt_dirs) -> dict[str, tuple]:
    from ingest_connectors.catalogue import catalogue
    from ingest_connectors.landing import ensure_raw_table

    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get(settings.WAREHOUSE_URL_ENV):
            mp.setenv(warehouse.DATABASE_OVERRIDE_ENV, CASES_DB)
        location = warehouse.locate(create=False)
        if location.embedded:
            warehouse.drop_database(location)
        location = warehouse.locate()
        for key, value in dbt_dirs.items():
            mp.setenv(key, value)
        with warehouse.connect(location, autocommit=True) as conn:
            warehouse.ensure_pipeline_schemas(conn)
            pii.install_key(conn)
            for feed in catalogue().feeds():
                ensure_raw_table(conn, feed)
            conn.execute("create table raw.registration_base (uscc text, registration_number text,"
                         " org_code text, name text)")
            with conn.cursor().copy("copy raw.registration_base from stdin") as copy:
                for row in BASE:
                    copy.write_row([v or None for v in row])
            columns = ["subject_name", "subject_category", "uscc", "registration_number", "org_code",
                       "id_number", "remarks", "_load_id", "_feed", "_source", "_row_number",
                       "_content_hash"]
            insert = sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier("raw", FEED), sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.SQL(", ").join(sql.Placeholder() * len(columns)))
            for n, (case, values) in enumerate(CASES.items(), start=1):
                conn.execute(insert, [*(v or None for v in values[:6]), f"CASE:{case}", 1, FEED,
                                      "cases", n, "cases"])
        support.dbt_build(location, "-s", "+mart_resolution__review_queue", "+dim_credit_subject",
                          "--indirect-selection", "cautious")
        with warehouse.connect(location) as conn:
            rows = conn.execute("""
                select substring(remarks from 'CASE:(.*)$'), resolution_method, resolved_subject_key,
                       subject_id, match_confidence
                from intermediate.int_records__resolved""").fetchall()
            queue = dict(conn.execute("""
                select substring(r.remarks from 'CASE:(.*)$'), q.candidates
                from marts.mart_resolution__review_queue q
                join intermediate.int_records__resolved r using (record_row_id)""").fetchall())
    return {r[0]: (*r[1:], r[0] in queue, queue.get(r[0])) for r in rows}


@pytest.mark.parametrize("case", list(CASES))
def test_case(cases, case):
    *_, expected_method, expected_key = CASES[case]
    method, key, subject_id, confidence, in_queue, _ = cases[case]
    assert method == expected_method
    if expected_key is None:
        assert (key, subject_id, in_queue) == (None, None, True)
    elif expected_key == "P":
        assert key.startswith("P:") and PERSON not in key and PERSON_15 not in key
        assert not in_queue
    else:
        assert key == expected_key and subject_id is not None and not in_queue
        assert confidence > 0


def test_one_person_under_every_spelling(cases):
    ids_ = {cases[c][2] for c in ("person_18", "person_lower_x", "person_15")}
    assert len(ids_) == 1


def test_review_queue_lists_both_namesakes(cases):
    """Both namesakes are proposed first, though neither has a record yet (base data only)."""
    import hashlib

    candidates = cases["ambiguous_name"][-1]
    expected = {"CS" + hashlib.md5(f"U:{d}".encode()).hexdigest()[:16].upper() for d in (D1, D2)}
    assert {c["subject_id"] for c in candidates[:2]} == expected
    assert [c["similarity"] for c in candidates[:2]] == [1.0, 1.0]


def test_ids_survive_a_legacy_subject_getting_its_uscc(cases, dbt_dirs):
    """The registry keeps ids: when the base data lists the legacy-only subject with a new USCC,
    its records (now keyed on the USCC) keep the id they had, and so does a new record sending
    only the USCC; a --full-refresh rebuild keeps the registry."""
    new_uscc = uscc("91", "420202", "MA4LLL01")
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get(settings.WAREHOUSE_URL_ENV):
            mp.setenv(warehouse.DATABASE_OVERRIDE_ENV, CASES_DB)
        location = warehouse.locate()
        for key, value in dbt_dirs.items():
            mp.setenv(key, value)
        with warehouse.connect(location, autocommit=True) as conn:
            conn.execute("update raw.registration_base set uscc = %s where registration_number = %s",
                         (new_uscc, RL))
            conn.execute(sql.SQL(
                "insert into {} (subject_name, subject_category, uscc, remarks, _load_id, _feed,"
                " _source, _row_number, _content_hash) values (%s, %s, %s, %s, 2, %s, 'cases', 1, 'cases2')"
            ).format(sql.Identifier("raw", FEED)), ("黄石丙建材厂", ORG, new_uscc, "CASE:new_uscc", FEED))
        support.dbt_build(location, "-s", "+mart_resolution__review_queue", "+dim_credit_subject",
                          "--full-refresh", "--indirect-selection", "cautious")
        with warehouse.connect(location) as conn:
            rows = dict(conn.execute("""
                select substring(remarks from 'CASE:(.*)$'), subject_id
                from intermediate.int_records__resolved""").fetchall())
            dim_key = conn.execute("select subject_key from core.dim_credit_subject where subject_id = %s",
                                   (rows["new_uscc"],)).fetchone()[0]
    before = cases["legacy_reg_only"][2]
    assert rows["legacy_reg_only"] == rows["legacy_org_only"] == rows["new_uscc"] == before
    assert dim_key == f"U:{new_uscc}"
    # every other case keeps its id
    assert {c: rows[c] for c in CASES} == {c: v[2] for c, v in cases.items()}
