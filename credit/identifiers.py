"""Standardising and checking identifiers: USCC, organisation code, registration number, ID number.

Pure, deterministic functions (no I/O). Every function here has an SQL twin of the same name in
schema ``util`` (``dbt_project/macros/udf/identifiers.sql``) that gives the same answer for every
input; ``tests/property/test_identifiers_sql_equals_python.py`` holds them to that.

The rules follow ``/work/shared/domain/REFERENCE.md`` §2 and are summarised in
``docs/identifiers.md``. Every ``*_status`` function returns one of

* ``'valid'``          — right shape, every check character right (and, for ID numbers, a real
  birth date);
* ``'absent'``         — nothing there: ``None``, empty after normalisation, or the all-zero
  placeholder feeds use for "no code" (``00000000000000000X`` for a USCC);
* ``'invalid_format'`` — not the shape of that identifier at all;
* ``'invalid_date'``   — ID numbers only: the birth date is not a calendar date, is before
  1900-01-01 or after today;
* ``'invalid_check'``  — the right shape but a check character is wrong. Such values are flagged,
  never dropped: a few genuine codes fail their check.

python-stdnum supplies the USCC mod-31 check character, the ID-number check character and the
ISO 7064 MOD 11,10 check; its validators are *not* used to reject anything: ``stdnum.cn.uscc``
insists on digits in positions 1–2 (authority ``Y``/``A``/``N`` codes are legal) and
``stdnum.cn.ric`` rejects ID numbers whose division code is missing from its own table (genuine
numbers issued in 阳新县 420222 fail it). A division code is informational only.
"""

from __future__ import annotations

import datetime as _dt
import re
import string
import unicodedata

from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.iso7064 import mod_11_10 as _mod_11_10

__all__ = [
    "VALID", "ABSENT", "INVALID_FORMAT", "INVALID_DATE", "INVALID_CHECK", "STRIPPED_CHARACTERS",
    "ID_MASK_INVALID", "normalise_code", "normalise_uscc", "uscc_status", "org_code_status",
    "registration_number_status", "normalise_id_number", "id_number_status", "mask_id_number",
    "uscc_check_char", "org_code_check_char", "id_number_check_char",
]

VALID = "valid"
ABSENT = "absent"
INVALID_FORMAT = "invalid_format"
INVALID_DATE = "invalid_date"
INVALID_CHECK = "invalid_check"

#: Characters :func:`normalise_code` deletes (after NFKC, which already turns full-width and most
#: Unicode spaces into their ASCII forms): whitespace incl. zero-width ones and the BOM, hyphens
#: and dashes (incl. the soft hyphen), underscores and dots (incl. 。 · ・).
#: The SQL twin lists exactly the same characters; keep the two in step.
STRIPPED_CHARACTERS = (
    # whitespace
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u180e"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
    # hyphens, dashes, minus
    "-\xad\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
    # underscore
    "_"
    # dots
    ".\xb7\u3002\u30fb"
)

#: Only ASCII letters are upper-cased (the only letters an identifier can hold), so the result
#: does not depend on a database's locale.
_TRANSLATION = str.maketrans(string.ascii_lowercase, string.ascii_uppercase, STRIPPED_CHARACTERS)

#: GB 32100 character set; a character's value is its index.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: GB 11714 character values: 0–9, then A=10 … Z=35.
ORG_CODE_CHARSET = string.digits + string.ascii_uppercase
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_USCC_FORMAT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_USCC_PLACEHOLDER = re.compile(r"0{17}[0X]")
_ORG_CODE_FORMAT = re.compile(r"[0-9A-Z]{9}")
_ORG_CODE_PLACEHOLDER = re.compile(r"0{8}[0X]")
_REG_NUMBER_FORMAT = re.compile(r"[0-9]{15}")
_REG_NUMBER_PLACEHOLDER = re.compile(r"0{15}")
_ID_18_FORMAT = re.compile(r"[0-9]{17}[0-9X]")
_ID_15_FORMAT = re.compile(r"[0-9]{15}")
_ID_PLACEHOLDER = re.compile(r"0{17}[0X]|0{15}")

