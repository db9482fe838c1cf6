"""Building one feed's rows: facts first (subject, dates, penalty types, amounts), then each
catalogue field formatted the way departments send it.

A row is a dict ``column → str`` ('' = not sent). A :class:`RowBuilder` is made once per feed and
precomputes one small formatter per field, so the per-row loop makes no catalogue look-ups and no
Faker calls.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

try:  # Python ≥ 3.11 keeps the parser here; sre_parse is a deprecated alias
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

from ingest_connectors.catalogue.model import Feed, FieldSpec, Lookup
from ingest_connectors.simulator import vocab
from ingest_connectors.simulator.identifiers import (
    DIVISION_NAMES, USCC_PLACEHOLDER, Weighted, id_to_15, make_uscc, to_fullwidth,
)
from ingest_connectors.simulator.subjects import SUBJECT_CATEGORY, Subject, SubjectPool

NO_END = dt.date(2099, 12, 31)
RULE_2023 = dt.date(2023, 5, 1)
RULE_2026 = dt.date(2026, 4, 1)

#: Subject-type mix per sector (default: market entities).
DEFAULT_MIX = {"company": 0.66, "self_employed": 0.22, "natural_person": 0.07,
               "public_institution": 0.03, "social_org": 0.02}
SECTOR_MIX = {
    "key_occupations": {"natural_person": 1.0},
    "social_organizations": {"social_org": 1.0},
    "education_research": {"public_institution": 0.35, "social_org": 0.2, "company": 0.3, "natural_person": 0.15},
    "health_family_planning": {"public_institution": 0.3, "company": 0.35, "self_employed": 0.2, "natural_person": 0.15},
    "intermediary_services": {"company": 0.92, "natural_person": 0.08},
    "construction": {"company": 0.95, "self_employed": 0.05},
    "bidding": {"company": 0.95, "natural_person": 0.05},
    "transport": {"company": 0.55, "self_employed": 0.3, "natural_person": 0.15},
    "social_security": {"company": 0.75, "self_employed": 0.1, "public_institution": 0.05, "social_org": 0.05, "natural_person": 0.05},
    "taxation": {"company": 0.7, "self_employed": 0.27, "natural_person": 0.03},
}
RECORD_TYPE_MIX = {
    "evaluation_expert_violation": {"natural_person": 1.0},
    "family_planning_benefit": {"natural_person": 1.0},
    "adverse_practice_points": {"public_institution": 0.6, "company": 0.25, "self_employed": 0.15},
    "abnormal_operation_entry": {"company": 0.7, "self_employed": 0.3},
    "ecommerce_credit_commitment": {"company": 0.6, "self_employed": 0.4},
    "wage_arrears_list": {"company": 0.9, "self_employed": 0.1},
    "social_insurance_fraud": {"natural_person": 0.7, "company": 0.3},
    "insurance_registration_confirmation": {"company": 0.8, "self_employed": 0.1, "social_org": 0.05, "public_institution": 0.05},
    "science_technology_award": {"company": 0.5, "public_institution": 0.35, "natural_person": 0.15},
    "irregular_private_schooling": {"social_org": 0.5, "company": 0.4, "natural_person": 0.1},
    "research_misconduct": {"natural_person": 0.8, "public_institution": 0.2},
    "tax_credit_grade": {"company": 0.75, "self_employed": 0.25},
}

_DEPT_ABBR = (
    ("市场监督管理", "市监"), ("应急管理", "应急"), ("商务", "商务"), ("税务", "税"), ("发展和改革", "发改"),
    ("住房和城乡建设", "建"), ("财政", "财"), ("交通运输", "交"), ("司法", "司"), ("卫生健康", "卫健"),
    ("医疗保障", "医保"), ("人力资源和社会保障", "人社"), ("教育", "教"), ("科学技术", "科"),
    ("文化和旅游", "文旅"), ("生态环境", "环"), ("民政", "民"), ("网络安全和信息化", "网信"), ("公安", "公"),
)
_ACT_CHAR = {"penalty": "罚", "licence": "许", "inspection": "检", "levy": "征", "compensation": "补",
             "benefit": "给", "confirmation": "确", "enforcement": "强", "adjudication": "裁", "award": "奖"}
SUBJECT_COLUMNS = frozenset((
    "subject_name", "subject_category", "uscc", "registration_number", "org_code", "tax_registration_number",
    "institution_cert_number", "social_org_cert_number", "legal_rep_name", "legal_rep_id_type",
    "legal_rep_id_number", "id_type", "id_number",
))
_QUALIFICATION_NAMES = {
    "施工总承包": ("建筑工程施工总承包", "市政公用工程施工总承包", "公路工程施工总承包", "水利水电工程施工总承包"),
    "专业承包": ("地基基础工程专业承包", "建筑装修装饰工程专业承包", "钢结构工程专业承包", "环保工程专业承包"),
    "施工劳务": ("施工劳务",),
    "工程勘察": ("工程勘察专业类（岩土工程）", "工程勘察专业类（工程测量）"),
    "工程设计": ("建筑行业（建筑工程）设计", "市政行业（道路工程）专业设计"),
    "工程监理": ("房屋建筑工程监理", "市政公用工程监理"),
}
_REMARK_TEXT = ("已整改", "当事人已履行", "已缴纳罚款", "无", "/", "补录", "信用修复中", "首次违法")
_ENUM_JUNK = ("未知类别", "待核实", "暂无分类", "类别不详", "见附件")


_PERSON_PENALTIES = Weighted(
    (("罚款",), ("警告",), ("警告", "罚款"), ("限制从业",), ("罚款", "没收违法所得"), ("暂扣许可证件",),
     ("吊销许可证件",), ("行政拘留",)),
    (40, 15, 15, 8, 8, 6, 5, 3))
_ENTITY_PENALTIES = Weighted(
    (("罚款",), ("警告",), ("警告", "罚款"), ("罚款", "没收违法所得"), ("通报批评",), ("责令停产停业", "罚款"),
     ("吊销许可证件",), ("暂扣许可证件", "罚款"), ("没收违法所得", "没收非法财物", "罚款"), ("降低资质等级",),
     ("其他",)),
    (44, 10, 14, 9, 3, 4, 3, 3, 4, 2, 2))
_SEVERITY = Weighted(("一般", "严重"), (80, 8))
_SEVERITY_2026 = Weighted(("一般", "轻微", "严重"), (80, 12, 8))
_SEVERITY_OTHER = Weighted(("一般", "严重", "轻微"), (70, 20, 10))
_LICENCE_CATEGORY = Weighted(("普通", "登记", "核准", "认可", "特许", "其他"), (60, 15, 10, 8, 5, 2))


_RECORD_CHAR = (
    ("grade", "评"), ("rating", "评"), ("evaluation", "评"), ("dishonesty", "失"), ("wage_arrears", "欠"),
    ("ban", "禁"), ("inspection", "检"), ("qualification", "资"), ("fraud", "骗"), ("arrears", "欠"),
    ("complaint", "诉"), ("sampling", "抽"), ("commitment", "诺"), ("abnormal", "异"), ("misconduct", "信"),
    ("points", "记"), ("pledge", "质"), ("bad_behaviour", "良"), ("icp", "备"), ("app", "通"),
    ("violation", "违"), ("professional", "执"), ("schooling", "办"),
)


def department_abbreviation(name_zh: str) -> str:
    for key, abbr in _DEPT_ABBR:
        if key in name_zh:
            return "黄" + abbr
    stem = name_zh.replace("国家税务总局", "").replace("黄石市", "").replace("黄石", "")
    return "黄" + stem[:2]


def decision_prefixes(catalogue) -> dict[tuple[str, str], str]:
    """(feed key, department code) → decision-number prefix, unique over the whole catalogue
    so that two feeds never share a decision number."""
    sectors_of: dict[str, set[str]] = {}
    for sector in catalogue.sectors:
        for d in sector.departments:
            sectors_of.setdefault(d.code, set()).add(sector.slug)
    taken: set[str] = set()
    out: dict[tuple[str, str], str] = {}
    for feed in catalogue.feeds():
        rt = feed.record_type
        kind = rt.layout if rt.layout in ("penalty", "licence") else rt.act_kind
        first = _ACT_CHAR.get(kind or "") or next(
            (ch for word, ch in _RECORD_CHAR if word in rt.code), "")
        for d in feed.sector.departments:
            base = department_abbreviation(d.name_zh)
            if len(sectors_of[d.code]) > 1:
                base += feed.sector.name_zh[0]
            # The act's character, else one from the record type's name not already in the prefix.
            candidates = [first] if first else []
            candidates += [ch for ch in rt.name_zh if "\u4e00" <= ch <= "\u9fff" and ch not in base]
            prefix = next((base + ch for ch in candidates if base + ch not in taken), None)
            i = 1
            while prefix is None or prefix in taken:
                i += 1
                prefix = f"{base}{candidates[0] if candidates else ''}{i}"
            taken.add(prefix)
            out[(feed.key, d.code)] = prefix
    return out


# --- regex sampling for fields with a pattern but no dedicated generator ---------------------

def sample_pattern(rng: random.Random, pattern: str) -> str:
    """A random string matching a simple regular expression (classes, literals, repeats)."""

    def gen(parsed) -> str:
        out = []
        for op, av in parsed:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(av))
            elif name == "IN":
                chars = []
                for iop, iav in av:
                    iname = str(iop)
                    if iname == "LITERAL":
                        chars.append(chr(iav))
                    elif iname == "RANGE":
                        chars.extend(chr(c) for c in range(iav[0], iav[1] + 1))
                    elif iname == "CATEGORY":
                        chars.extend("0123456789" if "DIGIT" in str(iav) and "NOT" not in str(iav) else "abcXYZ")
                out.append(rng.choice(chars or ["0"]))
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                lo, hi, sub = av
                hi = min(hi, lo + 8) if hi != sre_parse.MAXREPEAT else lo + 8
                out.extend(gen(sub) for _ in range(rng.randint(lo, max(lo, hi))))
            elif name == "SUBPATTERN":
                out.append(gen(av[-1]))
            elif name == "BRANCH":
                out.append(gen(rng.choice(av[1])))
            elif name == "ANY":
                out.append(rng.choice("abcdef"))
            elif name == "CATEGORY":
                out.append("7" if "DIGIT" in str(av) and "NOT" not in str(av) else "a")
            # AT (anchors) and the rest produce nothing
        return "".join(out)

    return gen(sre_parse.parse(pattern))


# --- the per-row state ------------------------------------------------------------------------

@dataclass(slots=True)
class Row:
    sim_id: str
    subject: Subject
    dept_index: int
    decision: dt.date
    values: dict[str, str] = field(default_factory=dict)
    canon: dict[str, object] = field(default_factory=dict)  # canonical enum values (list if multi)
    variants: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    duplicate_of: str = ""
    correction_of: str = ""
    ragged: str = ""  # '', 'extra' or 'short' (CSV writer)
    # facts
    severity: str = ""
    penalty_types: tuple[str, ...] = ()
    fine: float | None = None
    confiscated: float | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    licence_name: str = ""
    amount: float | None = None
    removal: bool = False
    decision_number: str = ""
    violation: tuple = ()


def wan(value: float) -> str:
    """Format an amount in 万元 without trailing zeros (0.2, 1.5, 12.35)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def yuan_amount(rng: random.Random, low: float = 500, high: float = 2_000_000) -> float:
    """A plausible amount in 万元: log-uniform yuan, rounded to 100 yuan."""
    import math

    yuan = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(round(yuan / 100) * 100, 100) / 10000


