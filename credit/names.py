"""Name normalisation for matching credit subjects (the name as sent is always kept).

The rule, applied in this order, identically here and in SQL (``util.normalise_name``):
1. NFKC: full-width letters, digits and brackets become half-width (（ → (, Ａ → A).
2. Remove every whitespace character (hand-typed names carry stray spaces, incl. U+3000).
3. Upper-case Latin letters.
4. Unify brackets: 〔〕【】[]{} → ().
5. Legal-form variants: 有限责任公司 → 有限公司 (the usual interchangeable spelling).
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "{": "(", "}": ")"})
_WHITESPACE = re.compile(r"\s+")
LEGAL_FORM_VARIANTS = (("有限责任公司", "有限公司"),)


def normalise_name(name: str | None) -> str | None:
    if name is None:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = _WHITESPACE.sub("", text).upper().translate(_BRACKETS)
    for variant, canonical in LEGAL_FORM_VARIANTS:
        text = text.replace(variant, canonical)
    return text or None
