"""How long a penalty record stays public, and the list terms (REFERENCE §5–§6).

The rules live in ``config/publication_rules.yaml`` and ``config/list_terms.yaml``; this module
reads them, answers :func:`publication_window` for one decision, and flattens the rules into the
dbt seed ``publication_window_rules.csv`` so SQL and Python share one source::

    python -m credit.publication --write-seed   # regenerate the seed after editing the YAML
    python -m credit.publication --check        # exit 1 when the seed is stale
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from credit import settings

RULES_PATH = settings.CONFIG_DIR / "publication_rules.yaml"
LIST_TERMS_PATH = settings.CONFIG_DIR / "list_terms.yaml"
SEED_PATH = settings.DBT_PROJECT_DIR / "seeds" / "publication_window_rules.csv"

SEED_COLUMNS = (
    "rule_code",
    "rule_name",
    "valid_from",
    "valid_to",
    "severity",
    "min_months",
    "max_months",
    "special_min_months",
    "special_keywords",
)
#: Separator of ``special_keywords`` in the seed (keywords never contain it).
KEYWORD_SEPARATOR = "|"
_PENALTY_TYPE_SPLIT = re.compile(r"[、,，;；|/\s]+")


@dataclass(frozen=True)
class SeverityWindow:
    min_months: int | None
    max_months: int | None
    note: str | None = None

    @property
    def published(self) -> bool:
        return self.max_months is not None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    document: str
    valid_from: date
    valid_to: date | None  # inclusive; None = still in force
    windows: Mapping[str, SeverityWindow]
    special_min_months: int | None
    special_keywords: tuple[str, ...]

    def special_match(self, violation_type: str | None) -> str | None:
        if not violation_type or self.special_min_months is None:
            return None
        return next((k for k in self.special_keywords if k in violation_type), None)


@dataclass(frozen=True)
class PublicationRules:
    severities: tuple[str, ...]  # ascending
    severity_aliases: Mapping[str, str]
    missing_severity: str
    not_published_alone: frozenset[str]
    severity_floor: Mapping[str, str]
    rules: tuple[Rule, ...]  # by valid_from

    def canonical_severity(self, severity: str) -> str:
        value = severity.strip()
        value = self.severity_aliases.get(value.lower(), value)
        if value not in self.severities:
            raise ValueError(
                f"unknown severity {severity!r}; expected one of {list(self.severities)} "
                f"or {sorted(self.severity_aliases)}"
            )
        return value

    def rule_for(self, decision_date: date) -> Rule:
        """The rule in force on the decision date; before the first rule, the first rule."""
        for rule in reversed(self.rules):
            if rule.valid_from <= decision_date:
                return rule
        return self.rules[0]


@dataclass(frozen=True)
class Window:
    """The publication window of one penalty decision."""

    rule_code: str
    min_end_date: date | None  # repair may be applied for from this date; None = any time
    max_end_date: date | None  # publication ends automatically on this date
    published: bool
    reason: str


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's end (as PostgreSQL date arithmetic)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_months(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{where}: months must be a whole number >= 0 or null, got {value!r}")
    return value


def parse_rules(document: Mapping[str, Any], source: str = "<rules>") -> PublicationRules:
    severities = tuple(document["severities"])
    aliases = {str(k).lower(): v for k, v in (document.get("severity_aliases") or {}).items()}
    penalty = document.get("penalty_types") or {}
    floors = dict(penalty.get("severity_floor") or {})
    for name, value in [("missing_severity", document["missing_severity"]), *floors.items()]:
        if value not in severities:
            raise ValueError(f"{source}: {name}: {value!r} is not one of {list(severities)}")
    rules: list[Rule] = []
    for raw in document["rules"]:
        where = f"{source}: rule {raw.get('code')!r}"
        windows = {}
        for severity in severities:
            spec = (raw.get("windows") or {}).get(severity)
            if spec is None:
                raise ValueError(f"{where}: no window for severity {severity}")
            window = SeverityWindow(
                _as_months(spec.get("min_months"), where),
                _as_months(spec.get("max_months"), where),
                spec.get("note"),
            )
            if window.max_months is None and window.min_months is not None:
                raise ValueError(f"{where}: {severity} has a minimum but is not published")
            if None not in (window.min_months, window.max_months) and (
                window.min_months > window.max_months  # type: ignore[operator]
            ):
                raise ValueError(f"{where}: {severity} minimum exceeds its maximum")
            windows[severity] = window
        special = raw.get("special") or {}
        rules.append(
            Rule(
                code=raw["code"],
                name=raw["name"],
                document=raw.get("document", ""),
                valid_from=_as_date(raw["valid_from"]),  # type: ignore[arg-type]
                valid_to=_as_date(raw.get("valid_to")),
                windows=windows,
                special_min_months=_as_months(special.get("min_months"), where),
                special_keywords=tuple(special.get("keywords") or ()),
            )
        )
    rules.sort(key=lambda r: r.valid_from)
    for earlier, later in zip(rules, rules[1:]):
        if earlier.valid_to is None or (later.valid_from - earlier.valid_to).days != 1:
            raise ValueError(
                f"{source}: rules {earlier.code} and {later.code} must meet without gap or "
                f"overlap ({earlier.valid_to} → {later.valid_from})"
            )
    if not rules:
        raise ValueError(f"{source}: no rules")
    return PublicationRules(
        severities=severities,
        severity_aliases=aliases,
        missing_severity=document["missing_severity"],
        not_published_alone=frozenset(penalty.get("not_published_alone") or ()),
        severity_floor=floors,
        rules=tuple(rules),
    )


@lru_cache(maxsize=8)
def _load_rules_cached(path: Path) -> PublicationRules:
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def load_rules(path: Path | str | None = None) -> PublicationRules:
    return _load_rules_cached(Path(path or RULES_PATH).resolve())


def _penalty_type_list(penalty_types: str | Iterable[str] | None) -> list[str]:
    if penalty_types is None:
        return []
    items = [penalty_types] if isinstance(penalty_types, str) else list(penalty_types)
    return [p for item in items for p in _PENALTY_TYPE_SPLIT.split(item.strip()) if p]


def publication_window(
    decision_date: date,
    severity: str | None,
    penalty_types: str | Iterable[str] | None,
    violation_type: str | None = None,
    rules: PublicationRules | None = None,
) -> Window:
    """The window for one decision under the rule in force on its decision date.

    ``penalty_types`` is a list or a 、-separated string. Types listed as ``not_published_alone``
    (警告) do not publish on their own; every other type yields the window of the decision's
    severity, raised by any ``severity_floor`` the type has; the longest of these applies.
    ``violation_type`` (or a sector name) is matched against the rule's special keywords.
    """
    rules = rules or load_rules()
    rule = rules.rule_for(decision_date)
    notes: list[str] = []
    if decision_date < rule.valid_from:
        notes.append(f"decision predates {rule.valid_from}: earliest rule applied")
    if rule.valid_to is not None and decision_date > rule.valid_to:
        notes.append(f"decision after {rule.valid_to}, the end of the last rule configured")
    if severity is None or not str(severity).strip():
        base = rules.missing_severity
        notes.append(f"severity missing, judged as {base}")
    else:
        base = rules.canonical_severity(str(severity))

    def closed(published: bool, why: str, lo: int | None = None, hi: int | None = None) -> Window:
        return Window(
            rule_code=rule.code,
            min_end_date=add_months(decision_date, lo) if published and lo is not None else None,
            max_end_date=add_months(decision_date, hi) if published and hi is not None else None,
            published=published,
            reason="; ".join([f"{rule.code}: {why}", *notes]),
        )

    types = _penalty_type_list(penalty_types)
    publishing = [t for t in types if t not in rules.not_published_alone]
    if types and not publishing:
        return closed(False, f"only {'、'.join(types)}: not published")

    order = rules.severities.index
    candidates = []  # (severity, window, penalty type or None)
    for penalty_type in publishing or [None]:
        floor = rules.severity_floor.get(penalty_type) if penalty_type else None
        effective = max(base, floor, key=order) if floor else base
        candidates.append((effective, rule.windows[effective], penalty_type))
    published = [c for c in candidates if c[1].published]
    if not published:
        return closed(False, f"{base} penalties are not published")

    lo = max((w.min_months for _, w, _ in published if w.min_months is not None), default=None)
    hi = max(w.max_months for _, w, _ in published)  # type: ignore[type-var]
    severity_used, window, _ = max(published, key=lambda c: (c[1].max_months, order(c[0])))
    if lo is None:
        why = f"{severity_used} window at most {hi} months, no minimum"
    else:
        why = f"{severity_used} window {lo}–{hi} months"
    if len(published) > 1:
        why += " (longest over penalty types " + "、".join(str(c[2]) for c in published) + ")"
    if window.note:
        why += f" — {window.note}"
    keyword = rule.special_match(violation_type)
    if keyword and rule.special_min_months is not None:
        lo = min(max(lo or 0, rule.special_min_months), hi)
        why += f"; {keyword}: minimum {lo} months"
    return closed(True, why, lo, hi)


def rules_as_rows(rules: PublicationRules | None = None) -> list[dict[str, Any]]:
    """One row per rule × severity: the seed ``publication_window_rules``."""
    rules = rules or load_rules()
    rows = []
    for rule in rules.rules:
        for severity in rules.severities:
            window = rule.windows[severity]
            rows.append(
                {
                    "rule_code": rule.code,
                    "rule_name": rule.name,
                    "valid_from": rule.valid_from,
                    "valid_to": rule.valid_to,
                    "severity": severity,
                    "min_months": window.min_months,
                    "max_months": window.max_months,
                    "special_min_months": rule.special_min_months,
                    "special_keywords": KEYWORD_SEPARATOR.join(rule.special_keywords) or None,
                }
            )
    return rows


def seed_csv(rules: PublicationRules | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for row in rules_as_rows(rules):
        writer.writerow("" if row[c] is None else str(row[c]) for c in SEED_COLUMNS)
    return buffer.getvalue()


def write_seed(path: Path | None = None, rules: PublicationRules | None = None) -> Path:
    path = path or SEED_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seed_csv(rules), encoding="utf-8")
    return path


def list_terms(path: Path | str | None = None) -> dict[str, Any]:
    """The list terms of ``config/list_terms.yaml``, checked for sane numbers."""
    path = Path(path or LIST_TERMS_PATH)
    terms = yaml.safe_load(path.read_text(encoding="utf-8"))

    def check(where: str, entry: Mapping[str, Any]) -> None:
        term = entry.get("term_years")
        early = entry.get("early_exit_after_years")
        if term is not None and not term > 0:
            raise ValueError(f"{path}: {where}: term_years must be positive")
        if early is not None and (term is None or not 0 < early < term):
            raise ValueError(f"{path}: {where}: early exit must fall inside the term")
        validity = entry.get("validity_years")
        if validity is not None and not validity > 0:
            raise ValueError(f"{path}: {where}: validity_years must be positive")

    for name, entry in terms.items():
        check(name, entry)
        check(f"{name}.default", entry.get("default") or {})
        for kind, kind_entry in (entry.get("kinds") or {}).items():
            check(f"{name}.{kind}", kind_entry)
    return terms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-seed", action="store_true", help=f"write {SEED_PATH.name}")
    action.add_argument("--check", action="store_true", help="exit 1 if the seed is stale")
    args = parser.parse_args(argv)
    if args.write_seed:
        print(f"wrote {write_seed()}")
        return 0
    current = SEED_PATH.read_text(encoding="utf-8") if SEED_PATH.exists() else ""
    if current != seed_csv():
        print(f"{SEED_PATH} is stale: run python -m credit.publication --write-seed")
        return 1
    print(f"{SEED_PATH} is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
