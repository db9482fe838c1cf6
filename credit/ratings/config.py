"""The rating, inspection and integrity configuration: YAML in, warehouse tables out.

``config/rating_model.yaml``, ``config/inspection.yaml`` and ``config/integrity.yaml`` are parsed
and validated here and written into the ``ref_config`` schema by :func:`install_rating_config`,
which runs before dbt in every run (``pipelines.resources.WarehouseResource.prepare``). The SQL of
``dbt_project/models/marts/ratings`` and ``marts/supervision`` reads only those tables (declared
as the dbt source ``ref_config``), so editing a YAML file changes the next run's ratings, plans
and candidates with no code change.

``CREDIT_RATINGS_CONFIG_DIR`` points at another directory holding the three files (tests,
staging environments); unset, ``config/`` of the project is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import psycopg
import yaml
from psycopg import sql
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from credit import settings

CONFIG_DIR_ENV = "CREDIT_RATINGS_CONFIG_DIR"
RATING_MODEL_FILE = "rating_model.yaml"
INSPECTION_FILE = "inspection.yaml"
INTEGRITY_FILE = "integrity.yaml"
SCHEMA = "ref_config"

#: The 13 information categories of the national catalogue (REFERENCE §8; core.dim_information_category).
INFORMATION_CATEGORIES = (
    "登记注册基本信息", "司法裁判及执行信息", "行政管理信息", "职称和职业(资格)信息",
    "经营(活动)异常名录(状态)信息", "严重失信主体名单信息", "合同履行信息", "信用承诺及履行情况信息",
    "信用评价结果信息", "遵守法律法规情况信息", "诚实守信相关荣誉信息", "知识产权信息",
    "市场主体自愿提供的信用信息",
)
SEVERITIES = ("minor", "general", "serious")
POLARITIES = ("positive", "negative", "neutral")
SUBJECT_KINDS = ("organisation", "individual_business", "natural_person")
RECORD_STATUSES = ("active", "expired", "corrected", "revoked", "repaired", "under_objection")
CYCLES = ("day", "week", "month", "quarter", "year")
SERIOUS_LIST_STRATUM = "serious_list"


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file and the setting."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- rating model ------------------------------------------------------------------------------


class Match(_Strict):
    information_category: tuple[str, ...] | None = None
    polarity: tuple[Literal["positive", "negative", "neutral"], ...] | None = None
    feed_key: tuple[str, ...] | None = None
    sector_slug: tuple[str, ...] | None = None
    record_type: tuple[str, ...] | None = None
    act_kind: tuple[str, ...] | None = None
    severity: tuple[Literal["minor", "general", "serious"], ...] | None = None

    @field_validator("information_category")
    @classmethod
    def _categories(cls, value):
        for category in value or ():
            if category not in INFORMATION_CATEGORIES:
                raise ValueError(f"{category!r} is not one of the 13 information categories")
        return value


def _one_field(value: dict[str, list[str]] | None, what: str) -> tuple[str | None, tuple[str, ...] | None]:
    if not value:
        return None, None
    if len(value) != 1:
        raise ConfigError(f"{what}: give exactly one details field, not {sorted(value)}")
    (field, values), = value.items()
    return field, tuple(str(v) for v in values)


class Points(_Strict):
    minor: Decimal | None = None
    general: Decimal | None = None
    serious: Decimal | None = None
    default: Decimal | None = None


class Indicator(_Strict):
    key: str
    name_zh: str
    match: Match = Match()
    details: dict[str, tuple[str, ...]] | None = None
    exclude_details: dict[str, tuple[str, ...]] | None = None
    points: Decimal | Points | None = None
    value_source: Literal["fixed", "sector_grade"] = "fixed"
    neutral_common_score: Decimal | None = None
    points_per_common_point: Decimal | None = None
    half_life_months: Decimal | None = Field(default=None, gt=0)
    min_total: Decimal | None = None
    max_total: Decimal | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "Indicator":
        if self.value_source == "fixed" and self.points is None:
            raise ValueError(f"indicator {self.key}: give points")
        if self.value_source == "sector_grade" and (self.neutral_common_score is None
                                                    or self.points_per_common_point is None):
            raise ValueError(f"indicator {self.key}: value_source sector_grade needs "
                             "neutral_common_score and points_per_common_point")
        if self.min_total is not None and self.max_total is not None and self.min_total > self.max_total:
            raise ValueError(f"indicator {self.key}: min_total > max_total")
        _one_field(self.details, f"indicator {self.key} details")
        _one_field(self.exclude_details, f"indicator {self.key} exclude_details")
        return self

    def points_by_severity(self) -> dict[str, Decimal | None]:
        if isinstance(self.points, Points):
            return {"minor": self.points.minor, "general": self.points.general,
                    "serious": self.points.serious, "default": self.points.default}
        return {"minor": None, "general": None, "serious": None, "default": self.points}


class Dimension(_Strict):
    key: str
    name_zh: str
    name_en: str | None = None
    weight: Decimal = Field(default=Decimal(1), ge=0)
    indicators: tuple[Indicator, ...]


class Grade(_Strict):
    grade: str
    name_zh: str | None = None
    min_score: Decimal


#: Lists of the list engine (marts.mart_list__active_entries, config/list_rules.yaml).
LIST_TYPES = ("serious_dishonesty", "key_attention", "red")


class Cap(_Strict):
    """A subject falls under the cap with an entry in force on one of ``lists`` (the list engine),
    or with a counted record satisfying ``match``; give one of the two."""

    key: str
    name_zh: str
    max_grade: str
    lists: tuple[Literal["serious_dishonesty", "key_attention", "red"], ...] | None = None
    match: Match | None = None
    exclude_details: dict[str, tuple[str, ...]] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "Cap":
        if (self.lists is None) == (self.match is None):
            raise ValueError(f"cap {self.key}: give either lists or match")
        return self


class Score(_Strict):
    min: Decimal = Decimal(0)
    max: Decimal = Decimal(1000)
    base: Decimal
    decimals: int = Field(default=2, ge=0, le=6)


class RecordScope(_Strict):
    statuses: tuple[str, ...] = ("active",)
    count_under_objection: bool = False
    include_lifecycle_events: bool = True

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value):
        for status in value:
            if status not in RECORD_STATUSES:
                raise ValueError(f"unknown record status {status!r} (one of {', '.join(RECORD_STATUSES)})")
        return value


class ListActions(_Strict):
    details_field: str = "list_action"
    listed: tuple[str, ...] = ("列入",)
    removed: tuple[str, ...] = ("移出",)


class SectorGrade(_Strict):
    score: Decimal = Field(ge=0, le=100)
    cap: str | None = None


class SectorWeights(_Strict):
    public: Decimal = Field(ge=0)
    sector: Decimal = Field(ge=0)


class SectorModel(_Strict):
    key: str
    name_zh: str
    feed_key: str
    grade_field: str
    year_field: str | None = None
    max_age_years: Decimal | None = Field(default=None, gt=0)
    weights: SectorWeights
    grades: dict[str, SectorGrade]


class ModelInfo(_Strict):
    key: str
    version: str
    name_zh: str


class RatingModel(_Strict):
    model: ModelInfo
    score: Score
    regrade_cycle: Literal["day", "week", "month", "quarter", "year"] = "month"
    records: RecordScope = RecordScope()
    list_actions: ListActions = ListActions()
    grades: tuple[Grade, ...]
    caps: tuple[Cap, ...] = ()
    dimensions: tuple[Dimension, ...]
    sector_models: tuple[SectorModel, ...] = ()
    districts: dict[str, str] = {}

    @model_validator(mode="after")
    def _consistent(self) -> "RatingModel":
        s = self.score
        if not s.min <= s.base <= s.max:
            raise ValueError("score: need min ≤ base ≤ max")
        names = [g.grade for g in self.grades]
        if len(names) != len(set(names)) or not names:
            raise ValueError("grades: give each grade once")
        bands = [g.min_score for g in self.grades]
        if any(a <= b for a, b in zip(bands, bands[1:])):
            raise ValueError("grades: list them best first, with strictly decreasing min_score")
        if bands[-1] > s.min:
            raise ValueError(f"grades: the last grade must start at score.min ({s.min}) so every score has a grade")
        if bands[0] > s.max:
            raise ValueError("grades: the best grade starts above score.max")
        for cap in self.caps:
            if cap.max_grade not in names:
                raise ValueError(f"cap {cap.key}: unknown grade {cap.max_grade!r}")
            _one_field(cap.exclude_details, f"cap {cap.key} exclude_details")
        keys = [d.key for d in self.dimensions]
        indicators = [i.key for d in self.dimensions for i in d.indicators]
        for what, items in (("dimension", keys), ("indicator", indicators),
                            ("cap", [c.key for c in self.caps]),
                            ("sector model", [m.key for m in self.sector_models])):
            duplicates = sorted({k for k in items if items.count(k) > 1})
            if duplicates:
                raise ValueError(f"duplicate {what} keys: {duplicates}")
        for model in self.sector_models:
            if model.weights.public + model.weights.sector == 0:
                raise ValueError(f"sector model {model.key}: the weights add up to 0")
            for grade, spec in model.grades.items():
                if spec.cap is not None and spec.cap not in names:
                    raise ValueError(f"sector model {model.key} grade {grade}: unknown cap grade {spec.cap!r}")
        return self

    def band_max_scores(self) -> dict[str, Decimal]:
        """The highest score of each grade: just below the next better grade's minimum."""
        step = Decimal(1).scaleb(-self.score.decimals)
        tops: dict[str, Decimal] = {}
        better: Decimal | None = None
        for g in self.grades:
            tops[g.grade] = self.score.max if better is None else min(self.score.max, better - step)
            better = g.min_score
        return tops

    def config_hash(self) -> str:
        """Changes whenever anything that moves a score or grade changes (districts do not)."""
        payload = self.model_dump(mode="json", exclude={"districts"})
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- inspection --------------------------------------------------------------------------------


