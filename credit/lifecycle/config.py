"""The lifecycle configuration: list rules, joint measures, timers — and the dbt seeds made of them.

Three files, one place each (every number in them is configuration, never SQL):

* ``config/list_rules.yaml`` — which records put a subject on which list (serious dishonesty,
  key attention, red), with legal basis and prior notice;
* ``config/measures.yaml`` — the joint rewards and punishments per list and department;
* ``config/lifecycle.yaml`` — working-day timers (objections, repair), commitments,
  rectification, bans, delivery;

plus the list terms of ``config/list_terms.yaml`` (read through :func:`credit.publication.list_terms`).
This module validates them and writes the seeds the SQL reads::

    python -m credit.lifecycle.config --write-seeds   # after editing any of the files
    python -m credit.lifecycle.config --check         # exit 1 when a seed is stale

The seeds live in ``dbt_project/seeds/lifecycle/``: ``ref_list_rule``, ``ref_joint_measure``,
``ref_lifecycle_setting`` and ``ref_workday_calendar`` (the working-day calendar of
:mod:`credit.workdays`, so SQL deadlines in working days agree with Python's); and the macro
``dbt_project/macros/lifecycle_ban_feeds.sql`` (the gate models that hold bans' responsible
persons, from the feed catalogue).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from credit import settings
from credit.publication import list_terms

LIST_RULES_PATH = settings.CONFIG_DIR / "list_rules.yaml"
MEASURES_PATH = settings.CONFIG_DIR / "measures.yaml"
LIFECYCLE_PATH = settings.CONFIG_DIR / "lifecycle.yaml"
SEEDS_DIR = settings.DBT_PROJECT_DIR / "seeds" / "lifecycle"

LIST_TYPES = ("serious_dishonesty", "key_attention", "red")
#: The section of config/list_terms.yaml that holds each list's terms.
TERMS_SECTION = {"serious_dishonesty": "serious_dishonesty_list", "key_attention": "key_attention_list",
                 "red": "red_list"}
SEVERITIES = ("minor", "general", "serious")
#: Lifecycle events the list rules may match besides the catalogue's record types.
EVENT_KINDS = ("broken_commitment", "rectification_overdue")
#: Years of the working-day calendar seed: well before the first publication rule era (old
#: records) to far enough ahead for every deadline a list rule can set (an abnormal-operation
#: listing escalates three years later). Years the official calendar does not cover are Monday to
#: Friday (credit.workdays' marked fallback: the seed's `source` column says 'fallback').
CALENDAR_YEARS = (2010, 2035)
SEPARATOR = "|"


@dataclass(frozen=True)
class ListRule:
    code: str
    list_type: str
    list_name_zh: str
    name_zh: str
    legal_basis: str
    requires_notice: bool
    term_source: str  # config | record
    term_kind: str | None
    term_kind_name_zh: str | None
    term_months: int | None  # None with term_source 'record' (the record's end) or a permanent list
    early_exit_after_months: int | None  # None: exit by repair at any time
    extendable: bool
    exit_on_removal: bool
    record_types: tuple[str, ...]
    severities: tuple[str, ...] = ()
    penalty_types_any: tuple[str, ...] = ()
    penalty_types_none: tuple[str, ...] = ()
    detail_key: str | None = None
    detail_values: tuple[str, ...] = ()
    list_action: str | None = None
    count_at_least: int | None = None
    count_within_months: int | None = None
    trigger_after_months: int | None = None
    vetoes: bool = False
    published: bool = True
    polarity: str = "negative"
    ended_by_list: str | None = None


@dataclass(frozen=True)
class Measure:
    code: str
    list_type: str
    department_code: str
    department_name_zh: str
    kind: str  # punish | reward
    name_zh: str
    basis: str


@dataclass(frozen=True)
class LifecycleConfig:
    notice_after_working_days: int
    response_working_days: int
    rules: tuple[ListRule, ...]
    measures: tuple[Measure, ...]
    settings: Mapping[str, Any]
    lists: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def rule(self, code: str) -> ListRule:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)

    def setting(self, dotted: str) -> Any:
        value: Any = self.settings
        for part in dotted.split("."):
            value = value[part]
        return value


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _months(years: Any) -> int | None:
    if years is None:
        return None
    months = round(float(years) * 12)
    if months <= 0:
        raise ValueError(f"a term of {years!r} years is not positive")
    return months


def _term(list_type: str, kind: str | None, terms: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
    section = terms[TERMS_SECTION[list_type]]
    if kind in (None, "default"):
        return (section.get("default") or section), (section.get("name_zh") if "default" not in section else None)
    kinds = section.get("kinds") or {}
    if kind not in kinds:
        raise ValueError(f"term_kind {kind!r} is not in list_terms.yaml {TERMS_SECTION[list_type]}.kinds")
    return kinds[kind], kinds[kind].get("name_zh")


def parse(list_rules: Mapping[str, Any], measures: Mapping[str, Any], lifecycle: Mapping[str, Any],
          terms: Mapping[str, Any], source: str = "config") -> LifecycleConfig:
    lists = list_rules.get("lists") or {}
    if set(lists) != set(LIST_TYPES):
        raise ValueError(f"{source}: lists must be exactly {list(LIST_TYPES)}, got {sorted(lists)}")
    notice = list_rules.get("notice") or {}
    rules: list[ListRule] = []
    seen: set[str] = set()
    for raw in list_rules.get("rules") or []:
        code = raw["code"]
        where = f"{source}: rule {code}"
        if code in seen:
            raise ValueError(f"{where}: duplicate code")
        seen.add(code)
        list_type = raw["list"]
        if list_type not in LIST_TYPES:
            raise ValueError(f"{where}: unknown list {list_type!r}")
        match = raw.get("match") or {}
        unknown = set(match) - {"record_types", "severities", "penalty_types_any", "penalty_types_none",
                                "detail", "values", "list_action"}
        if unknown:
            raise ValueError(f"{where}: unknown match keys {sorted(unknown)}")
        if not match.get("record_types"):
            raise ValueError(f"{where}: match.record_types is required")
        severities = _tuple(match.get("severities"))
        if set(severities) - set(SEVERITIES):
            raise ValueError(f"{where}: severities must be among {SEVERITIES}")
        if bool(match.get("detail")) != bool(match.get("values")):
            raise ValueError(f"{where}: detail and values go together")
        term_source = raw.get("term", "config")
        if term_source not in ("config", "record"):
            raise ValueError(f"{where}: term must be config or record")
        kind = raw.get("term_kind")
        term_entry, kind_name = _term(list_type, kind, terms) if term_source == "config" else ({}, None)
        years = term_entry.get("term_years", term_entry.get("validity_years"))
        if term_source == "config" and years is None:
            raise ValueError(f"{where}: no term for {kind!r} in list_terms.yaml")
        count = raw.get("count") or {}
        if count and not (int(count["at_least"]) >= 2 and int(count["within_months"]) >= 1):
            raise ValueError(f"{where}: count needs at_least >= 2 and within_months >= 1")
        trigger_after = raw.get("trigger_after")
        trigger_months = None
        if trigger_after:
            trigger_months = _months(terms[trigger_after]["escalate_to_serious_after_years"])
        list_conf = lists[list_type]
        rules.append(ListRule(
            code=code, list_type=list_type, list_name_zh=list_conf["name_zh"], name_zh=raw["name_zh"],
            legal_basis=raw["legal_basis"], requires_notice=bool(raw.get("notice", False)),
            term_source=term_source, term_kind=kind if term_source == "config" else None,
            term_kind_name_zh=kind_name,
            term_months=_months(years) if term_source == "config" else None,
            early_exit_after_months=_months(term_entry.get("early_exit_after_years")),
            extendable=bool(term_entry.get("extendable", False)),
            exit_on_removal=bool(raw.get("exit_on_removal", False)),
            record_types=_tuple(match["record_types"]), severities=severities,
            penalty_types_any=_tuple(match.get("penalty_types_any")),
            penalty_types_none=_tuple(match.get("penalty_types_none")),
            detail_key=match.get("detail"), detail_values=_tuple(match.get("values")),
            list_action=match.get("list_action"),
            count_at_least=int(count["at_least"]) if count else None,
            count_within_months=int(count["within_months"]) if count else None,
            trigger_after_months=trigger_months,
            vetoes=bool(list_conf.get("vetoes", False)), published=bool(list_conf.get("published", True)),
            polarity=list_conf.get("polarity", "negative"), ended_by_list=list_conf.get("ended_by"),
        ))
    departments = measures.get("departments") or {}
    out_measures: list[Measure] = []
    for list_type, items in (measures.get("measures") or {}).items():
        if list_type not in LIST_TYPES:
            raise ValueError(f"{source}: measures for unknown list {list_type!r}")
        for item in items:
            if item["department"] not in departments:
                raise ValueError(f"{source}: measure {item['code']}: unknown department {item['department']!r}")
            if item["kind"] not in ("punish", "reward"):
                raise ValueError(f"{source}: measure {item['code']}: kind must be punish or reward")
            out_measures.append(Measure(item["code"], list_type, item["department"], departments[item["department"]],
                                        item["kind"], item["name_zh"], item.get("basis", "")))
    codes = [m.code for m in out_measures]
    if len(codes) != len(set(codes)):
        raise ValueError(f"{source}: duplicate measure codes")
    for key in ("objection", "repair", "commitments", "rectification", "voluntary_registration", "bans",
                "outbox", "releases"):
        if key not in lifecycle:
            raise ValueError(f"{source}: lifecycle.yaml has no {key!r} section")
    return LifecycleConfig(
        notice_after_working_days=int(notice.get("notice_after_working_days", 1)),
        response_working_days=int(notice.get("response_working_days", 5)),
        rules=tuple(rules), measures=tuple(out_measures), settings=lifecycle, lists=lists,
    )


@lru_cache(maxsize=4)
def _load(paths: tuple[Path, Path, Path, Path | None]) -> LifecycleConfig:
    list_rules_path, measures_path, lifecycle_path, terms_path = paths
    return parse(_read(list_rules_path), _read(measures_path), _read(lifecycle_path),
                 list_terms(terms_path), source=str(list_rules_path.parent))


def load_config(config_dir: Path | str | None = None) -> LifecycleConfig:
    """The lifecycle configuration (``config_dir`` for tests; default the project's config/)."""
    base = Path(config_dir) if config_dir else settings.CONFIG_DIR
    terms = base / "list_terms.yaml"
    return _load((base / LIST_RULES_PATH.name, base / MEASURES_PATH.name, base / LIFECYCLE_PATH.name,
                  terms if terms.exists() else None))


# --- seeds ------------------------------------------------------------------------------------------

def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v) for v in row])
    return buffer.getvalue()