class RowBuilder:
    """Makes the rows of one feed."""

    def __init__(self, feed: Feed, lookups: dict[str, Lookup], pool: SubjectPool,
                 prefixes: dict[tuple[str, str], str], feed_rng: random.Random, as_of: dt.date):
        self.feed = feed
        self.rt = rt = feed.record_type
        self.sector = feed.sector
        self.lookups = lookups
        self.pool = pool
        self.as_of = as_of
        self.fields = rt.fields
        self.columns = [f.column for f in rt.fields]
        self.layout = rt.layout or "sector_record"
        self.prefixes = [prefixes[(feed.key, d.code)] for d in feed.sector.departments]
        self.brackets = [feed_rng.choices(("〔〕", "[]", "（）"), weights=(75, 15, 10))[0]
                         for _ in feed.sector.departments]
        self.date_style = "/" if feed_rng.random() < 0.6 else "-"
        mix = RECORD_TYPE_MIX.get(rt.code) or SECTOR_MIX.get(feed.sector.slug) or DEFAULT_MIX
        if rt.category == "信用评价结果信息" and "natural_person" in mix and len(mix) > 1:
            mix = {k: v for k, v in mix.items() if k != "natural_person"}
        mix = {k: v for k, v in mix.items() if pool.by_type.get(k)}
        self.pick_kind = Weighted(list(mix), [mix[k] for k in mix])
        self.violations = vocab.VIOLATIONS.get(feed.sector.slug, vocab.DEFAULT_VIOLATIONS)
        self.licence_names = vocab.LICENCES.get(feed.sector.slug, ("许可证",))
        self.counters: dict[tuple[int, int], int] = {}
        self.fill: dict[str, float] = {}
        for f in rt.fields:
            if f.required == "O":
                self.fill[f.column] = round(feed_rng.uniform(0.35, 0.9), 2)
        self.fill.update({"registration_number": 0.35, "org_code": 0.25, "tax_registration_number": 0.1,
                          "institution_cert_number": 0.5, "social_org_cert_number": 0.5,
                          "legal_rep_id_type": 0.3, "misconduct_severity": 0.8, "remarks": 1.0})
        # Subject columns are written by _present_subject; the rest by one formatter each.
        self.formatters = [(f.column, self._formatter(f)) for f in rt.fields if f.column not in SUBJECT_COLUMNS]
        self.conditions = [(f.column, f.required_when.field, frozenset(f.required_when.in_))
                           for f in rt.fields if f.required_when and f.column not in SUBJECT_COLUMNS]
        self._forced: dict[str, object] = {}
        self._extra_subject_keys = not SUBJECT_COLUMNS <= set(self.columns)
        self._dates: dict[tuple[dt.date, str], str] = {}
        self.amount_fields = [f for f in rt.fields if f.type == "amount_wan_yuan" and f.max_value]
        self.enum_fields = [f for f in rt.fields if f.type == "enum"]
        self.text_fields = [f.column for f in rt.fields if f.type == "text" and not f.pattern and f.column not in
                            ("subject_name", "authority_name", "source_department", "remarks", "legal_rep_name")]

    # --- facts --------------------------------------------------------------------------------

    def draw_subject(self, rng: random.Random) -> Subject:
        kind = self.pick_kind(rng)
        return self.pool.draw(rng, kind)

    def decision_number(self, rng: random.Random, dept_index: int, day: dt.date,
                        day_mode: bool = False) -> str:
        key = (dept_index, day.year)
        n = self.counters.get(key)
        n = rng.randrange(1, 30) if n is None else n + 1
        self.counters[key] = n
        seq = f"{day:%m%d}{n:03d}" if day_mode else str(n)
        left, right = self.brackets[dept_index]
        return f"{self.prefixes[dept_index]}{left}{day.year}{right}{seq}号"

    def _penalty_facts(self, rng: random.Random, row: Row) -> None:
        person = row.subject.kind == "natural_person"
        types = (_PERSON_PENALTIES if person else _ENTITY_PENALTIES)(rng)
        row.penalty_types = types
        if "罚款" in types:
            row.fine = yuan_amount(rng, 200, 300_000 if person else 2_000_000)
        if "没收违法所得" in types or "没收非法财物" in types:
            row.confiscated = yuan_amount(rng, 100, 500_000)
        serious = {"吊销许可证件", "责令停产停业", "责令关闭", "行政拘留", "限制从业"}
        if serious & set(types) or (row.fine or 0) >= 50:
            sev = "严重"
        elif types == ("警告",) or types == ("通报批评",):
            sev = "轻微" if row.decision >= RULE_2026 else "一般"
        else:
            sev = (_SEVERITY_2026 if row.decision >= RULE_2026 else _SEVERITY)(rng)
        row.severity = sev
        # Publicity window (REFERENCE §5) by the rule in force on the decision date.
        if row.decision < RULE_2023:
            months = 36 if sev == "严重" else 12
        elif row.decision < RULE_2026:
            months = 36
        else:
            months = {"轻微": 3, "一般": 12, "严重": 36}[sev]
        until = _add_months(row.decision, months)
        row.valid_until = NO_END if ("吊销许可证件" in types and rng.random() < 0.5) else until

    def _licence_facts(self, rng: random.Random, row: Row) -> None:
        row.licence_name = rng.choice(self.licence_names)
        start = row.decision
        if rng.random() < 0.2:
            start = min(start + dt.timedelta(days=rng.randint(1, 5)), self.as_of)
        row.valid_from = start
        row.valid_until = NO_END if rng.random() < 0.12 else \
            _add_months(start, rng.choice((12, 36, 60, 60))) - dt.timedelta(days=1)

    def new_row(self, rng: random.Random, sim_id: str, decision: dt.date, dept_index: int,
                subject: Subject | None = None, day_mode: bool = False) -> Row:
        subject = subject or self.draw_subject(rng)
        row = Row(sim_id, subject, dept_index, decision)
        if self.layout == "penalty":
            self._penalty_facts(rng, row)
        elif self.layout == "licence":
            self._licence_facts(rng, row)
        else:
            if rng.random() < 0.15:
                row.valid_until = NO_END
            elif rng.random() < 0.7:
                row.valid_until = _add_months(decision, rng.choice((12, 24, 36)))
            row.amount = yuan_amount(rng, 1000, 3_000_000)
        row.decision_number = self.decision_number(rng, dept_index, decision, day_mode)
        values = row.values
        self._present_subject(rng, row)
        for column, fmt in self.formatters:
            values[column] = fmt(rng, row)
        # Conditional fields: filled whenever their condition holds (optionally otherwise). The
        # subject block's conditions are decided by _present_subject (a missing USCC is tagged).
        canon_of = row.canon
        for column, cond_field, cond_in in self.conditions:
            canon = canon_of.get(cond_field)
            held = not cond_in.isdisjoint(canon) if isinstance(canon, (list, tuple)) else canon in cond_in
            if held and not values[column]:
                values[column] = self._force(rng, row, column)
        return row

    # --- subject block --------------------------------------------------------------------------

    def _present_subject(self, rng: random.Random, row: Row) -> None:
        s, v, cols = row.subject, row.values, self.columns
        category = s.category
        row.canon["subject_category"] = category
        name = s.name
        if s.kind != "natural_person" and rng.random() < 0.14:
            name, tag = _name_variant(rng, name)
            if tag:
                row.variants.append(tag)
        v["subject_name"] = name
        v["subject_category"] = self._enum_text(rng, "subject_category", category, row)
        uscc = reg = ""
        if s.kind != "natural_person":
            if s.uscc:
                uscc = s.uscc
                if s.kind == "self_employed" and s.reg_no and rng.random() < 0.02:
                    uscc = USCC_PLACEHOLDER
                    row.variants.append("uscc_placeholder")
                elif rng.random() < 0.06:
                    uscc, tag = _code_variant(rng, uscc)
                    row.variants.append(tag)
            else:  # legacy-only subject: the department has nothing but the old numbers
                uscc = USCC_PLACEHOLDER if rng.random() < 0.6 else ""
                row.variants.append("legacy_only")
            if s.reg_no and (uscc in ("", USCC_PLACEHOLDER) or rng.random() < self.fill["registration_number"]):
                reg = s.reg_no
            if uscc in ("", USCC_PLACEHOLDER) and "uscc" in cols:
                row.defects.append("missing_required")
        v["uscc"] = uscc
        v["registration_number"] = reg
        v["org_code"] = ""
        if s.org_code and (s.legacy_only or rng.random() < self.fill["org_code"]):
            v["org_code"] = s.org_code if rng.random() < 0.5 else f"{s.org_code[:8]}-{s.org_code[8]}"
        v["tax_registration_number"] = ""
        if s.org_code and rng.random() < self.fill["tax_registration_number"]:
            v["tax_registration_number"] = s.uscc or (s.division + s.org_code)
        v["institution_cert_number"] = s.cert_no if s.kind == "public_institution" and rng.random() < 0.5 else ""
        v["social_org_cert_number"] = s.cert_no if s.kind == "social_org" and rng.random() < 0.5 else ""
        rep = rep_type = rep_id = ""
        if s.kind in ("company", "social_org", "public_institution") or (s.kind == "self_employed" and rng.random() < 0.6):
            rep = s.rep_name
            if rng.random() < self.fill["legal_rep_id_type"]:
                rep_type = self._enum_text(rng, "certificate_type", "身份证", row, alias_p=0.1, store=None)
                rep_id = _id_variant(rng, s.rep_id, row, tag=False)
        v["legal_rep_name"], v["legal_rep_id_type"], v["legal_rep_id_number"] = rep, rep_type, rep_id
        if s.kind == "natural_person":
            v["id_type"] = self._enum_text(rng, "certificate_type", "身份证", row, alias_p=0.1, store="id_type")
            v["id_number"] = _id_variant(rng, s.id_number, row, tag=True)
        else:
            v["id_type"] = v["id_number"] = ""
        if self._extra_subject_keys:
            for key in [k for k in v if k not in cols]:
                del v[key]

    # --- formatting helpers ---------------------------------------------------------------------

    def fmt_date(self, rng: random.Random, d: dt.date | None) -> str:
        if d is None:
            return ""
        sep = self.date_style if rng.random() < 0.9 else ("-" if self.date_style == "/" else "/")
        key = (d, sep)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = f"{d.year:04d}{sep}{d.month:02d}{sep}{d.day:02d}"
        return text

    def _enum_text(self, rng: random.Random, lookup_name: str, canonical: str, row: Row,
                   alias_p: float = 0.08, store: str | None = "") -> str:
        lookup = self.lookups.get(lookup_name)
        if store is not None:
            row.canon[store or lookup_name] = canonical
        if lookup is not None and rng.random() < alias_p:
            aliases = [a for a, c in lookup.aliases.items() if c == canonical]
            if aliases:
                row.variants.append("enum_alias")
                return rng.choice(aliases)
        return canonical

    def _text(self, rng: random.Random, row: Row, choices: tuple[str, ...]) -> str:
        t = rng.choice(choices)
        if "{" in t:
            t = t.format(d=DIVISION_NAMES[row.subject.division], s=rng.choice(self.pool.streets),
                         t=rng.choice(self.pool._trade), y=row.decision.year, n=rng.randint(1, 30))
        return t

    def _force(self, rng: random.Random, row: Row, column: str) -> str:
        """A value for a conditional field whose condition holds."""
        fmt = self._forced.get(column)
        if fmt is None:
            fmt = self._forced[column] = self._formatter(self.rt.field(column), force=True)
        return fmt(rng, row) or "/"

    def _formatter(self, f: FieldSpec, force: bool = False):
        """A function (rng, row) → the field's text, '' when not sent."""
        c = f.column
        optional = f.required != "Y" and not force
        p_fill = self.fill.get(c, 1.0)

        def maybe(inner):
            if not optional:
                return inner

            def wrapped(rng, row):
                return inner(rng, row) if rng.random() < p_fill else ""
            return wrapped

        special = getattr(self, f"_col_{c}", None)
        if special is not None:
            return special if c in ("remarks",) or not optional or f.required == "C" else maybe(special)
        if f.required == "C" and not force:
            return lambda rng, row: ""  # filled by the condition pass when it holds
        return maybe(self._generic(f))

    # --- generic values by type and name ----------------------------------------------------------

    def _generic(self, f: FieldSpec):
        c, name = f.column, f.name_zh
        if f.type == "enum":
            lookup = self.lookups[f.lookup]
            values = lookup.values
            pick = Weighted(values, _enum_weights(f.lookup, values))

            def enum_value(rng, row):
                if lookup.multi and rng.random() < 0.3 and len(values) > 1:
                    chosen = rng.sample(values, 2)
                    row.canon[c] = chosen
                    return "、".join(chosen)
                v = pick(rng)
                row.canon[c] = [v] if lookup.multi else v
                if c == "list_action":
                    row.removal = v == "移出"
                return self._enum_text(rng, f.lookup, v, row, store=None)
            return enum_value
        if f.type == "date":
            return lambda rng, row: self.fmt_date(rng, _related_date(rng, c, row))
        if f.type == "amount_wan_yuan":
            hi = f.max_value or 100000

            def amount(rng, row):
                return wan(min(yuan_amount(rng, 500, 2_000_000), hi))
            return amount
        if f.type in ("integer", "decimal"):
            lo = f.min_value if f.min_value is not None else 0
            hi = f.max_value if f.max_value is not None else lo + 100

            def number(rng, row):
                if "year" in c:
                    return str(int(min(max(row.decision.year - 1, lo), hi)))
                top = min(hi, lo + (100 if "score" in c or "percent" in c else 60))
                if f.type == "integer":
                    return str(rng.randint(int(lo), int(max(lo, top))))
                low = max(lo, top * 0.55) if "score" in c else lo
                return f"{rng.uniform(low, top):.1f}"
            return number
        if f.type == "uscc":
            def other_uscc(rng, row):
                other = self.pool.draw(rng, "company")
                return other.uscc or make_uscc("91", other.division, other.org_code[:8])
            return other_uscc
        if f.type == "id_number":
            return lambda rng, row: self.pool.draw(rng, "natural_person").id_number
        if f.pattern:
            pattern = re.compile(f.pattern)

            def patterned(rng, row):
                for _ in range(20):
                    v = sample_pattern(rng, f.pattern)
                    if pattern.search(v) and (not f.max_length or len(v) <= f.max_length):
                        return v
                return ""
            return patterned
        if f.type == "code":
            limit = f.max_length or 40

            def code(rng, row):
                head = "".join(rng.choice("ABCDEFGHJKLMNPQRTUWXY") for _ in range(2))
                return (f"{head}{row.subject.division}{row.decision.year}{rng.randrange(10**5):05d}")[:limit]
            return code
        choices = vocab.COLUMN_TEXT.get(c)
        if choices:
            return lambda rng, row: self._text(rng, row, choices)
        return lambda rng, row: _generic_text(rng, name, row, self)

    # --- dedicated columns --------------------------------------------------------------------------

    def _col_decision_number(self, rng, row):
        return row.decision_number

    def _col_decision_date(self, rng, row):
        return self.fmt_date(rng, row.decision)

    def _col_valid_until(self, rng, row):
        d = row.valid_until
        if d is None:
            return ""
        if d == NO_END:
            row.variants.append("valid_until_no_end")
        return self.fmt_date(rng, d)

    def _col_publicity_until(self, rng, row):
        if row.valid_until is None or row.valid_until == NO_END:
            return ""
        return self.fmt_date(rng, row.valid_until)

    def _col_valid_from(self, rng, row):
        return self.fmt_date(rng, row.valid_from or row.decision)

    def _col_authority_name(self, rng, row):
        return self.sector.departments[row.dept_index].name_zh

    def _col_authority_uscc(self, rng, row):
        return self.sector.departments[row.dept_index].uscc

    _col_source_department = _col_authority_name
    _col_source_department_uscc = _col_authority_uscc

    def _col_remarks(self, rng, row):
        tracer = f"SIM:{row.sim_id}"
        return tracer if rng.random() < 0.75 else f"{rng.choice(_REMARK_TEXT)} {tracer}"

    # penalties
    def _col_violation_type(self, rng, row):
        row.violation = rng.choice(self.violations)
        return row.violation[0]

    def _col_violation_facts(self, rng, row):
        v = row.violation or self.violations[0]
        return f"经查，当事人于{row.decision.year}年{rng.randint(1, 12)}月{v[2]}，违反了{v[1].split('》')[0]}》的规定。"

    def _col_legal_basis(self, rng, row):
        if self.layout == "act":
            return vocab.ACTS.get(self.rt.act_kind or "", ("", "", "《中华人民共和国行政许可法》"))[2]
        v = row.violation or self.violations[0]
        return v[1]

    def _col_penalty_types(self, rng, row):
        types = list(row.penalty_types)
        row.canon["penalty_types"] = types
        if set(types) == {"没收违法所得", "没收非法财物"} or ("没收违法所得" in types and "没收非法财物" in types and rng.random() < 0.5):
            pass
        if rng.random() < 0.06:
            row.variants.append("enum_alias")
            alias = {"罚款": "处罚款", "吊销许可证件": "吊销执照", "责令停产停业": "责令停业", "暂扣许可证件": "暂扣许可证"}
            types = [alias.get(t, t) for t in types]
        sep = "、" if rng.random() < 0.85 else rng.choice((",", "；", ";"))
        return sep.join(types)

    def _col_penalty_content(self, rng, row):
        parts = []
        for t in row.penalty_types:
            if t == "罚款" and row.fine is not None:
                parts.append(f"罚款人民币{_yuan_text(row.fine)}")
            elif t == "没收违法所得" and row.confiscated is not None:
                parts.append(f"没收违法所得{_yuan_text(row.confiscated)}")
            elif t == "警告":
                parts.append("给予警告")
            else:
                parts.append(t)
        return "，".join(parts) + "。"

    def _col_fine_wan_yuan(self, rng, row):
        if row.fine is not None:
            return wan(row.fine)
        return "0" if rng.random() < 0.15 else ""

    def _col_confiscated_wan_yuan(self, rng, row):
        if row.confiscated is not None:
            return wan(row.confiscated)
        return ""

    def _col_licence_revoked(self, rng, row):
        if {"吊销许可证件", "暂扣许可证件"} & set(row.penalty_types):
            return f"《{rng.choice(self.licence_names)}》（编号{row.subject.division}{rng.randrange(10**6):06d}）"
        return ""

    def _col_misconduct_severity(self, rng, row):
        sev = row.severity or _SEVERITY_OTHER(rng)
        return self._enum_text(rng, "misconduct_severity", sev, row)

    # licences
    def _col_licence_document_name(self, rng, row):
        return f"{row.licence_name}准予行政许可决定书" if rng.random() < 0.7 else "准予行政许可决定书"

    def _col_licence_category(self, rng, row):
        cat = _LICENCE_CATEGORY(rng)
        return self._enum_text(rng, "licence_category", cat, row)

    def _col_licence_certificate_name(self, rng, row):
        return row.licence_name

    def _col_licence_number(self, rng, row):
        return f"{row.subject.division}{row.decision.year}{rng.randrange(10**6):06d}"

    def _col_licence_content(self, rng, row):
        return f"准予{row.licence_name.replace('证书', '').replace('证', '')}，{rng.choice(('经营范围详见许可证', '许可期限内有效', '按核定范围从事经营活动'))}"

    def _col_licence_status(self, rng, row):
        status = "有效" if row.valid_until and row.valid_until >= self.as_of else "无效"
        if status == "有效" and rng.random() < 0.03:
            status = "无效"
        return self._enum_text(rng, "licence_status", status, row, alias_p=0.1)

    # acts
    def _col_act_name(self, rng, row):
        m = re.search(r"（(.+)）", self.rt.name_zh)
        return m.group(1) if m else vocab.ACTS.get(self.rt.act_kind or "", (self.rt.name_zh,))[0]

    def _col_act_content(self, rng, row):
        base = vocab.ACTS.get(self.rt.act_kind or "", ("", "依法作出行政行为", ""))[1]
        return f"{base}（{row.decision.year}年第{rng.randint(1, 40)}批）"

    def _col_amount_wan_yuan(self, rng, row):
        return wan(row.amount or yuan_amount(rng))

    # sector-specific columns with meaning the generic path cannot guess
    def _col_list_action(self, rng, row):
        action = "移出" if rng.random() < 0.2 else "列入"
        row.canon["list_action"] = action
        row.removal = action == "移出"
        return self._enum_text(rng, "list_action", action, row, store=None)

    def _col_listing_date(self, rng, row):
        d = row.decision - dt.timedelta(days=rng.randint(200, 900)) if row.removal else row.decision
        return self.fmt_date(rng, d)

    def _col_removal_date(self, rng, row):
        return self.fmt_date(rng, row.decision) if row.removal else ""

    def _col_is_permanent(self, rng, row):
        v = "是" if rng.random() < 0.15 else "否"
        row.canon["is_permanent"] = v
        return self._enum_text(rng, "yes_no", v, row, store=None)

    def _col_ban_start_date(self, rng, row):
        return self.fmt_date(rng, row.decision)

    def _col_ban_end_date(self, rng, row):
        if row.canon.get("is_permanent") == "是":
            return ""
        return self.fmt_date(rng, _add_months(row.decision, rng.choice((12, 24, 36))))

    def _col_qualification_type(self, rng, row):
        v = rng.choice(self.lookups["construction_qualification_type"].values)
        row.canon["qualification_type"] = v
        return self._enum_text(rng, "construction_qualification_type", v, row, store=None)

    def _col_qualification_name(self, rng, row):
        names = _QUALIFICATION_NAMES.get(str(row.canon.get("qualification_type")), ("建筑工程施工总承包",))
        return rng.choice(names)

    def _col_expert_sanction(self, rng, row):
        v = rng.choice(self.lookups["expert_sanction"].values)
        row.canon["expert_sanction"] = v
        return self._enum_text(rng, "expert_sanction", v, row, store=None)

    def _col_occupation(self, rng, row):
        lookup = self.lookups.get("key_occupation")
        prof = row.subject.profession
        v = prof if lookup and prof in lookup.values else (lookup.values[-1] if lookup else prof)
        row.canon["occupation"] = v
        return self._enum_text(rng, "key_occupation", v, row, store=None)

    def _col_certificate_number(self, rng, row):
        if self.rt.code == "construction_qualification":
            return f"D{rng.choice((1, 2, 3))}{row.subject.division}{rng.randrange(10**5):05d}"
        return f"{row.subject.division}{row.decision.year - rng.randint(0, 15)}{rng.randrange(10**7):07d}"

    def _col_vehicle_plate(self, rng, row):
        return "鄂B" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))

    def _col_arrears_from_month(self, rng, row):
        d = _add_months(row.decision, -rng.randint(2, 30))
        return f"{d.year}{rng.choice(('-', '', '/'))}{d.month:02d}"

    def _col_store_url(self, rng, row):
        return f"https://shop{rng.randrange(10**8, 10**9)}.{rng.choice(('taobao.com', 'jd.com', 'pinduoduo.com'))}"

    def _col_domain_name(self, rng, row):
        return f"www.hs{rng.randrange(10**4, 10**6)}.{rng.choice(('com', 'cn', 'com.cn', 'net'))}"

    def _col_icp_number(self, rng, row):
        if rng.random() < 0.5:
            return f"鄂ICP备{row.decision.year}{rng.randrange(10**6):06d}号-{rng.randint(1, 3)}"
        return f"鄂B2-{row.decision.year}{rng.randrange(10**4):04d}"

    def _col_application_number(self, rng, row):
        return f"{row.decision.year - 1}{rng.choice('123')}{rng.randrange(10**7):07d}.{rng.choice('0123456789X')}"

    def _col_right_number(self, rng, row):
        if rng.random() < 0.5:
            return f"ZL{row.decision.year - 3}{rng.choice('123')}{rng.randrange(10**7):07d}.{rng.randint(0, 9)}"
        return f"{rng.randrange(10**7, 10**8)}"

    _col_patent_number = _col_right_number

    def _col_booth_number(self, rng, row):
        return f"{rng.choice('ABCDE')}{rng.randint(1, 300):03d}"

    def _col_points(self, rng, row):
        v = rng.choice((1, 2, 3, 4, 6, 12))
        row.canon["points"] = v
        return str(v)

    def _col_cumulative_points(self, rng, row):
        return str(int(row.canon.get("points", 1)) + rng.randint(0, 10))

    def _col_suspension_months(self, rng, row):
        return str(rng.choice((3, 6, 12, 24)))

    def _col_recovered_wan_yuan(self, rng, row):
        return wan((row.amount or 1) * rng.uniform(0.3, 1.0))

    def _col_fund_involved_wan_yuan(self, rng, row):
        return wan(row.amount or 1)

    _col_defrauded_wan_yuan = _col_fund_involved_wan_yuan


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    import calendar

    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _related_date(rng: random.Random, column: str, row: Row) -> dt.date:
    """A date field other than the decision / validity dates: a little before the decision."""
    if "end" in column or "until" in column:
        return _add_months(row.decision, rng.choice((12, 24, 36)))
    if "start" in column or "listing" in column or "pledge" in column:
        return row.decision
    return row.decision - dt.timedelta(days=rng.randint(5, 60))