class Roster(_Strict):
    seed: int
    locale: str = "zh_CN"
    per_department: int = Field(default=8, ge=1, le=500)


class Inspectors(_Strict):
    per_subject: int = Field(default=2, ge=1, le=10)
    roster: Roster


class InspectionRules(_Strict):
    not_inspected_within_months: int = Field(default=12, ge=0)
    default_department: str | None = None
    count_recorded_inspections: bool = True
    exempt_strata: tuple[str, ...] = (SERIOUS_LIST_STRATUM,)


class Population(_Strict):
    subject_kinds: tuple[Literal["organisation", "individual_business", "natural_person"], ...] = (
        "organisation", "individual_business")


class InspectionConfig(_Strict):
    seed: str
    population: Population = Population()
    ratios: dict[str, Decimal]
    rules: InspectionRules = InspectionRules()
    inspectors: Inspectors

    @model_validator(mode="after")
    def _consistent(self) -> "InspectionConfig":
        if not self.seed.strip():
            raise ValueError("seed: give a non-empty published seed")
        for stratum, ratio in self.ratios.items():
            if not Decimal(0) <= ratio <= Decimal(1):
                raise ValueError(f"ratios.{stratum}: {ratio} is not between 0 and 1")
        return self

    def quarter_seed(self, quarter: str) -> str:
        return f"{self.seed}:{quarter}"

    def config_hash(self) -> str:
        payload = self.model_dump(mode="json")
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- integrity ---------------------------------------------------------------------------------

