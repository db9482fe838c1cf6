"""The rating report: score and grade distributions overall, per sector and per district, sector
ratings, grade changes, the latest inspection plan and the integrity candidates — one static HTML
page with inline SVG charts (readable offline, like the quality report).

Everything is aggregated in the database; only summary rows come back to Python.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import jinja2
import psycopg

from credit import warehouse
from credit.reports.charts import bar_chart

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Colours of the grades, best first; grades beyond four reuse the last.
GRADE_COLOURS = ("#4b8b3b", "#3b6ea8", "#d9a441", "#b5543c", "#7a2e1f", "#555555")

SUMMARY_SQL = """
select count(*) as subjects,
       round(avg(score), 1) as mean_score,
       count(*) filter (where is_serious_listed) as serious_listed,
       count(*) filter (where cap_key is not null) as capped,
       max(rated_as_of) as rated_as_of,
       max(rated_at) as rated_at,
       max(model_version) as model_version
from marts.mart_rating__current
"""

BANDS_SQL = "select grade, name_zh, grade_rank, min_score, max_score from ref_config.rating_grade_band order by grade_rank"

GRADES_SQL = """
select grade, count(*) as subjects from marts.mart_rating__current group by grade
"""

HISTOGRAM_SQL = """
select least(floor(score / 50) * 50, 950)::integer as bin, count(*) as subjects
from marts.mart_rating__current
group by 1 order by 1
"""

BY_KIND_SQL = """
select s.subject_kind as label, r.grade, count(*) as subjects, round(avg(r.score), 1) as mean_score
from marts.mart_rating__current r join core.dim_credit_subject s using (subject_id)
group by 1, 2
"""

BY_DISTRICT_SQL = """
select coalesce(d.name_zh, s.division_code, '(unknown)') as label, r.grade, count(*) as subjects,
       round(avg(r.score), 1) as mean_score
from marts.mart_rating__current r
join core.dim_credit_subject s using (subject_id)
left join ref_config.rating_district d on d.division_code = s.division_code
group by 1, 2
"""

BY_SECTOR_SQL = """
with subject_sectors as (
    select distinct subject_id, sector_slug
    from core.fct_credit_record
    where is_current_version and subject_id is not null
),
sector_names as (
    select distinct sector_slug, sector_name_zh, sector_number from ref.ref_feed
)
select n.sector_name_zh || ' ' || n.sector_slug as label, min(n.sector_number) as sort_key, r.grade,
       count(*) as subjects, round(avg(r.score), 1) as mean_score
from subject_sectors ss
join marts.mart_rating__current r using (subject_id)
join sector_names n using (sector_slug)
group by 1, r.grade
"""

SECTOR_MODELS_SQL = """
select model_name_zh as label, sector_grade as grade, count(*) as subjects,
       round(avg(sector_score), 1) as mean_score
from marts.mart_rating__sector
group by 1, 2
"""

SECTOR_SOURCE_SQL = """
select g.model_name_zh, g.source_grade, count(*) as subjects, min(m.grade_position) as position,
       min(g.common_score) as common_score
from marts.mart_rating__sector_grade g
left join ref_config.sector_grade_map m on m.model_key = g.model_key and m.source_grade = g.source_grade
where g.model_key is not null
group by 1, 2 order by 1, 4
"""

DIMENSIONS_SQL = """
select d.dimension_key, d.name_zh, d.weight,
       round(avg(coalesce((r.dimension_points ->> d.dimension_key)::numeric, 0)), 2) as mean_points,
       count(*) filter (where coalesce((r.dimension_points ->> d.dimension_key)::numeric, 0) <> 0) as subjects_moved
