"""The quarterly random-inspection draw (双随机、一公开), in set-based SQL.

Inputs: the sampling frame ``marts.mart_supervision__inspection_frame`` (every subject that may be
inspected, its stratum — its grade, or ``serious_list`` — and the department that would inspect
it), the ratios, rules and roster in ``ref_config.inspection_*`` (from ``config/inspection.yaml``),
and the plans already drawn (``supervision.inspection_plan*``, the plan history).

The draw, per stratum: target = round(ratio × population), rounded half up; subjects inspected in
the previous N months (planned in an earlier quarter's plan, or with an inspection record) are not
eligible unless their stratum is exempt; the eligible subjects are ordered by
``md5(seed || ':' || subject_id)`` and the first ``target`` taken. Each drawn subject gets
``per_subject`` officers of its department, ordered by ``md5(seed || ':' || subject_id || ':' ||
inspector_id)``. The seed is ``<base seed>:<quarter>`` and is published with the plan, so anyone
can re-run the draw: the same seed and inputs give the identical plan, another quarter a different
one. Re-drawing a quarter replaces its plan.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import psycopg

PLAN_SCHEMA = "supervision"
FRAME = "marts.mart_supervision__inspection_frame"
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")

DRAW_METHOD = (
    "Per stratum (grade, or serious_list): target = round(ratio × population), half up. Subjects planned "
    "in an earlier quarter starting within the last {months} months, or with an inspection record decided "
    "in those months{recorded}, are not eligible unless their stratum is exempt ({exempt}). Eligible "
    "subjects are ordered by md5('{seed}' || ':' || subject_id) ascending (hex text, then subject_id) and "
    "the first target taken. Officers: the subject's department roster ordered by md5('{seed}' || ':' || "
    "subject_id || ':' || inspector_id), the first {per_subject}."
)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, value: str | dt.date) -> "Quarter":
        """'2026Q4', a partition key '2026-10-01', or any date inside the quarter."""
        if isinstance(value, dt.date):
            return cls(value.year, (value.month - 1) // 3 + 1)
        match = _QUARTER.match(value.strip().upper())
        if match:
            return cls(int(match.group(1)), int(match.group(2)))
        return cls.parse(dt.date.fromisoformat(value.strip()))

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = dt.date(self.year + 1, 1, 1) if self.number == 4 else dt.date(self.year, 3 * self.number + 1, 1)
        return nxt - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.label


def current_quarter(today: dt.date | None = None) -> Quarter:
    return Quarter.parse(today or dt.date.today())


PLAN_DDL = (
    f"create schema if not exists {PLAN_SCHEMA}",
    f"""create table if not exists {PLAN_SCHEMA}.inspection_plan (
        quarter text primary key,
        quarter_start date not null,
        quarter_end date not null,
        seed text not null,
        draw_method text not null,
        drawn_at timestamptz not null,
        ratings_rated_at timestamptz,
        ratings_as_of date,
        config_hash text not null,
        frame_subjects integer not null,
        frame_digest text not null,
        strata jsonb not null,
        subjects_selected integer not null
    )""",
    f"""create table if not exists {PLAN_SCHEMA}.inspection_plan_subject (
        quarter text not null references {PLAN_SCHEMA}.inspection_plan (quarter) on delete cascade,
        subject_id text not null,
        stratum text not null,
        grade text,
        score numeric,
        department_code text,
        department_name_zh text,
        draw_rank integer not null,
        draw_key text not null,
        inspectors jsonb not null,
        primary key (quarter, subject_id)
    )""",
    f"create index if not exists inspection_plan_subject_subject_idx on {PLAN_SCHEMA}.inspection_plan_subject (subject_id)",
)


def ensure_plan_tables(conn: psycopg.Connection) -> None:
    for statement in PLAN_DDL:
        conn.execute(statement)


SELECT_SQL = f"""
with params as (
    select %(quarter)s::text as quarter,
           %(seed)s::text as seed,
           %(quarter_start)s::date as quarter_start,
           (%(quarter_start)s::date - make_interval(months => p.not_inspected_within_months))::date as recent_from,
           p.count_recorded_inspections,
           p.exempt_strata,
           p.inspectors_per_subject
    from ref_config.inspection_param as p
),

frame as (

    select * from {FRAME}

),

population as (

    select stratum, count(*) as population from frame group by stratum

),

targets as (

    -- numeric round() is half away from zero: half up for these non-negative products
    select ratio.stratum, ratio.ratio, coalesce(population.population, 0) as population,
           round(ratio.ratio * coalesce(population.population, 0))::integer as target
    from ref_config.inspection_ratio as ratio
    left join population using (stratum)

),

recently_planned as (

    select plan_subject.subject_id
    from {PLAN_SCHEMA}.inspection_plan_subject as plan_subject
    join {PLAN_SCHEMA}.inspection_plan as plan using (quarter)
    cross join params
    where plan.quarter_start < params.quarter_start
      and plan.quarter_start >= params.recent_from

),

recently_recorded as (

    select record.subject_id
    from core.fct_credit_record as record
    cross join params
    where params.count_recorded_inspections
      and record.act_kind = 'inspection'
      and record.is_current_version
      and record.decision_date >= params.recent_from
      and record.decision_date < params.quarter_start

),

