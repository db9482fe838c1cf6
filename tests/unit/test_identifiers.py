"""credit.identifiers on the examples of REFERENCE.md §2 and the traps of hand-typed feeds.

The SQL twins are held to the same answers by tests/property/test_identifiers_sql_equals_python.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from credit import identifiers as ids
from credit.identifiers import (
    ABSENT, INVALID_CHECK, INVALID_DATE, INVALID_FORMAT, VALID, id_number_status,
    mask_id_number, normalise_code, normalise_id_number, normalise_uscc, org_code_status,
    registration_number_status, uscc_status,
)

REFERENCE_USCCS = ["914403001922038216", "9144030071526726XG", "91440101MA5CJQ4N59",
                   "123502001549897397", "91350200776049653A"]


# --- normalise_code ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("９１４４０３００１９２２０３８２１６", "914403001922038216"),   # full-width digits
    ("9144 0300\u30001922-0382_16.", "914403001922038216"),          # space, U+3000, - _ .
    ("\t91350200776049653a\n", "91350200776049653A"),                # lowercase, tab, newline
    ("９１３５０２００７７６０４９６５３ａ", "91350200776049653A"),     # full-width lowercase
    ("\ufeff1101\u200b0519491231002x", "11010519491231002X"),        # BOM, zero-width space
    ("7760—4965·3", "776049653"),                                    # em dash, middle dot
    ("统一 代码", "统一代码"),                                          # other text is kept
    ("", None), ("  \u3000-", None), (None, None),
])
def test_normalise_code(raw, expected):
    assert normalise_code(raw) == expected


def test_normalise_code_upper_cases_ascii_only():
    # Only the letters a code can hold; ß would become SS under str.upper() but not in SQL.
    assert normalise_code("aßé") == "Aßé"


# --- USCC ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", REFERENCE_USCCS)
def test_reference_usccs_are_valid(code):
    assert uscc_status(code) == VALID
    assert normalise_uscc(code) == code


@pytest.mark.parametrize("raw, status, normalised", [
    ("00000000000000000X", ABSENT, None),
    ("00000000000000000x", ABSENT, None),
    ("０００００００００００００００００Ｘ", ABSENT, None),
    ("000000000000000000", ABSENT, None),     # both checks would pass: still no code
    (None, ABSENT, None), ("", ABSENT, None), ("\u3000", ABSENT, None),
    ("９１４４０３００７１５２６７２６ｘｇ", VALID, "9144030071526726XG"),
    ("9144-0300-7152-6726-XG", VALID, "9144030071526726XG"),
    ("914403001922038217", INVALID_CHECK, "914403001922038217"),   # mod-31 check wrong
    ("91350200776049654A", INVALID_CHECK, "91350200776049654A"),   # organisation check wrong
    ("9135020077604965", INVALID_FORMAT, None),                    # too short
    ("9135020077604965I3", INVALID_FORMAT, None),                  # I is not in the charset
    ("91A50200776049653A", INVALID_FORMAT, None),                  # division not digits
    ("无", INVALID_FORMAT, None),
])
def test_uscc_status_and_normalise(raw, status, normalised):
    assert uscc_status(raw) == status
    assert normalise_uscc(raw) == normalised


def test_nested_organisation_code_check_alone_makes_a_uscc_invalid():
    # Right mod-31 check over a wrong organisation check character.
    first17 = "91350200" + "77604965" + "4"
    code = first17 + ids.uscc_check_char(first17)
    assert uscc_status(code) == INVALID_CHECK


def test_authority_y_is_a_uscc_although_stdnum_rejects_it():
    from stdnum.cn import uscc
    body = "MA4K0001"
    first17 = "Y1420200" + body + ids.org_code_check_char(body)
    code = first17 + ids.uscc_check_char(first17)
    assert not uscc.is_valid(code)          # stdnum wants digits in positions 1-8
    assert uscc_status(code) == VALID


# --- organisation code ---------------------------------------------------------------------------

@pytest.mark.parametrize("raw, status", [
    ("19220382-1", VALID), ("192203821", VALID),            # inside 914403001922038216
    ("71526726-X", VALID), ("71526726x", VALID),           # inside 9144030071526726XG
    ("MA5CJQ4N-5", VALID), ("ｍａ５ｃｊｑ４ｎ－５", VALID),
    ("19220382-2", INVALID_CHECK), ("19220382-A", INVALID_CHECK),
    ("1922038", INVALID_FORMAT), ("19220382-12", INVALID_FORMAT),
    ("00000000-0", ABSENT), ("00000000-X", ABSENT), ("", ABSENT), (None, ABSENT),
])
def test_org_code_status(raw, status):
    assert org_code_status(raw) == status


# --- registration number -------------------------------------------------------------------------

def test_registration_number_status():
    from stdnum.iso7064 import mod_11_10
    first14 = "42020000012345"
    good = first14 + mod_11_10.calc_check_digit(first14)
    bad = first14 + str((int(good[-1]) + 1) % 10)
    assert registration_number_status(good) == VALID
    assert registration_number_status(" ".join([good[:6], good[6:]])) == VALID
    assert registration_number_status(bad) == INVALID_CHECK
    assert registration_number_status(good[:-1]) == INVALID_FORMAT
    assert registration_number_status(good[:-1] + "X") == INVALID_FORMAT
    assert registration_number_status("000000000000000") == ABSENT
    assert registration_number_status(None) == ABSENT


# --- ID number -----------------------------------------------------------------------------------

TODAY = dt.date(2025, 6, 30)


@pytest.mark.parametrize("raw, status, normalised", [
    ("11010519491231002X", VALID, "11010519491231002X"),
    ("11010519491231002x", VALID, "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２ｘ", VALID, "11010519491231002X"),
    ("110105 19491231 002X", VALID, "11010519491231002X"),
    ("110105491231002", VALID, "11010519491231002X"),              # 15 -> 18 upgrade
    ("110105-491231-002", VALID, "11010519491231002X"),
    ("110105491230002", VALID, "110105194912300024"),              # another 15-digit number
    ("110105490230002", INVALID_DATE, "110105194902300020"),       # Feb 30, upgraded anyway
    ("11010519491231003X", INVALID_CHECK, "11010519491231003X"),
    ("1101051949123100", INVALID_FORMAT, None),
    ("11010519491231002Y", INVALID_FORMAT, None),
    ("E12345678", INVALID_FORMAT, None),                           # a passport number
    ("000000000000000000", ABSENT, None), ("000000000000000", ABSENT, None),
    ("", ABSENT, None), (None, ABSENT, None),
])
def test_id_number_status_and_normalise(raw, status, normalised):
    assert id_number_status(raw, TODAY) == status
    assert normalise_id_number(raw) == normalised


def with_check(first17: str) -> str:
    return first17 + ids.id_number_check_char(first17)


@pytest.mark.parametrize("birth, status", [
    ("19490230", INVALID_DATE),        # Feb 30
    ("19000229", INVALID_DATE),        # 1900 was no leap year
    ("20000229", VALID),               # 2000 was
    ("19491301", INVALID_DATE),        # month 13
    ("19490100", INVALID_DATE),        # day 0
    ("18991231", INVALID_DATE),        # before 1900
    ("19000101", VALID),
    ("20250630", VALID),               # today
    ("20250701", INVALID_DATE),        # tomorrow
])
def test_birth_dates(birth, status):
    assert id_number_status(with_check("420202" + birth + "123"), TODAY) == status


def test_default_today_is_the_calendar_date():
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert id_number_status(with_check("420202" + f"{tomorrow:%Y%m%d}" + "123")) == INVALID_DATE
    assert id_number_status(with_check("420202" + f"{dt.date.today():%Y%m%d}" + "123")) == VALID


def test_id_numbers_issued_in_yangxin_are_valid_though_stdnum_rejects_them():
    number = with_check("420222" + "19850612" + "123")
    assert number == "420222198506121234"
    assert not ric.is_valid(number)      # its division table rejects 阳新县 for this birth date
    assert id_number_status(number) == VALID


def test_check_char_matches_the_reference_formula():
    first17 = "11010519491231002"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    expected = "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]
    assert ids.id_number_check_char(first17) == expected == "X"


@pytest.mark.parametrize("raw, masked", [
    ("11010519491231002x", "110105********002X"),
    ("110105491231002", "110105********002X"),
    ("11010519490230002X", "110105********002X"),   # invalid date: still masked, not shown
    ("E12345678", ids.ID_MASK_INVALID),              # not an ID number: fully redacted
    ("00000000000000000X", None), ("", None), (None, None),
])
def test_mask_id_number(raw, masked):
    assert mask_id_number(raw) == masked


def test_functions_are_deterministic_and_total():
    # Never raise, whatever the text.
    for raw in ["\x00", "\ud800", "🙂" * 20, "x" * 1000, "0" * 18, "9" * 15, "Ⅻ", "㊈"]:
        for f in (normalise_code, normalise_uscc, uscc_status, org_code_status,
                  registration_number_status, normalise_id_number, mask_id_number):
            assert f(raw) == f(raw)
        assert id_number_status(raw, TODAY) == id_number_status(raw, TODAY)