RULE_KINDS = ("subject_kind_in", "grade_in", "min_score", "no_negative_within_years",
              "no_serious_list_ever", "min_positive_records", "sector_grade_in", "on_list")


class IntegrityRule(_Strict):
    key: str
    kind: Literal["subject_kind_in", "grade_in", "min_score", "no_negative_within_years",
                  "no_serious_list_ever", "min_positive_records", "sector_grade_in", "on_list"]
    description_zh: str
    enabled: bool = True
    subject_kinds: tuple[str, ...] | None = None
    grades: tuple[str, ...] | None = None
    min_value: Decimal | None = None
    years: int | None = Field(default=None, ge=1)
    sector_models: tuple[str, ...] | None = None
    lists: tuple[Literal["serious_dishonesty", "key_attention", "red"], ...] | None = None

    @model_validator(mode="after")
    def _params(self) -> "IntegrityRule":
        needs = {
            "subject_kind_in": ("subject_kinds",), "grade_in": ("grades",), "min_score": ("min_value",),
            "no_negative_within_years": ("years",), "no_serious_list_ever": (),
            "min_positive_records": ("min_value", "years"), "sector_grade_in": ("sector_models", "grades"),
            "on_list": ("lists",),
        }[self.kind]
        missing = [n for n in needs if getattr(self, n) is None]
        if missing:
            raise ValueError(f"integrity rule {self.key} ({self.kind}): give {', '.join(missing)}")
        return self