eligible as (

    select frame.*, md5(params.seed || ':' || frame.subject_id) as draw_key
    from frame
    cross join params
    where frame.stratum = any(params.exempt_strata)
       or (not exists (select 1 from recently_planned as r where r.subject_id = frame.subject_id)
           and not exists (select 1 from recently_recorded as r where r.subject_id = frame.subject_id))

),

ranked as (

    select eligible.*,
           row_number() over (partition by stratum order by draw_key, subject_id) as draw_rank,
           count(*) over (partition by stratum) as eligible_count
    from eligible

),

selected as (

    select ranked.*
    from ranked
    join targets using (stratum)
    where ranked.draw_rank <= targets.target

),

picks as (

    select selected.subject_id, roster.inspector_id, roster.name_zh, roster.badge_number,
           row_number() over (
               partition by selected.subject_id
               order by md5(params.seed || ':' || selected.subject_id || ':' || roster.inspector_id), roster.inspector_id
           ) as pick
    from selected
    join ref_config.inspector as roster on roster.department_code = selected.department_code
    cross join params

),

teams as (

    select picks.subject_id,
           jsonb_agg(jsonb_build_object('inspector_id', picks.inspector_id, 'name', picks.name_zh,
                                        'badge_number', picks.badge_number) order by picks.pick) as inspectors
    from picks
    cross join params
    where picks.pick <= params.inspectors_per_subject
    group by picks.subject_id

)
"""

INSERT_SUBJECTS_SQL = SELECT_SQL + f"""
insert into {PLAN_SCHEMA}.inspection_plan_subject
    (quarter, subject_id, stratum, grade, score, department_code, department_name_zh, draw_rank, draw_key, inspectors)
select params.quarter, selected.subject_id, selected.stratum, selected.grade, selected.score,
       selected.department_code, selected.department_name_zh, selected.draw_rank, selected.draw_key,
       coalesce(teams.inspectors, '[]'::jsonb)
from selected
cross join params
left join teams using (subject_id)
"""

STRATA_SQL = SELECT_SQL + """
select targets.stratum, targets.ratio, targets.population, targets.target,
       coalesce((select max(eligible_count) from ranked where ranked.stratum = targets.stratum), 0) as eligible,
       (select count(*) from selected where selected.stratum = targets.stratum) as selected
from targets
order by targets.stratum
"""

FRAME_SQL = f"""
select count(*),
       md5(coalesce(string_agg(subject_id || ':' || stratum || ':' || coalesce(department_code, ''), ','
                               order by subject_id), '')),
       max(rated_at), max(rated_as_of)
from {FRAME}
"""


@dataclass(frozen=True)
class PlanSummary:
    quarter: str
    seed: str
    frame_subjects: int
    subjects_selected: int
    strata: list[dict]


def draw_plan(conn: psycopg.Connection, quarter: str | dt.date | Quarter) -> PlanSummary:
    """Draw (or re-draw) the plan of ``quarter`` and store it in supervision.inspection_plan*."""
    q = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    ensure_plan_tables(conn)
    param = conn.execute(
        "select base_seed, not_inspected_within_months, count_recorded_inspections, exempt_strata, "
        "inspectors_per_subject, config_hash from ref_config.inspection_param").fetchone()
    if param is None:
        raise RuntimeError("ref_config.inspection_param is empty: install the configuration first "
                           "(credit.ratings.config.install_rating_config)")
    base_seed, months, recorded, exempt, per_subject, config_hash = param
    seed = f"{base_seed}:{q.label}"
    params = {"quarter": q.label, "seed": seed, "quarter_start": q.start}
    with conn.transaction():
        conn.execute(f"delete from {PLAN_SCHEMA}.inspection_plan where quarter = %s", (q.label,))
        frame_subjects, frame_digest, rated_at, as_of = conn.execute(FRAME_SQL).fetchone()
        strata_rows = conn.execute(STRATA_SQL, params).fetchall()
        strata = [
            {"stratum": s, "ratio": float(r), "population": p, "target": t, "eligible": e, "selected": n,
             "shortfall": t - n}
            for s, r, p, t, e, n in strata_rows
        ]
        method = DRAW_METHOD.format(
            months=months, seed=seed, per_subject=per_subject, exempt=", ".join(exempt) or "none",
            recorded=" (act kind inspection)" if recorded else " (not counted)")
        selected = sum(s["selected"] for s in strata)
        conn.execute(
            f"""insert into {PLAN_SCHEMA}.inspection_plan
                (quarter, quarter_start, quarter_end, seed, draw_method, drawn_at, ratings_rated_at,
                 ratings_as_of, config_hash, frame_subjects, frame_digest, strata, subjects_selected)
                values (%s, %s, %s, %s, %s, now(), %s, %s, %s, %s, %s, %s::jsonb, %s)""",
            (q.label, q.start, q.end, seed, method, rated_at, as_of, config_hash, frame_subjects,
             frame_digest, _json(strata), selected))
        conn.execute(INSERT_SUBJECTS_SQL, params)
    conn.commit()
    return PlanSummary(q.label, seed, frame_subjects, selected, strata)


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
