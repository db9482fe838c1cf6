"""Name normalisation for matching credit subjects (the name as sent is always kept).

The rule, applied in this order, identically here and in SQL (``util.normalise_name``,
``dbt_project/macros/udf/names.sql``; a property test holds the two to the same answers):

1. NFKC: full-width letters, digits and brackets become half-width (（ → (, Ａ → A, ３ → 3), and
   most Unicode spaces become the ASCII space.
2. Delete whitespace and invisible characters: :data:`WHITESPACE` (ASCII whitespace incl. the
   information separators U+001C–U+001F, NEL, no-break, ideographic U+3000, line/paragraph
   separators, zero-width spaces and joiners, the BOM). An explicit list rather than ``\\s``, whose
   meaning in PostgreSQL depends on the database's locale.
3. Upper-case ASCII letters only (``upper()`` in SQL depends on the locale; ``str.upper`` would
   also turn ß into SS).
4. Unify brackets: 〔〕【】[]{} → ().
5. Legal-form variants: 有限责任公司 → 有限公司 (the two spellings are used interchangeably for
   the same company; 股份有限公司 is a different form and is kept).
6. Empty → ``None``.
"""

from __future__ import annotations

import string
import unicodedata

#: Deleted in step 2. The SQL twin lists exactly the same characters; keep the two in step.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u180e"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)
BRACKETS_FROM, BRACKETS_TO = "〔〕【】[]{}", "()()()()"
LEGAL_FORM_VARIANTS = (("有限责任公司", "有限公司"),)

_TRANSLATION = str.maketrans(
    string.ascii_lowercase + BRACKETS_FROM, string.ascii_uppercase + BRACKETS_TO, WHITESPACE)


def normalise_name(name: str | None) -> str | None:
    if name is None:
        return None
    text = unicodedata.normalize("NFKC", name).translate(_TRANSLATION)
    for variant, canonical in LEGAL_FORM_VARIANTS:
        text = text.replace(variant, canonical)
    return text or None