LIST_RULE_COLUMNS = [
    "rule_code", "list_type", "list_name_zh", "rule_name_zh", "legal_basis", "requires_notice",
    "term_source", "term_kind", "term_kind_name_zh", "term_months", "early_exit_after_months",
    "extendable", "exit_on_removal", "record_types", "severities", "penalty_types_any",
    "penalty_types_none", "detail_key", "detail_values", "list_action", "count_at_least",
    "count_within_months", "trigger_after_months", "vetoes", "published", "polarity", "ended_by_list",
]


def list_rule_seed(config: LifecycleConfig) -> str:
    rows = []
    for r in config.rules:
        rows.append([
            r.code, r.list_type, r.list_name_zh, r.name_zh, r.legal_basis, r.requires_notice, r.term_source,
            r.term_kind, r.term_kind_name_zh, r.term_months, r.early_exit_after_months, r.extendable,
            r.exit_on_removal, SEPARATOR.join(r.record_types), SEPARATOR.join(r.severities),
            SEPARATOR.join(r.penalty_types_any), SEPARATOR.join(r.penalty_types_none), r.detail_key,
            SEPARATOR.join(r.detail_values), r.list_action, r.count_at_least, r.count_within_months,
            r.trigger_after_months, r.vetoes, r.published, r.polarity, r.ended_by_list,
        ])
    return _csv(LIST_RULE_COLUMNS, rows)


