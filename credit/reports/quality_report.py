"""The auditors' quality report: one static HTML page per run, with charts, readable offline.

Everything is aggregated in the database; only summary rows come back to Python.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2
import psycopg

from credit import warehouse
from credit.reports.charts import bar_chart, line_chart
from credit.reports.deadlines import deadline_compliance

TEMPLATES = Path(__file__).resolve().parent / "templates"

CONSERVATION_SQL = """
with gate as (
    select feed_key, load_id,
           count(*) filter (where is_quarantined) as gate_quarantined,
           count(*) filter (where not is_quarantined) as accepted
    from intermediate.int_records__unioned
    group by feed_key, load_id
)
select l.load_id, l.feed_key, l.connector, l.source, l.rows_received,
       l.rows_quarantined as landing_quarantined,
       coalesce(g.gate_quarantined, 0) as gate_quarantined,
       case when r.released_up_to_load_id >= l.load_id then coalesce(g.accepted, 0) else 0 end as released,
       case when r.released_up_to_load_id >= l.load_id then 0 else coalesce(g.accepted, 0) end as held_back
from audit.load l
left join gate g on g.feed_key = l.feed_key and g.load_id = l.load_id
left join audit.sector_release r on r.sector_slug = split_part(l.feed_key, '__', 1)
where l.status = 'loaded'
order by l.feed_key, l.load_id
"""

LATEST_RULES_SQL = """
with latest as (
    select feed_key, max(validated_at) as validated_at from audit.gx_rule_result group by feed_key
)
select r.feed_key, r.rule_id, r.kind, r.severity, r.success, r.unexpected_count, r.element_count
from audit.gx_rule_result r join latest using (feed_key, validated_at)
order by r.feed_key, r.rule_id
"""

TREND_SQL = """
select run_id, min(validated_at) as validated_at,
       1 - sum(coalesce(unexpected_count, 0))::numeric / nullif(sum(element_count), 0) as pass_rate,
       count(*) filter (where success is false and severity = 'critical') as critical_failing
from audit.gx_rule_result
group by run_id
order by min(validated_at)
"""

FAILED_SOURCES_SQL = """
select feed_key, source, message, finished_at from audit.load where status = 'failed'
order by finished_at desc limit 200
"""


def _fetch(conn: psycopg.Connection, query: str) -> list[dict]:
    cur = conn.execute(query)
    names = [c.name for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _table_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


def gather(location: warehouse.WarehouseLocation) -> dict:
    with warehouse.connect(location) as conn:
        sources = _fetch(conn, CONSERVATION_SQL) if _table_exists(conn, "intermediate.int_records__unioned") else []
        rules = _fetch(conn, LATEST_RULES_SQL) if _table_exists(conn, "audit.gx_rule_result") else []
        trend = _fetch(conn, TREND_SQL) if _table_exists(conn, "audit.gx_rule_result") else []
        failed_sources = _fetch(conn, FAILED_SOURCES_SQL)
        deadlines = deadline_compliance(conn) if _table_exists(conn, "core.fct_credit_record") else []

    for s in sources:
        s["accounted"] = s["landing_quarantined"] + s["gate_quarantined"] + s["released"] + s["held_back"]
        s["balanced"] = s["accounted"] == s["rows_received"]
    totals = {k: sum(s[k] for s in sources) for k in
              ("rows_received", "landing_quarantined", "gate_quarantined", "released", "held_back")}
    totals["unbalanced_sources"] = sum(not s["balanced"] for s in sources)

    feeds: dict[str, dict] = {}
    for r in rules:
        f = feeds.setdefault(r["feed_key"], {"feed_key": r["feed_key"], "rules": 0, "failing": 0,
                                             "critical_failing": 0, "rows": r["element_count"] or 0,
                                             "unexpected": 0, "checks": 0})
        f["rules"] += 1
        f["failing"] += r["success"] is False
        f["critical_failing"] += r["success"] is False and r["severity"] == "critical"
        f["unexpected"] += r["unexpected_count"] or 0
        f["checks"] += r["element_count"] or 0
    for f in feeds.values():
        f["pass_rate"] = 1 - f["unexpected"] / f["checks"] if f["checks"] else 1.0

    by_rule: dict[str, dict] = {}
    for r in rules:
        if not r["unexpected_count"]:
            continue
        column_kind = r["rule_id"]
        agg = by_rule.setdefault(column_kind, {"rule_id": column_kind, "severity": r["severity"],
                                               "feeds": 0, "rows": 0})
        agg["feeds"] += 1
        agg["rows"] += r["unexpected_count"]
    top_rules = sorted(by_rule.values(), key=lambda a: -a["rows"])[:15]

    return {
        "generated_at": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "warehouse": location.describe(),
        "sources": sources,
        "totals": totals,
        "feeds": sorted(feeds.values(), key=lambda f: f["pass_rate"]),
        "rules": [r for r in rules if r["success"] is False],
        "top_rules": top_rules,
        "trend": trend,
        "failed_sources": failed_sources,
        "deadlines": deadlines,
    }


def render(data: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    charts = {
        "feed_pass_rates": bar_chart([(f["feed_key"], f["pass_rate"]) for f in data["feeds"][:25]], max_value=1.0),
        "top_rules": bar_chart([(r["rule_id"], r["rows"]) for r in data["top_rules"]], fmt="{:,.0f}", colour="#b5543c"),
        "trend": line_chart([(str(t["validated_at"])[:16], float(t["pass_rate"] or 0)) for t in data["trend"]]),
        "deadlines": bar_chart([(d["department_code"], d["on_time_rate"]) for d in data["deadlines"] if d["assessed"]],
                               max_value=1.0, colour="#4b8b3b"),
    }
    return env.get_template("quality_report.html.j2").render(charts=charts, **data)


def write_quality_report(location: warehouse.WarehouseLocation, out_dir: Path) -> Path:
    """Write this run's report to ``out_dir/runs/<timestamp>.html`` and ``out_dir/index.html``."""
    data = gather(location)
    html = render(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "runs").mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    (out_dir / "runs" / f"{stamp}.html").write_text(html, encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(html, encoding="utf-8")
    return index
