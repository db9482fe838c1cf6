"""The simulated population of credit subjects in Huangshi.

Built once per (seed, size) from small pools (Faker zh_CN names and company words, combined by the
seeded RNG), so 300,000 subjects take seconds and never need a Faker call per subject.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker
from faker.providers.company.zh_CN import Provider as _CompanyProvider
from faker.providers.person.zh_CN import Provider as _PersonProvider

from ingest_connectors.simulator.identifiers import (
    DIVISION_NAMES, HUANGSHI_DIVISIONS, USCC_ALPHABET, Weighted, make_id_number,
    make_registration_number, make_uscc, org_code_check,
)

SUBJECT_TYPES = ("company", "self_employed", "social_org", "public_institution", "natural_person")
#: 行政相对人类别 (canonical value of lookup ``subject_category``) per subject type.
SUBJECT_CATEGORY = {
    "company": "法人及非法人组织",
    "social_org": "法人及非法人组织",
    "public_institution": "法人及非法人组织",
    "self_employed": "个体工商户",
    "natural_person": "自然人",
}
_TYPE_SHARES = (
    ("company", 0.55), ("self_employed", 0.22), ("natural_person", 0.15),
    ("social_org", 0.04), ("public_institution", 0.04),
)
_DIVISION_WEIGHTS = (20, 15, 15, 6, 19, 25)  # same order as HUANGSHI_DIVISIONS

# Characters that make plausible 字号 (trade names) when paired; all in GBK.
_TRADE_CHARS = (
    "华兴宏达鑫盛恒通瑞丰泰安荣昌永隆金源新宇博远天成利民汇德正信晟华楚磁湖东方楚天黄金铜绿"
    "长江港湾明辉伟业和顺佳康宝鼎开元锦程嘉禾中联创亿旺腾飞祥顺益民宏图万家富润"
)
_INDUSTRIES = (
    "科技", "商贸", "建材", "物流", "建筑工程", "机械制造", "食品", "医药", "房地产开发", "矿业",
    "化工", "纺织", "电子", "环保科技", "餐饮管理", "文化传媒", "旅游", "信息技术", "汽车销售",
    "农业发展", "服装", "置业", "劳务", "广告", "会计师事务所", "资产评估", "物业管理", "模具",
    "铸造", "冶金", "钢铁", "水泥", "电力工程", "交通运输", "网络科技", "教育咨询", "酒店管理",
    "生物科技", "新能源", "印刷",
)
_FORMS = (("有限公司", 70), ("有限责任公司", 15), ("股份有限公司", 8), ("厂", 4), ("经营部", 3))
_SHOPS = (
    "小吃店", "五金店", "副食店", "美发店", "餐馆", "便利店", "水果店", "建材经营部", "服装店",
    "烟酒店", "大药房", "汽车修理部", "早餐店", "超市", "茶楼", "家电维修部", "农资店", "热干面馆",
    "手机店", "干洗店", "眼镜店", "母婴店", "粮油店", "诊所", "网吧", "棋牌室",
)
_SOCIAL = (
    ("51", "{p}{w}协会"), ("51", "{p}{w}商会"), ("51", "{p}{w}学会"), ("51", "{p}{w}联合会"),
    ("52", "{p}{t}职业培训学校"), ("52", "{p}{t}养老院"), ("52", "{p}{t}幼儿园"),
    ("52", "{p}{t}社会工作服务中心"), ("53", "{p}{t}慈善基金会"),
)
_SOCIAL_WORDS = (
    "个体劳动者", "建筑业", "餐饮行业", "物流", "青年企业家", "女企业家", "摄影家", "书法家",
    "老年体育", "围棋", "钓鱼", "志愿者", "软件行业", "律师", "注册会计师", "房地产业", "汽车维修",
    "旅游", "模具行业", "收藏家", "温州", "孝感", "浙江", "福建", "医师", "护理", "心理咨询",
)
_PUBLIC = (
    "{p}第{n}中学", "{p}第{n}小学", "{d}人民医院", "{d}中医医院", "{p}{w}研究所", "{p}{w}服务中心",
    "{d}{w}站", "{p}{w}检验检测中心", "{d}疾病预防控制中心", "{p}{w}管理处",
)
_PUBLIC_WORDS = (
    "农业技术推广", "水利", "林业", "城市建设档案", "公共资源交易", "住房公积金", "就业", "社会保险",
    "环境监测", "产品质量监督检验", "计量", "特种设备", "城乡规划", "国土资源", "文化", "广播电视",
    "地震", "气象", "水文", "市政工程", "园林", "殡葬", "医疗保险", "劳动人事争议仲裁",
)
PROFESSIONS = ("医师", "护士", "律师", "公证员", "司法鉴定人", "注册会计师", "建造师", "导游", "药师", "评标专家")


@dataclass(slots=True)
class Subject:
    sid: str
    kind: str
    name: str
    division: str
    uscc: str = ""  # empty: never got a USCC (legacy-only subject)
    reg_no: str = ""  # 15-digit legacy business registration number
    org_code: str = ""  # 9 characters, no hyphen
    id_number: str = ""  # natural persons: 18-digit resident ID
    rep_name: str = ""  # legal representative / operator
    rep_id: str = ""
    cert_no: str = ""  # 事业单位证书号 / 社会组织登记证号
    profession: str = ""  # natural persons
    legacy_only: bool = False

    @property
    def category(self) -> str:
        return SUBJECT_CATEGORY[self.kind]


_pick_division = Weighted(HUANGSHI_DIVISIONS, _DIVISION_WEIGHTS)
_pick_form = Weighted([f for f, _ in _FORMS], [w for _, w in _FORMS])


class SubjectPool:
    """All subjects, grouped by type, with activity weights for drawing record subjects."""

    def __init__(self, seed: int, n_subjects: int):
        self.seed = seed
        rng = random.Random(f"subjects:{seed}:{n_subjects}")
        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        # Pools: a few thousand Faker names, then combinations (no Faker call per subject).
        self._surnames = list(_PersonProvider.last_names)[:200]
        self._given = list(dict.fromkeys(_PersonProvider.first_names))
        self._trade = list(dict.fromkeys(p for p in _CompanyProvider.company_prefixes if len(p) <= 4))
        self._trade += [a + b for a in _TRADE_CHARS for b in _TRADE_CHARS if a != b]
        rng.shuffle(self._trade)
        self.streets = sorted({faker.street_name() for _ in range(400)})
        self.subjects: list[Subject] = []
        self.by_type: dict[str, list[Subject]] = {t: [] for t in SUBJECT_TYPES}
        self._cum: dict[str, list[float]] = {}
        self._names: set[str] = set()
        self._codes: set[str] = set()
        self._ids: set[str] = set()
        counts = self._type_counts(n_subjects)
        serial = 0
        for kind, count in counts:
            make = getattr(self, f"_make_{kind}")
            for _ in range(count):
                serial += 1
                subject = make(rng, f"S{serial:07d}")
                self.subjects.append(subject)
                self.by_type[kind].append(subject)
        # Activity: a few subjects collect many records, most only a few (Pareto weights).
        for kind, subjects in self.by_type.items():
            total, cum = 0.0, []
            for _ in subjects:
                total += min(rng.paretovariate(1.3), 60.0)
                cum.append(total)
            self._cum[kind] = cum

    @staticmethod
    def _type_counts(n: int) -> list[tuple[str, int]]:
        counts = [(kind, max(1, round(n * share))) for kind, share in _TYPE_SHARES]
        return counts

    # --- drawing ------------------------------------------------------------------------------

    def draw(self, rng: random.Random, kind: str) -> Subject:
        from bisect import bisect_right

        cum = self._cum[kind]
        i = bisect_right(cum, rng.random() * cum[-1])
        return self.by_type[kind][min(i, len(cum) - 1)]

    # --- people -------------------------------------------------------------------------------

    def person_name(self, rng: random.Random) -> str:
        return rng.choice(self._surnames) + rng.choice(self._given)

    @staticmethod
    def _ord(year: int) -> int:
        return dt.date(year, 1, 1).toordinal()

    def person_id(self, rng: random.Random, birth_years: tuple[int, int] = (1955, 2002)) -> str:
        while True:
            birth = dt.date.fromordinal(self._ord(birth_years[0]) + int(rng.random() * (self._ord(birth_years[1] + 1) - self._ord(birth_years[0]))))
            number = make_id_number(_pick_division(rng), birth, rng.randrange(1, 1000))
            if number not in self._ids:
                self._ids.add(number)
                return number

    # --- organisations ------------------------------------------------------------------------

    def _unique_name(self, rng: random.Random, build) -> str:
        for attempt in range(50):
            name = build()
            if name not in self._names:
                self._names.add(name)
                return name
        name = f"{build()}{rng.randrange(10, 100)}"
        self._names.add(name)
        return name

    def _org_body(self, rng: random.Random, prefix: str, legacy: bool) -> str:
        if legacy:
            return f"{rng.randrange(10**8):08d}"
        return prefix + "".join(rng.choices(USCC_ALPHABET, k=8 - len(prefix)))

    def _identify(self, rng: random.Random, s: Subject, head: str, new_prefix: str,
                  p_legacy: float, p_legacy_only: float, reg_type_digit: str) -> None:
        legacy = rng.random() < p_legacy
        for _ in range(100):
            body = self._org_body(rng, new_prefix, legacy)
            uscc = make_uscc(head, s.division, body)
            if uscc not in self._codes:
                break
        self._codes.add(uscc)
        s.org_code = body + org_code_check(body)
        s.uscc = uscc
        if legacy:
            s.reg_no = make_registration_number(
                s.division, f"{reg_type_digit}{rng.randrange(10**7):07d}")
            if rng.random() < p_legacy_only:
                s.uscc, s.legacy_only = "", True

    def _make_company(self, rng: random.Random, sid: str) -> Subject:
        division = _pick_division(rng)

        def build() -> str:
            trade, industry = rng.choice(self._trade), rng.choice(_INDUSTRIES)
            form = _pick_form(rng)
            r = rng.random()
            if r < 0.18:
                return f"{trade}（黄石）{industry}{form}"
            if r < 0.26:
                return f"湖北{trade}{industry}{form}（{DIVISION_NAMES[division]}分公司）"
            place = rng.choice(("黄石", "黄石市", "黄石", DIVISION_NAMES[division][:2] if division in
                                ("420222", "420281") else "黄石", "湖北"))
            return f"{place}{trade}{industry}{form}"

        s = Subject(sid, "company", self._unique_name(rng, build), division)
        self._identify(rng, s, "91", "MA4", p_legacy=0.45, p_legacy_only=0.01, reg_type_digit="0")
        s.rep_name, s.rep_id = self.person_name(rng), self.person_id(rng, (1955, 1995))
        return s

    def _make_self_employed(self, rng: random.Random, sid: str) -> Subject:
        division = _pick_division(rng)
        operator = self.person_name(rng)

        def build() -> str:
            shop = rng.choice(_SHOPS)
            r = rng.random()
            if r < 0.45:
                return f"{DIVISION_NAMES[division]}{operator}{shop}"
            if r < 0.85:
                return f"{DIVISION_NAMES[division]}{rng.choice(self._trade)}{shop}"
            return f"{DIVISION_NAMES[division]}{rng.choice(self.streets)}{rng.choice(self._trade)}{shop}"

        s = Subject(sid, "self_employed", self._unique_name(rng, build), division)
        self._identify(rng, s, "92", "MA4", p_legacy=0.40, p_legacy_only=0.06, reg_type_digit="6")
        s.rep_name, s.rep_id = operator, self.person_id(rng, (1960, 2000))
        return s

    def _make_social_org(self, rng: random.Random, sid: str) -> Subject:
        division = _pick_division(rng)
        head, pattern = rng.choice(_SOCIAL)
        place = "黄石市" if rng.random() < 0.7 else DIVISION_NAMES[division]

        def build() -> str:
            return pattern.format(p=place, w=rng.choice(_SOCIAL_WORDS), t=rng.choice(self._trade))

        s = Subject(sid, "social_org", self._unique_name(rng, build), division)
        self._identify(rng, s, head, "MJ", p_legacy=0.3, p_legacy_only=0.0, reg_type_digit="0")
        s.reg_no = ""  # social organisations have no business registration number
        s.cert_no = f"鄂黄{'社' if head == '51' else '民' if head == '52' else '基'}证字第{rng.randrange(1, 3000):04d}号"
        s.rep_name, s.rep_id = self.person_name(rng), self.person_id(rng, (1950, 1990))
        return s

    def _make_public_institution(self, rng: random.Random, sid: str) -> Subject:
        division = _pick_division(rng)
        pattern = rng.choice(_PUBLIC)
        place = "黄石市" if rng.random() < 0.6 else DIVISION_NAMES[division]

        def build() -> str:
            return pattern.format(p=place, d=DIVISION_NAMES[division], w=rng.choice(_PUBLIC_WORDS),
                                  n=rng.choice("一二三四五六七八九十") if rng.random() < 0.7 else
                                  "十" + rng.choice("一二三四五六七八九"))

        s = Subject(sid, "public_institution", self._unique_name(rng, build), division)
        self._identify(rng, s, "12", "", p_legacy=1.0, p_legacy_only=0.03, reg_type_digit="0")
        s.reg_no = ""
        s.cert_no = f"1{division}{rng.randrange(10**5):05d}"
        s.rep_name, s.rep_id = self.person_name(rng), self.person_id(rng, (1955, 1985))
        return s

    def _make_natural_person(self, rng: random.Random, sid: str) -> Subject:
        name = self.person_name(rng)
        number = self.person_id(rng)
        s = Subject(sid, "natural_person", name, number[:6], id_number=number)
        s.profession = rng.choice(PROFESSIONS)
        return s