def _yuan_text(wan_value: float) -> str:
    yuan = round(wan_value * 10000)
    return f"{wan(wan_value)}万元" if yuan >= 10000 and yuan % 1000 == 0 else f"{yuan}元"


def _enum_weights(lookup: str, values: tuple[str, ...]) -> list[float]:
    skew = {
        "tax_credit_grade": {"A": 20, "B": 45, "M": 20, "C": 10, "D": 5},
        "yes_no": {"是": 40, "否": 60},
        "misconduct_severity": {"一般": 70, "严重": 20, "轻微": 10},
        "licence_status": {"有效": 85, "无效": 15},
        "list_action": {"列入": 80, "移出": 20},
    }.get(lookup, {})
    return [skew.get(v, 10) if skew else 1 for v in values]


_GENERIC_TEXT = (
    (("事实", "描述", "内容", "行为", "问题", "情况"), ("经核查，{x}存在违规情形", "{x}未按规定履行相关义务", "{x}情节一般，已责令改正")),
    (("事由", "原因", "理由"), ("违反有关规定", "未履行法定义务", "经核实存在失信行为")),
    (("措施", "结论", "结果"), ("责令限期改正", "予以通报", "已处理完毕")),
    (("名称",), ("{t}项目", "{d}{t}工程", "{t}")),
    (("依据",), ("《中华人民共和国行政处罚法》第二十八条", "《优化营商环境条例》第六十九条")),
    (("人", "姓名"), ("{p}",)),
)