class IntegrityConfig(_Strict):
    rules: tuple[IntegrityRule, ...]


# --- loading -----------------------------------------------------------------------------------


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    return Path(override).resolve() if override else settings.CONFIG_DIR


def _read(path: Path, model: type[BaseModel]) -> Any:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: missing") from exc
    try:
        return model.model_validate(raw or {})
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def load_rating_model(path: Path | None = None) -> RatingModel:
    model = _read(path or config_dir() / RATING_MODEL_FILE, RatingModel)
    _check_against_catalogue(model, path or config_dir() / RATING_MODEL_FILE)
    return model


def load_inspection(path: Path | None = None) -> InspectionConfig:
    return _read(path or config_dir() / INSPECTION_FILE, InspectionConfig)


def load_integrity(path: Path | None = None) -> IntegrityConfig:
    return _read(path or config_dir() / INTEGRITY_FILE, IntegrityConfig)


def _check_against_catalogue(model: RatingModel, path: Path) -> None:
    from ingest_connectors.catalogue import catalogue

    cat = catalogue()
    feeds = {f.key: f for f in cat.feeds()}
    sectors = {s.slug for s in [*cat.sectors, *getattr(cat, "platform", [])]}
    record_types = {f.record_type.code for f in feeds.values()}

    def check(match: Match, what: str) -> None:
        for key in match.feed_key or ():
            if key not in feeds:
                raise ConfigError(f"{path}: {what}: no feed {key!r} in the catalogue")
        for slug in match.sector_slug or ():
            if slug not in sectors:
                raise ConfigError(f"{path}: {what}: no sector {slug!r} in the catalogue")
        for code in match.record_type or ():
            if code not in record_types:
                raise ConfigError(f"{path}: {what}: no record type {code!r} in the catalogue")

    for dimension in model.dimensions:
        for indicator in dimension.indicators:
            check(indicator.match, f"indicator {indicator.key}")
    for cap in model.caps:
        if cap.match is not None:
            check(cap.match, f"cap {cap.key}")
    for sm in model.sector_models:
        feed = feeds.get(sm.feed_key)
        if feed is None:
            raise ConfigError(f"{path}: sector model {sm.key}: no feed {sm.feed_key!r} in the catalogue")
        columns = {f.column for f in feed.record_type.fields}
        for field in (sm.grade_field, sm.year_field):
            if field is not None and field not in columns:
                raise ConfigError(f"{path}: sector model {sm.key}: feed {sm.feed_key} has no field {field!r}")
        lookup_name = feed.record_type.field(sm.grade_field).lookup
        if lookup_name and lookup_name in cat.lookups:
            values = set(cat.lookups[lookup_name].values)
            unknown = sorted(set(sm.grades) - values)
            if unknown:
                raise ConfigError(f"{path}: sector model {sm.key}: grades {unknown} are not values of "
                                  f"lookup {lookup_name} ({sorted(values)})")


# --- the warehouse tables ----------------------------------------------------------------------