from ref_config.rating_dimension d cross join marts.mart_rating__current r
group by d.dimension_key, d.name_zh, d.weight, d.position
order by d.position
"""

CAPS_SQL = """
select coalesce(cap_name_zh, cap_key) as cap, cap_max_grade, count(*) as subjects
from marts.mart_rating__current where cap_key is not null group by 1, 2 order by 3 desc
"""

CHANGES_SQL = """
select change_kind, count(*) as changes, max(changed_at) as last_changed_at
from marts.mart_rating__history group by 1 order by 1
"""

RECENT_CHANGES_SQL = """
select change_id, subject_id, change_kind, previous_grade, grade, score, explanation, changed_at
from marts.mart_rating__history
where change_kind <> 'initial'
order by change_id desc limit 20
"""

PLAN_SQL = """
select quarter, seed, drawn_at, frame_subjects, subjects_selected, strata, draw_method
from supervision.inspection_plan order by quarter_start desc limit 1
"""

PLANS_SQL = """
select quarter, seed, subjects_selected, drawn_at from supervision.inspection_plan order by quarter_start
"""

CANDIDATES_SQL = """
select c.subject_id, s.canonical_name, c.grade, c.score, c.reasons
from marts.mart_supervision__integrity_candidate c
left join core.dim_credit_subject s using (subject_id)
order by c.score desc, c.subject_id limit 30
"""

CANDIDATE_COUNT_SQL = "select count(*) from marts.mart_supervision__integrity_candidate"


def _fetch(conn: psycopg.Connection, query: str) -> list[dict]:
    cur = conn.execute(query)
    names = [c.name for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def _pivot(rows: list[dict], grades: list[str], sort_key=None) -> list[dict]:
    """Rows of (label, grade, subjects, mean_score) → one row per label with counts per grade."""
    table: dict[str, dict] = {}
    for r in rows:
        entry = table.setdefault(r["label"], {"label": r["label"], "counts": {g: 0 for g in grades}, "subjects": 0,
                                              "score_sum": 0.0, "sort_key": r.get("sort_key")})
        entry["counts"][r["grade"]] = entry["counts"].get(r["grade"], 0) + r["subjects"]
        entry["subjects"] += r["subjects"]
        entry["score_sum"] += float(r["mean_score"] or 0) * r["subjects"]
    for entry in table.values():
        entry["mean_score"] = entry["score_sum"] / entry["subjects"] if entry["subjects"] else 0.0
        entry["shares"] = {g: (entry["counts"].get(g, 0) / entry["subjects"] if entry["subjects"] else 0.0)
                           for g in grades}
    ordered = sorted(table.values(), key=sort_key or (lambda e: e["label"]))
    return ordered


def gather(location: warehouse.WarehouseLocation) -> dict:
    with warehouse.connect(location) as conn:
        if not _exists(conn, "marts.mart_rating__current") or not _exists(conn, "ref_config.rating_grade_band"):
            return {"available": False, "generated_at": _now(), "warehouse": location.describe()}
        bands = _fetch(conn, BANDS_SQL)
        grades = [b["grade"] for b in bands]
        summary = _fetch(conn, SUMMARY_SQL)[0]
        grade_counts = {r["grade"]: r["subjects"] for r in _fetch(conn, GRADES_SQL)}
        data = {
            "available": True,
            "generated_at": _now(),
            "warehouse": location.describe(),
            "bands": bands,
            "grades": grades,
            "summary": summary,
            "grade_counts": grade_counts,
            "histogram": _fetch(conn, HISTOGRAM_SQL),
            "by_kind": _pivot(_fetch(conn, BY_KIND_SQL), grades),
            "by_district": _pivot(_fetch(conn, BY_DISTRICT_SQL), grades),
            "by_sector": _pivot(_fetch(conn, BY_SECTOR_SQL), grades,
                                sort_key=lambda e: (e["sort_key"] or 0, e["label"])),
            "sector_models": _pivot(_fetch(conn, SECTOR_MODELS_SQL), grades),
            "sector_sources": _fetch(conn, SECTOR_SOURCE_SQL),
            "dimensions": _fetch(conn, DIMENSIONS_SQL),
            "caps": _fetch(conn, CAPS_SQL),
            "changes": _fetch(conn, CHANGES_SQL) if _exists(conn, "marts.mart_rating__history") else [],
            "recent_changes": _fetch(conn, RECENT_CHANGES_SQL) if _exists(conn, "marts.mart_rating__history") else [],
            "plan": None,
            "plans": [],
            "candidates": [],
            "candidate_count": 0,
        }
        if _exists(conn, "supervision.inspection_plan"):
            plans = _fetch(conn, PLAN_SQL)
            data["plan"] = plans[0] if plans else None
            data["plans"] = _fetch(conn, PLANS_SQL)
        if _exists(conn, "marts.mart_supervision__integrity_candidate"):
            data["candidates"] = _fetch(conn, CANDIDATES_SQL)
            data["candidate_count"] = conn.execute(CANDIDATE_COUNT_SQL).fetchone()[0]
    return data


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _colour(index: int) -> str:
    return GRADE_COLOURS[min(index, len(GRADE_COLOURS) - 1)]


def stacked_bars(rows: list[dict], grades: list[str], *, width: int = 760, bar_height: int = 18) -> str:
    """One horizontal bar per row, split into the grades' shares, with the subject count and mean."""
    if not rows:
        return "<p><em>no data</em></p>"
    label_width, right = 240, 150
    span = width - label_width - right
    height = bar_height * len(rows) + 30
    parts = []
    for i, row in enumerate(rows):
        y = 4 + i * bar_height
        x = float(label_width)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height - 5}" text-anchor="end">{escape(str(row["label"]))}</text>')
        for j, grade in enumerate(grades):
            w = span * row["shares"].get(grade, 0.0)
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{bar_height - 4}" fill="{_colour(j)}">'
                    f'<title>{escape(grade)}: {row["counts"].get(grade, 0):,} ({row["shares"].get(grade, 0.0):.1%})</title></rect>')
            x += w
        parts.append(f'<text x="{label_width + span + 6}" y="{y + bar_height - 5}">'
                     f'{row["subjects"]:,} · ⌀ {row["mean_score"]:.0f}</text>')
    legend_y = 4 + len(rows) * bar_height + 16
    for j, grade in enumerate(grades):
        lx = label_width + j * 70
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{_colour(j)}"/>'
                     f'<text x="{lx + 16}" y="{legend_y}">{escape(grade)}</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" font-size="11" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