def _generic_text(rng: random.Random, name_zh: str, row: Row, builder: RowBuilder) -> str:
    for keys, choices in _GENERIC_TEXT:
        if any(k in name_zh for k in keys):
            t = rng.choice(choices)
            return t.format(x="当事人", t=rng.choice(builder.pool._trade), d=DIVISION_NAMES[row.subject.division],
                            p=builder.pool.person_name(rng))
    return f"{name_zh}：{rng.choice(('见附件', '详见决定书', '已登记'))}"


# --- presentation variants of names and codes ----------------------------------------------------

def _name_variant(rng: random.Random, name: str) -> tuple[str, str]:
    options = []
    if "（" in name or "）" in name:
        options.append("name_halfwidth_brackets")
    if "有限公司" in name and "有限责任公司" not in name and "股份有限公司" not in name:
        options.append("name_ltd_long")
    if "有限责任公司" in name:
        options.append("name_ltd_short")
    options.append("name_space")
    tag = rng.choice(options)
    if tag == "name_halfwidth_brackets":
        return name.replace("（", "(").replace("）", ")"), tag
    if tag == "name_ltd_long":
        return name.replace("有限公司", "有限责任公司"), tag
    if tag == "name_ltd_short":
        return name.replace("有限责任公司", "有限公司"), tag
    i = rng.randint(1, max(1, len(name) - 1))
    return rng.choice((f"{name[:i]} {name[i:]}", f" {name}", f"{name} ", f"{name[:i]}\u3000{name[i:]}")), tag


def _code_variant(rng: random.Random, code: str) -> tuple[str, str]:
    tag = rng.choice(("code_fullwidth", "code_lowercase", "code_hyphen", "code_space"))
    if tag == "code_fullwidth":
        return to_fullwidth(code), tag
    if tag == "code_lowercase":
        return code.lower(), tag
    if tag == "code_hyphen":
        return f"{code[:2]}-{code[2:8]}-{code[8:17]}-{code[17]}", tag
    return f"{code[:6]} {code[6:12]} {code[12:]}", tag


def _id_variant(rng: random.Random, number: str, row: Row, tag: bool) -> str:
    r = rng.random()
    if number.startswith("19", 6) and r < 0.05:
        if tag:
            row.variants.append("id_15_digit")
        return id_to_15(number)
    if number.endswith("X") and r < 0.35:
        if tag:
            row.variants.append("id_lowercase_x")
        return number[:-1] + "x"
    return number