#: ref_config tables and their columns. dbt declares the same columns in
#: dbt_project/models/marts/ratings/_ratings__sources.yml (tests/ratings checks they agree).
TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "rating_model": (
        ("model_key", "text"), ("model_version", "text"), ("name_zh", "text"),
        ("base_score", "numeric"), ("min_score", "numeric"), ("max_score", "numeric"),
        ("score_decimals", "integer"), ("regrade_cycle", "text"), ("counted_statuses", "text[]"),
        ("count_under_objection", "boolean"), ("include_lifecycle_events", "boolean"), ("list_action_field", "text"),
        ("list_listed_values", "text[]"), ("list_removed_values", "text[]"),
        ("config_hash", "text"), ("source_path", "text"), ("installed_at", "timestamptz"),
    ),
    "rating_grade_band": (
        ("grade", "text"), ("name_zh", "text"), ("grade_rank", "integer"),
        ("min_score", "numeric"), ("max_score", "numeric"),
    ),
    "rating_dimension": (
        ("dimension_key", "text"), ("name_zh", "text"), ("name_en", "text"),
        ("weight", "numeric"), ("position", "integer"),
    ),
    "rating_indicator": (
        ("indicator_key", "text"), ("dimension_key", "text"), ("name_zh", "text"), ("priority", "integer"),
        ("match_information_category", "text[]"), ("match_polarity", "text[]"), ("match_feed_key", "text[]"),
        ("match_sector_slug", "text[]"), ("match_record_type", "text[]"), ("match_act_kind", "text[]"),
        ("match_severity", "text[]"), ("details_field", "text"), ("details_values", "text[]"),
        ("exclude_details_field", "text"), ("exclude_details_values", "text[]"),
        ("points_minor", "numeric"), ("points_general", "numeric"), ("points_serious", "numeric"),
        ("points_default", "numeric"), ("value_source", "text"), ("neutral_common_score", "numeric"),
        ("points_per_common_point", "numeric"), ("half_life_months", "numeric"),
        ("min_total", "numeric"), ("max_total", "numeric"),
    ),
    "rating_cap": (
        ("cap_key", "text"), ("name_zh", "text"), ("max_grade", "text"), ("max_score", "numeric"),
        ("match_information_category", "text[]"), ("match_polarity", "text[]"), ("match_feed_key", "text[]"),
        ("match_sector_slug", "text[]"), ("match_record_type", "text[]"), ("match_act_kind", "text[]"),
        ("match_severity", "text[]"), ("exclude_details_field", "text"), ("exclude_details_values", "text[]"),
        ("match_list_type", "text[]"), ("position", "integer"),
    ),
    "sector_model": (
        ("model_key", "text"), ("name_zh", "text"), ("feed_key", "text"), ("grade_field", "text"),
        ("year_field", "text"), ("max_age_years", "numeric"), ("public_weight", "numeric"),
        ("sector_weight", "numeric"), ("position", "integer"),
    ),
    "sector_grade_map": (
        ("model_key", "text"), ("source_grade", "text"), ("common_score", "numeric"),
        ("cap_grade", "text"), ("cap_score", "numeric"), ("grade_position", "integer"),
    ),
    "rating_district": (("division_code", "text"), ("name_zh", "text")),
    "integrity_rule": (
        ("rule_key", "text"), ("rule_kind", "text"), ("description_zh", "text"), ("enabled", "boolean"),
        ("subject_kinds", "text[]"), ("grades", "text[]"), ("min_value", "numeric"), ("years", "integer"),
        ("sector_models", "text[]"), ("lists", "text[]"), ("position", "integer"),
    ),
    "inspection_param": (
        ("base_seed", "text"), ("subject_kinds", "text[]"), ("not_inspected_within_months", "integer"),
        ("count_recorded_inspections", "boolean"), ("exempt_strata", "text[]"),
        ("inspectors_per_subject", "integer"), ("default_department", "text"), ("config_hash", "text"),
        ("installed_at", "timestamptz"),
    ),
    "inspection_ratio": (("stratum", "text"), ("ratio", "numeric"), ("position", "integer")),
    "inspector": (
        ("inspector_id", "text"), ("department_code", "text"), ("department_name_zh", "text"),
        ("name_zh", "text"), ("badge_number", "text"),
    ),
}


def _existing_columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        """select a.attname, format_type(a.atttypid, a.atttypmod)
           from pg_attribute a join pg_class c on c.oid = a.attrelid
           join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
           order by a.attnum""", (SCHEMA, table)).fetchall()
    return [(name, kind) for name, kind in rows]


_CANONICAL_TYPES = {"timestamptz": "timestamp with time zone", "text[]": "text[]", "integer": "integer",
                    "numeric": "numeric", "text": "text", "boolean": "boolean"}


def ensure_tables(conn: psycopg.Connection) -> None:
    """Create the ref_config tables; a table whose columns changed (a code upgrade) is recreated."""
    conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
    for table, columns in TABLES.items():
        expected = [(name, _CANONICAL_TYPES[kind]) for name, kind in columns]
        existing = _existing_columns(conn, table)
        if existing and existing != expected:
            conn.execute(sql.SQL("drop table {} cascade").format(sql.Identifier(SCHEMA, table)))
            existing = []
        if not existing:
            conn.execute(sql.SQL("create table {} ({})").format(
                sql.Identifier(SCHEMA, table),
                sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                                   for name, kind in columns)))