def histogram(bins: list[dict], bands: list[dict], *, width: int = 760, height: int = 200) -> str:
    """Subjects per 50-point score bin (0–1000), coloured by the grade the bin starts in."""
    if not bins:
        return "<p><em>no data</em></p>"
    counts = {int(b["bin"]): int(b["subjects"]) for b in bins}
    top = max(counts.values()) or 1
    n = 20
    left, bottom = 40, 24
    bar_w = (width - left - 10) / n
    parts = []
    for i in range(n):
        start = i * 50
        c = counts.get(start, 0)
        h = (height - bottom - 16) * c / top
        grade_index = next((k for k, b in enumerate(bands) if start >= float(b["min_score"])), len(bands) - 1)
        x = left + i * bar_w
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="{_colour(grade_index)}"><title>{start}–{start + 49}: {c:,}</title></rect>')
        if i % 2 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 8}">{start}</text>')
    parts.append(f'<text x="4" y="14">{top:,}</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" font-size="11" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


def render(data: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    charts: dict[str, str] = {}
    if data.get("available"):
        grades = data["grades"]
        total = sum(data["grade_counts"].values()) or 1
        charts = {
            "grades": bar_chart([(g, data["grade_counts"].get(g, 0) / total) for g in grades], max_value=1.0),
            "histogram": histogram(data["histogram"], data["bands"]),
            "by_kind": stacked_bars(data["by_kind"], grades),
            "by_district": stacked_bars(data["by_district"], grades),
            "by_sector": stacked_bars(data["by_sector"], grades),
            "sector_models": stacked_bars(data["sector_models"], grades),
            "dimensions": bar_chart([(f'{d["name_zh"]}', float(-d["mean_points"])) for d in data["dimensions"]
                                     if d["mean_points"] and d["mean_points"] < 0],
                                    fmt="−{:.1f}", colour="#b5543c"),
        }
    return env.get_template("rating_report.html.j2").render(charts=charts, **data)


def write_rating_report(location: warehouse.WarehouseLocation, out_dir: Path) -> Path:
    """Write the report to ``out_dir/index.html`` (and a dated copy under ``out_dir/runs/``)."""
    data = gather(location)
    html = render(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "runs").mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    (out_dir / "runs" / f"{stamp}.html").write_text(html, encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