def joint_measure_seed(config: LifecycleConfig) -> str:
    return _csv(["measure_code", "list_type", "department_code", "department_name_zh", "measure_kind",
                 "measure_name_zh", "legal_basis"],
                [[m.code, m.list_type, m.department_code, m.department_name_zh, m.kind, m.name_zh, m.basis]
                 for m in config.measures])


def _flatten(prefix: str, value: Any, out: list[list[Any]]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, (list, tuple)):
        out.append([prefix, SEPARATOR.join(str(v) for v in value)])
    else:
        out.append([prefix, "" if value is None else str(value)])


def setting_seed(config: LifecycleConfig) -> str:
    rows: list[list[Any]] = [["notice.notice_after_working_days", str(config.notice_after_working_days)],
                             ["notice.response_working_days", str(config.response_working_days)]]
    _flatten("", config.settings, rows)
    return _csv(["setting", "value"], rows)


def workday_calendar_seed(years: tuple[int, int] = CALENDAR_YEARS) -> str:
    """Every day of ``years`` with whether it is a working day and ``workday_seq``: the number of
    working days from the calendar's start up to and including the day. The n-th working day after
    day d is the working day whose seq is seq(d) + n (a rest day carries the seq of the last working
    day before it), which is exactly :func:`credit.workdays.publication_deadline`."""
    from credit.workdays import calendar_rows

    logging.getLogger("credit.workdays").setLevel(logging.ERROR)  # fallback years are marked below
    rows, seq = [], 0
    for day, is_workday, source in calendar_rows(*years):
        seq += is_workday
        rows.append([day.isoformat(), is_workday, source, seq])
    return _csv(["calendar_date", "is_workday", "source", "workday_seq"], rows)


