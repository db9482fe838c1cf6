"""Schema of the feed catalogue: sectors, departments, connectors, record types and field specs.

The catalogue is the single source of truth for field specifications; parsing, the GX suites, the
dbt sources and staging models and the docs are all derived from it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FieldType = Literal[
    "text",  # free text, kept as sent (trimmed)
    "code",  # short code or number, upper-cased, spaces removed
    "date",  # YYYY/MM/DD in the standard; YYYY-MM-DD, YYYYMMDD, Excel serials also parsed
    "amount_wan_yuan",  # money in 万元 (10,000 yuan)
    "decimal",
    "integer",
    "enum",  # value from a lookup (see ``lookup``)
    "uscc",  # Unified Social Credit Code (GB 32100)
    "id_number",  # resident identity number (GB 11643) — personal data
]
Requirement = Literal["Y", "C", "O"]  # required / conditional / optional, as in the standard
Severity = Literal["critical", "warning"]

ACT_KINDS = (
    "licence", "penalty", "enforcement", "confirmation", "levy", "benefit", "adjudication",
    "compensation", "award", "inspection",
)
ActKind = Literal[
    "licence", "penalty", "enforcement", "confirmation", "levy", "benefit", "adjudication",
    "compensation", "award", "inspection",
]
#: 全国公共信用信息基础目录 (2024): the 13 information categories.
INFORMATION_CATEGORIES = (
    "登记注册基本信息", "司法裁判及执行信息", "行政管理信息", "职称和职业(资格)信息",
    "经营(活动)异常名录(状态)信息", "严重失信主体名单信息", "合同履行信息", "信用承诺及履行情况信息",
    "信用评价结果信息", "遵守法律法规情况信息", "诚实守信相关荣誉信息", "知识产权信息",
    "市场主体自愿提供的信用信息",
)
Polarity = Literal["positive", "negative", "neutral"]
ConnectorKind = Literal["file_drop", "http_api", "database"]

MAX_FEED_KEY_LENGTH = 63 - len("int_gate__")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Strict):
    """``field`` holds one of ``in_`` (after lookup) — e.g. USCC required for legal entities."""

    field: str
    in_: tuple[str, ...] = Field(alias="in")


class FieldSpec(Strict):
    column: str  # English snake_case column name used in raw, staging and beyond
    name_zh: str  # the standard's Chinese field name, as departments send it in headers
    code: str  # the standard's field code (CF_XDR_MC …)
    type: FieldType = "text"
    required: Requirement = "O"
    required_when: Condition | None = None  # the rule behind a "C"
    lookup: str | None = None  # name of a value lookup (enum fields)
    pattern: str | None = None  # regular expression the cleaned value must match
    max_length: int | None = None
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    severity: Severity = "critical"
    pii: bool = False
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "FieldSpec":
        if not _IDENT.match(self.column):
            raise ValueError(f"column {self.column!r} is not snake_case")
        if self.type == "enum" and not self.lookup:
            raise ValueError(f"enum field {self.column} needs a lookup")
        if self.required == "C" and self.required_when is None:
            raise ValueError(f"conditional field {self.column} needs required_when")
        return self


class Lookup(Strict):
    """Canonical values of an enumeration, and messy spellings mapped onto them."""

    name: str
    values: tuple[str, ...]
    aliases: dict[str, str] = {}
    multi: bool = False  # several values in one field, separated by ``separators``
    separators: tuple[str, ...] = ("、", ",", "，", ";", "；", "/")

    @model_validator(mode="after")
    def _aliases_point_to_values(self) -> "Lookup":
        bad = {k: v for k, v in self.aliases.items() if v not in self.values}
        if bad:
            raise ValueError(f"lookup {self.name}: aliases to unknown values {bad}")
        return self


class RecordType(Strict):
    code: str  # snake_case; with the sector slug it names the raw table
    name_zh: str
    name_en: str
    layout: str | None = None  # the shared layout it follows (penalty, licence, act)
    act_kind: ActKind | None = None  # which of the ten publicised acts, if any
    category: str  # one of INFORMATION_CATEGORIES
    polarity: Polarity
    decision_number: str  # column holding the decision / document number
    decision_date: str  # column holding the decision date
    unique_key: tuple[str, ...]  # columns that identify one decision (corrections re-use it)
    fields: tuple[FieldSpec, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "RecordType":
        if not _IDENT.match(self.code):
            raise ValueError(f"record type {self.code!r} is not snake_case")
        if self.category not in INFORMATION_CATEGORIES:
            raise ValueError(f"record type {self.code}: unknown category {self.category!r}")
        columns = [f.column for f in self.fields]
        dupes = {c for c in columns if columns.count(c) > 1}
        if dupes:
            raise ValueError(f"record type {self.code}: duplicate columns {sorted(dupes)}")
        for col in (self.decision_number, self.decision_date, *self.unique_key):
            if col not in columns:
                raise ValueError(f"record type {self.code}: {col!r} is not one of its fields")
        for f in self.fields:
            if f.required_when and f.required_when.field not in columns:
                raise ValueError(f"{self.code}.{f.column}: condition on unknown field")
        return self

    def field(self, column: str) -> FieldSpec:
        for f in self.fields:
            if f.column == column:
                return f
        raise KeyError(column)


class Department(Strict):
    code: str  # short department code, used in file names and feedback
    uscc: str  # the department's own Unified Social Credit Code
    name_zh: str
    name_en: str


class Connector(Strict):
    kind: ConnectorKind
    settings: dict = {}


class Sector(Strict):
    number: int  # 1..20, the order of REFERENCE §9
    slug: str
    name_zh: str
    name_en: str
    departments: tuple[Department, ...]
    connector: Connector
    record_types: tuple[RecordType, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Sector":
        if not _IDENT.match(self.slug):
            raise ValueError(f"sector slug {self.slug!r} is not snake_case")
        codes = [r.code for r in self.record_types]
        if len(codes) != len(set(codes)):
            raise ValueError(f"sector {self.slug}: duplicate record types")
        for code in codes:
            # the feed key names tables and models; PostgreSQL truncates identifiers at 63 bytes
            if len(f"{self.slug}__{code}") > MAX_FEED_KEY_LENGTH:
                raise ValueError(
                    f"feed {self.slug}__{code} is longer than {MAX_FEED_KEY_LENGTH} characters "
                    f"(its gate model int_gate__<feed> must fit PostgreSQL's 63)"
                )
        return self


class Feed(Strict):
    """One sector × record type: one raw table, one Dagster asset, one staging model."""

    sector: Sector
    record_type: RecordType

    @property
    def key(self) -> str:
        return f"{self.sector.slug}__{self.record_type.code}"

    @property
    def raw_table(self) -> str:
        return self.key