def _replace(conn: psycopg.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    columns = [name for name, _ in TABLES[table]]
    conn.execute(sql.SQL("delete from {}").format(sql.Identifier(SCHEMA, table)))
    if not rows:
        return
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        sql.Identifier(SCHEMA, table), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    with conn.cursor() as cur:
        cur.executemany(statement, [tuple(_sql_value(row.get(c)) for c in columns) for row in rows])


def _sql_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def _match_columns(match: Match) -> dict[str, Any]:
    return {f"match_{name}": getattr(match, name) for name in Match.model_fields}


def rating_rows(model: RatingModel, source: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rating model as the rows of the ref_config tables."""
    now = dt.datetime.now(dt.timezone.utc)
    tops = model.band_max_scores()
    rows: dict[str, list[dict[str, Any]]] = {
        "rating_model": [{
            "model_key": model.model.key, "model_version": model.model.version, "name_zh": model.model.name_zh,
            "base_score": model.score.base, "min_score": model.score.min, "max_score": model.score.max,
            "score_decimals": model.score.decimals, "regrade_cycle": model.regrade_cycle,
            "counted_statuses": model.records.statuses,
            "count_under_objection": model.records.count_under_objection,
            "include_lifecycle_events": model.records.include_lifecycle_events,
            "list_action_field": model.list_actions.details_field,
            "list_listed_values": model.list_actions.listed, "list_removed_values": model.list_actions.removed,
            "config_hash": model.config_hash(), "source_path": str(source) if source else None,
            "installed_at": now,
        }],
        "rating_grade_band": [
            {"grade": g.grade, "name_zh": g.name_zh, "grade_rank": rank, "min_score": g.min_score,
             "max_score": tops[g.grade]}
            for rank, g in enumerate(model.grades, start=1)
        ],
        "rating_dimension": [
            {"dimension_key": d.key, "name_zh": d.name_zh, "name_en": d.name_en, "weight": d.weight,
             "position": position}
            for position, d in enumerate(model.dimensions, start=1)
        ],
        "rating_indicator": [],
        "rating_cap": [],
        "sector_model": [],
        "sector_grade_map": [],
        "rating_district": [{"division_code": code, "name_zh": name} for code, name in sorted(model.districts.items())],
    }
    priority = 0
    for d in model.dimensions:
        for i in d.indicators:
            priority += 1
            details_field, details_values = _one_field(i.details, i.key)
            exclude_field, exclude_values = _one_field(i.exclude_details, i.key)
            points = i.points_by_severity()
            rows["rating_indicator"].append({
                "indicator_key": i.key, "dimension_key": d.key, "name_zh": i.name_zh, "priority": priority,
                **_match_columns(i.match),
                "details_field": details_field, "details_values": details_values,
                "exclude_details_field": exclude_field, "exclude_details_values": exclude_values,
                "points_minor": points["minor"], "points_general": points["general"],
                "points_serious": points["serious"], "points_default": points["default"],
                "value_source": i.value_source, "neutral_common_score": i.neutral_common_score,
                "points_per_common_point": i.points_per_common_point,
                "half_life_months": i.half_life_months, "min_total": i.min_total, "max_total": i.max_total,
            })
    for position, cap in enumerate(model.caps, start=1):
        exclude_field, exclude_values = _one_field(cap.exclude_details, cap.key)
        rows["rating_cap"].append({
            "cap_key": cap.key, "name_zh": cap.name_zh, "max_grade": cap.max_grade,
            "max_score": tops[cap.max_grade], **(_match_columns(cap.match) if cap.match else {}),
            "exclude_details_field": exclude_field, "exclude_details_values": exclude_values,
            "match_list_type": cap.lists, "position": position,
        })
    for position, sm in enumerate(model.sector_models, start=1):
        rows["sector_model"].append({
            "model_key": sm.key, "name_zh": sm.name_zh, "feed_key": sm.feed_key, "grade_field": sm.grade_field,
            "year_field": sm.year_field, "max_age_years": sm.max_age_years,
            "public_weight": sm.weights.public, "sector_weight": sm.weights.sector, "position": position,
        })
        for grade_position, (grade, spec) in enumerate(sm.grades.items(), start=1):
            rows["sector_grade_map"].append({
                "model_key": sm.key, "source_grade": grade, "common_score": spec.score,
                "cap_grade": spec.cap, "cap_score": tops[spec.cap] if spec.cap else None,
                "grade_position": grade_position,
            })
    return rows


def inspection_rows(config: InspectionConfig) -> dict[str, list[dict[str, Any]]]:
    from credit.ratings.roster import roster_rows

    return {
        "inspection_param": [{
            "base_seed": config.seed, "subject_kinds": config.population.subject_kinds,
            "not_inspected_within_months": config.rules.not_inspected_within_months,
            "count_recorded_inspections": config.rules.count_recorded_inspections,
            "exempt_strata": config.rules.exempt_strata,
            "inspectors_per_subject": config.inspectors.per_subject,
            "default_department": config.rules.default_department,
            "config_hash": config.config_hash(), "installed_at": dt.datetime.now(dt.timezone.utc),
        }],
        "inspection_ratio": [{"stratum": s, "ratio": r, "position": p}
                             for p, (s, r) in enumerate(config.ratios.items(), start=1)],
        "inspector": roster_rows(config.inspectors.roster),
    }


def integrity_rows(config: IntegrityConfig) -> dict[str, list[dict[str, Any]]]:
    return {"integrity_rule": [
        {"rule_key": r.key, "rule_kind": r.kind, "description_zh": r.description_zh, "enabled": r.enabled,
         "subject_kinds": r.subject_kinds, "grades": r.grades, "min_value": r.min_value, "years": r.years,
         "sector_models": r.sector_models, "lists": r.lists, "position": p}
        for p, r in enumerate(config.rules, start=1)
    ]}


def _check_cross(model: RatingModel, inspection: InspectionConfig, integrity: IntegrityConfig) -> None:
    grades = {g.grade for g in model.grades}
    strata = grades | {SERIOUS_LIST_STRATUM}
    unknown = sorted(set(inspection.ratios) - strata)
    if unknown:
        raise ConfigError(f"{INSPECTION_FILE}: ratios for unknown strata {unknown} (grades and {SERIOUS_LIST_STRATUM})")
    missing = sorted(strata - set(inspection.ratios))
    if missing:
        raise ConfigError(f"{INSPECTION_FILE}: give a ratio for {missing}")
    default = inspection.rules.default_department
    if default is not None:
        from credit.ratings.roster import departments

        if default not in {d["code"] for d in departments()}:
            raise ConfigError(f"{INSPECTION_FILE}: rules.default_department {default!r} is no department of the catalogue")
    models = {m.key for m in model.sector_models}
    for rule in integrity.rules:
        for g in rule.grades or ():
            if rule.kind == "grade_in" and g not in grades:
                raise ConfigError(f"{INTEGRITY_FILE}: rule {rule.key}: unknown grade {g!r}")
        for m in rule.sector_models or ():
            if m not in models:
                raise ConfigError(f"{INTEGRITY_FILE}: rule {rule.key}: unknown sector model {m!r}")


def install_rating_config(conn: psycopg.Connection, directory: Path | None = None) -> str:
    """Validate the three files and (re)write ref_config.* in one transaction; returns the rating
    configuration's hash. Raises :class:`ConfigError` (and writes nothing) on an invalid file."""
    directory = Path(directory) if directory else config_dir()
    model = load_rating_model(directory / RATING_MODEL_FILE)
    inspection = load_inspection(directory / INSPECTION_FILE)
    integrity = load_integrity(directory / INTEGRITY_FILE)
    _check_cross(model, inspection, integrity)
    tables = {**rating_rows(model, directory / RATING_MODEL_FILE), **inspection_rows(inspection),
              **integrity_rows(integrity)}
    with conn.transaction():
        ensure_tables(conn)
        from credit.ratings.inspection import ensure_plan_tables

        ensure_plan_tables(conn)
        for table, rows in tables.items():
            _replace(conn, table, rows)
    # statistics, so the planner knows these tables are tiny (they join millions of records)
    for table in tables:
        conn.execute(sql.SQL("analyze {}").format(sql.Identifier(SCHEMA, table)))
    conn.commit()
    return model.config_hash()