def ban_feeds_macro(config: LifecycleConfig) -> str:
    """The feeds whose gate models hold the responsible persons of bans (the ban record types and
    every sector's penalties), as a dbt macro: dbt needs its refs spelled out when it parses."""
    from ingest_connectors.catalogue import catalogue

    record_types = set(config.setting("bans.record_types"))
    feeds = [f.key for f in catalogue().feeds(include_platform=False)
             if f.record_type.code in record_types or f.record_type.layout == "penalty"]
    items = ",\n        ".join(f"'{k}'" for k in feeds)
    return (
        "{# Generated by `python -m credit.lifecycle.config --write-seeds` from the feed catalogue and\n"
        "   config/lifecycle.yaml (bans.record_types + every penalty feed). Do not edit. #}\n"
        "{% macro lifecycle_ban_feeds() %}\n"
        f"    {{{{ return([\n        {items},\n    ]) }}}}\n"
        "{% endmacro %}\n"
    )


BAN_FEEDS_MACRO = settings.DBT_PROJECT_DIR / "macros" / "lifecycle_ban_feeds.sql"


def department_seed() -> str:
    """Every department of the catalogue's sectors with the first sector it serves: the sector of
    a commitment or rectification order accepted by that department (release counts per sector)."""
    from ingest_connectors.catalogue import catalogue

    rows, seen = [], set()
    for sector in catalogue().sectors:
        for d in sector.departments:
            if d.uscc not in seen:
                seen.add(d.uscc)
                rows.append([d.code, d.uscc, d.name_zh, sector.slug])
    return _csv(["department_code", "department_uscc", "department_name_zh", "sector_slug"], rows)


def seed_files(config: LifecycleConfig | None = None) -> dict[Path, str]:
    """Every generated file: the five seeds and the ban-feeds macro."""
    config = config or load_config()
    return {
        SEEDS_DIR / "ref_list_rule.csv": list_rule_seed(config),
        SEEDS_DIR / "ref_joint_measure.csv": joint_measure_seed(config),
        SEEDS_DIR / "ref_lifecycle_setting.csv": setting_seed(config),
        SEEDS_DIR / "ref_workday_calendar.csv": workday_calendar_seed(),
        SEEDS_DIR / "ref_lifecycle_department.csv": department_seed(),
        BAN_FEEDS_MACRO: ban_feeds_macro(config),
    }


def stale_seeds(files: dict[Path, str] | None = None) -> list[Path]:
    files = files or seed_files()
    return [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-seeds", action="store_true")
    action.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    files = seed_files()
    if args.check:
        stale = stale_seeds(files)
        for path in stale:
            print(f"stale: {path.relative_to(settings.PROJECT_ROOT)} (python -m credit.lifecycle.config --write-seeds)")
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files: {', '.join(str(p.relative_to(settings.PROJECT_ROOT)) for p in files)}")
    return 0


def today() -> date:
    return date.today()


if __name__ == "__main__":
    raise SystemExit(main())