#: What :func:`mask_id_number` shows for a value that is not an ID number at all (a passport
#: number in the ID column, junk): fully redacted, since nothing about it is known to be safe.
ID_MASK_INVALID = "*" * 18
_ID_MASK_MIDDLE = "*" * 8
_MIN_BIRTH_DATE = _dt.date(1900, 1, 1)


def normalise_code(text: str | None) -> str | None:
    """The canonical spelling of a hand-typed code, or ``None`` when nothing is left.

    Unicode NFKC (full-width → half-width, ideographic space → space …), then deletes
    :data:`STRIPPED_CHARACTERS` (whitespace, hyphens/dashes, underscores, dots) and upper-cases
    ASCII letters. ``'９１４４ ０３００-１９２２ ０３８２１６'`` → ``'914403001922038216'``.
    """
    if text is None:
        return None
    code = unicodedata.normalize("NFKC", text).translate(_TRANSLATION)
    return code or None


# ---------------------------------------------------------------------------------------------
# Check characters (arguments must already have the right format)
# ---------------------------------------------------------------------------------------------

def uscc_check_char(code: str) -> str:
    """GB 32100 check character (position 18) over the first 17 characters of a USCC."""
    return _uscc.calc_check_digit(code[:17])


def org_code_check_char(code: str) -> str:
    """GB 11714 check character over the first 8 characters of an organisation code.

    c = 11 − (Σ vᵢ·wᵢ mod 11), weights 3 7 9 10 5 8 4 2, values 0–9, A=10 … Z=35;
    c = 10 → ``X``, c = 11 → ``0``.
    """
    total = sum(ORG_CODE_CHARSET.index(ch) * w for ch, w in zip(code[:8], ORG_CODE_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def id_number_check_char(code: str) -> str:
    """GB 11643 check character over the first 17 digits of an ID number."""
    # stdnum's helper expects the number with a (any) check character at the end.
    return _ric.calc_check_digit(code[:17] + "0")


# ---------------------------------------------------------------------------------------------
# USCC (统一社会信用代码, GB 32100-2015)
# ---------------------------------------------------------------------------------------------

def uscc_status(text: str | None) -> str:
    """Status of a USCC: ``valid``, ``absent``, ``invalid_format`` or ``invalid_check``.

    Format: 18 characters of the GB 32100 set (no I O S V Z), positions 3–8 digits. Checks: the
    mod-31 check character (position 18) and the nested organisation-code check (position 17
    over positions 9–16). ``00000000000000000X`` (and the all-zero ``…0``) means absent.
    """
    return _uscc_status(normalise_code(text))


def _uscc_status(code: str | None) -> str:
    if code is None or _USCC_PLACEHOLDER.fullmatch(code):
        return ABSENT
    if not _USCC_FORMAT.fullmatch(code):
        return INVALID_FORMAT
    if code[17] != uscc_check_char(code) or code[16] != org_code_check_char(code[8:16]):
        return INVALID_CHECK
    return VALID


def normalise_uscc(text: str | None) -> str | None:
    """The normalised USCC when it has the USCC format (checks passing or not), else ``None``.

    ``None`` for absent values (incl. the placeholder) and for text that is no USCC at all, so
    that junk never joins with junk; keep the raw value and :func:`uscc_status` beside it.
    """
    code = normalise_code(text)
    if code is None or _USCC_PLACEHOLDER.fullmatch(code) or not _USCC_FORMAT.fullmatch(code):
        return None
    return code


# ---------------------------------------------------------------------------------------------
# Organisation code (组织机构代码, GB 11714)
# ---------------------------------------------------------------------------------------------

def org_code_status(text: str | None) -> str:
    """Status of a 9-character organisation code (``12345678-9`` or ``123456789``).

    Format: 8 body characters and a check character, each 0–9 or A–Z (a wrong check character,
    even a letter other than ``X``, is ``invalid_check``). ``00000000-0``/``00000000-X`` mean
    absent (positions 9–17 of the USCC placeholder).
    """
    code = normalise_code(text)
    if code is None or _ORG_CODE_PLACEHOLDER.fullmatch(code):
        return ABSENT
    if not _ORG_CODE_FORMAT.fullmatch(code):
        return INVALID_FORMAT
    if code[8] != org_code_check_char(code):
        return INVALID_CHECK
    return VALID


# ---------------------------------------------------------------------------------------------
# Legacy registration number (工商注册号, 15 digits)
# ---------------------------------------------------------------------------------------------

def registration_number_status(text: str | None) -> str:
    """Status of a legacy 15-digit 工商注册号; digit 15 is an ISO 7064 MOD 11,10 check digit.

    Fifteen zeros mean absent; anything but 15 digits (after normalisation) is
    ``invalid_format``.
    """
    code = normalise_code(text)
    if code is None or _REG_NUMBER_PLACEHOLDER.fullmatch(code):
        return ABSENT
    if not _REG_NUMBER_FORMAT.fullmatch(code):
        return INVALID_FORMAT
    if not _mod_11_10.is_valid(code):
        return INVALID_CHECK
    return VALID


# ---------------------------------------------------------------------------------------------
# Resident identity number (公民身份号码, GB 11643-1999)
# ---------------------------------------------------------------------------------------------

def normalise_id_number(text: str | None) -> str | None:
    """The 18-character upper-case form of an ID number, or ``None``.

    A 15-digit (pre-1999) number is upgraded: ``19`` inserted after the 6-digit division and the
    check character appended (whatever its birth date). An 18-character value must be 17 digits
    and ``0–9``/``X`` (lowercase ``x`` is upper-cased); it is returned as it is, check character
    right or wrong. ``None`` for absent values (incl. all-zero placeholders) and for anything
    else (passport numbers, junk).
    """
    code = normalise_code(text)
    if code is None or _ID_PLACEHOLDER.fullmatch(code):
        return None
    if _ID_18_FORMAT.fullmatch(code):
        return code
    if _ID_15_FORMAT.fullmatch(code):
        upgraded = code[:6] + "19" + code[6:]
        return upgraded + id_number_check_char(upgraded)
    return None


def id_number_status(text: str | None, today: _dt.date | None = None) -> str:
    """Status of an ID number: ``valid``, ``absent``, ``invalid_format``, ``invalid_date`` or
    ``invalid_check`` (in that order of precedence).

    The birth date (positions 7–14 of the 18-character form) must be a calendar date from
    1900-01-01 to ``today`` (default: :meth:`datetime.date.today`; the SQL twin uses
    ``current_date``, and has a two-argument form taking the date). The division code is not
    checked.
    """
    code = normalise_id_number(text)
    if code is None:
        raw = normalise_code(text)
        return ABSENT if raw is None or _ID_PLACEHOLDER.fullmatch(raw) else INVALID_FORMAT
    if today is None:
        today = _dt.date.today()
    try:
        birth = _dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return INVALID_DATE
    if not _MIN_BIRTH_DATE <= birth <= today:
        return INVALID_DATE
    if code[17] != id_number_check_char(code):
        return INVALID_CHECK
    return VALID


def mask_id_number(text: str | None) -> str | None:
    """Internal-view mask: first 6 + ``********`` + last 4 of the 18-character form.

    ``'11010519491231002x'`` → ``'110105********002X'``. ``None`` when absent; a value that is
    not an ID number at all is fully redacted (:data:`ID_MASK_INVALID`), never shown.
    """
    code = normalise_id_number(text)
    if code is not None:
        return code[:6] + _ID_MASK_MIDDLE + code[14:]
    raw = normalise_code(text)
    if raw is None or _ID_PLACEHOLDER.fullmatch(raw):
        return None
    return ID_MASK_INVALID
