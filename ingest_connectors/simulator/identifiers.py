"""Identifier arithmetic for the simulator: USCC, organisation code, legacy registration numbers,
resident ID numbers, and the messy presentations departments send them in (REFERENCE §2).

Pure functions on strings; the randomness lives in the callers.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from itertools import accumulate

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

#: "No code" placeholder that feeds fill in the USCC column (treated as absent, not invalid).
USCC_PLACEHOLDER = "00000000000000000X"

#: Huangshi: the four districts, 阳新县 and 大冶市.
HUANGSHI_DIVISIONS = ("420202", "420203", "420204", "420205", "420222", "420281")
DIVISION_NAMES = {
    "420202": "黄石港区", "420203": "西塞山区", "420204": "下陆区", "420205": "铁山区",
    "420222": "阳新县", "420281": "大冶市",
}


_ORG_VALUE = {c: (int(c) if c.isdigit() else ord(c) - ord("A") + 10) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def org_code_check(body: str) -> str:
    """Check character of a GB 11714 organisation code over its 8 body characters."""
    v = _ORG_VALUE
    total = sum(map(int.__mul__, (v[c] for c in body), _ORG_WEIGHTS))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(first17: str) -> str:
    v = _USCC_VALUE
    total = sum(map(int.__mul__, (v[c] for c in first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total) % 31]


def make_uscc(authority_type: str, division: str, org_body: str) -> str:
    """USCC from the 2-char authority/type prefix, a 6-digit division and an 8-char org body."""
    first17 = authority_type + division + org_body + org_code_check(org_body)
    return first17 + uscc_check(first17)


def uscc_is_valid(code: str) -> bool:
    """Both checks of GB 32100 (the USCC check and the embedded organisation-code check)."""
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code) or not code[:8].isdigit():
        return False
    return code[16] == org_code_check(code[8:16]) and code[17] == uscc_check(code[:17])


def mod_11_10_check(digits: str) -> str:
    """ISO 7064 MOD 11,10 check digit (15-digit business registration numbers)."""
    check = 5
    for n in digits:
        check = (((check or 10) * 2) % 11 + int(n)) % 10
    return str((1 - ((check or 10) * 2) % 11) % 10)


def make_registration_number(division: str, body8: str) -> str:
    """15-digit legacy business registration number: division + 8 digits + MOD 11,10 check."""
    digits = division + body8
    return digits + mod_11_10_check(digits)


def id_check(first17: str) -> str:
    return _ID_CHECK[sum(map(int.__mul__, map(int, first17), _ID_WEIGHTS)) % 11]


def make_id_number(division: str, birth: dt.date, sequence: int) -> str:
    first17 = f"{division}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check(first17)


def id_is_valid(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return number[17] == id_check(number[:17])


def id_to_15(number18: str) -> str:
    """Old 15-digit form (only for people born in the 1900s)."""
    return number18[:6] + number18[8:17]


def id_from_15(number15: str) -> str:
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + id_check(first17)


class Weighted:
    """A weighted choice that costs one ``rng.random()`` (``random.choices`` is slow per call)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights):
        self.items = tuple(items)
        self.cum = list(accumulate(float(w) for w in weights))
        self.total = self.cum[-1]

    def __call__(self, rng):
        i = bisect_right(self.cum, rng.random() * self.total)
        return self.items[i if i < len(self.items) else -1]


# --- presentation variants -----------------------------------------------------------------

_FULLWIDTH = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}
_FULLWIDTH[0x20] = 0x3000
_HALFWIDTH = {v: k for k, v in _FULLWIDTH.items()}


def to_fullwidth(s: str) -> str:
    return s.translate(_FULLWIDTH)


def to_halfwidth(s: str) -> str:
    return s.translate(_HALFWIDTH)


def normalise_code(s: str) -> str:
    """What a tolerant parser does with a hand-typed code: fold width, drop separators, upper."""
    return to_halfwidth(s).replace(" ", "").replace("-", "").replace("\t", "").strip().upper()


def corrupt_check_char(code: str, alphabet: str) -> str:
    """Same code with a different (hence wrong) final check character."""
    last = code[-1]
    i = alphabet.index(last) if last in alphabet else 0
    return code[:-1] + alphabet[(i + 1 + (len(code) % 5)) % len(alphabet)]
