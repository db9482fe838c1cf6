"""The quarterly red and black list release (红黑名单季度发布): HTML and CSV per quarter.

``reports/releases/<YYYYQn>/`` holds

* ``release.html`` — the release: counts per list and sector, and the entries in force at the
  quarter's end;
* ``counts_by_sector.csv`` — per published list and sector: newly listed, exited, listed at the
  quarter's end (the figures of ``pub.release_quarter``);
* ``entries.csv`` — the entries in force on the quarter's last day (published lists only,
  organisations with their USCC, natural persons by name only);

and ``reports/releases/index.html`` links every quarter written. Only published lists
(config/list_rules.yaml ``lists.*.published`` and lifecycle.yaml ``releases.lists``) and only
entries whose triggering record's load the quality gate released. The current quarter is
reported as of today.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

import psycopg

from credit.lifecycle.config import load_config

COUNT_COLUMNS = ("sector_slug", "sector_name_zh", "list_type", "list_name_zh", "newly_listed", "exited",
                 "listed_at_quarter_end")
ENTRY_COLUMNS = ("list_type", "list_name_zh", "rule_code", "rule_name_zh", "legal_basis", "subject_name",
                 "uscc", "sector_slug", "decision_number", "authority_name", "effective_date",
                 "planned_end_date")

ENTRIES_SQL = """
select e.list_type, e.list_name_zh, e.rule_code, e.rule_name_zh, e.legal_basis, e.subject_name,
       e.uscc, e.sector_slug, e.trigger_decision_number, e.trigger_authority_name, e.effective_date,
       e.planned_end_date
from marts.list_entries_as_of(%(on)s) as s
join marts.mart_list__entry as e using (entry_id)
where s.status = 'active' and e.published and e.list_type = any(%(lists)s)
  and (not e.is_triggered_by_record or exists (
        select 1 from audit.sector_release as r
        where r.sector_slug = e.sector_slug and e.trigger_load_id <= r.released_up_to_load_id))
order by e.list_type, e.sector_slug, e.effective_date, e.subject_name, e.entry_id
"""

COUNTS_SQL = """
select sector_slug, sector_name_zh, list_type, list_name_zh, newly_listed, exited, listed_at_quarter_end
from pub.release_quarter
where quarter = %(quarter)s and list_type = any(%(lists)s)
order by list_type, sector_slug
"""


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1)
        return nxt.start - dt.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + (self.q == 4), 1 if self.q == 4 else self.q + 1)

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``2025Q3``, or a partition key: the quarter's first day ``2025-07-01``."""
        text = text.strip()
        if "Q" in text.upper():
            year, q = text.upper().split("Q")
            return cls(int(year), int(q))
        return cls.of(dt.date.fromisoformat(text))


def quarters_in_data(conn: psycopg.Connection, today: dt.date | None = None) -> list[Quarter]:
    """Every quarter from the earliest credit record's decision date to today's quarter."""
    today = today or dt.date.today()
    first = conn.execute(
        "select least((select min(decision_date) from core.fct_credit_record),"
        "             (select min(effective_date) from marts.mart_list__entry))").fetchone()[0]
    if first is None:
        return []
    out, q, last = [], Quarter.of(first), Quarter.of(today)
    while (q.year, q.q) <= (last.year, last.q):
        out.append(q)
        q = q.next()
    return out


def _lists() -> list[str]:
    config = load_config()
    wanted = list(config.setting("releases.lists"))
    return [name for name in wanted if config.lists[name].get("published", True)]


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: opens in Excel as UTF-8
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def _html_table(header: tuple[str, ...], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_STYLE = ("body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em;color:#222}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
          "font-size:.9em}th{background:#f3f3f3}.num{text-align:right}")


def write_release(conn: psycopg.Connection, quarter: Quarter, out_dir: Path, today: dt.date | None = None) -> dict:
    """Write one quarter's release into ``out_dir/<quarter>/``; returns its figures."""
    today = today or dt.date.today()
    lists = _lists()
    as_of = min(quarter.end, today)
    counts = conn.execute(COUNTS_SQL, {"quarter": quarter.label, "lists": lists}).fetchall()
    entries = conn.execute(ENTRIES_SQL, {"on": as_of, "lists": lists}).fetchall()
    conn.commit()
    folder = out_dir / quarter.label
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "counts_by_sector.csv", COUNT_COLUMNS, counts)
    _write_csv(folder / "entries.csv", ENTRY_COLUMNS, entries)
    totals: dict[str, dict[str, int]] = {}
    for _, _, list_type, _, new, exited, listed in counts:
        t = totals.setdefault(list_type, {"newly_listed": 0, "exited": 0, "listed_at_quarter_end": 0})
        t["newly_listed"] += new
        t["exited"] += exited
        t["listed_at_quarter_end"] += listed
    names = {r[2]: r[3] for r in counts} | {r[0]: r[1] for r in entries}
    summary = [(names.get(k, k), v["newly_listed"], v["exited"], v["listed_at_quarter_end"]) for k, v in sorted(totals.items())]
    status = "（截至 " + as_of.isoformat() + "，本季度尚未结束）" if as_of < quarter.end else ""
    page = (
        f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{quarter.label} 红黑名单发布</title><style>{_STYLE}</style></head><body>"
        f"<h1>黄石市信用红黑名单季度发布 · {quarter.year}年第{quarter.q}季度</h1>"
        f"<p>{quarter.start} 至 {quarter.end}{html.escape(status)}。发布名单：{html.escape('、'.join(lists))}。"
        f"列入：本季度生效；移出：本季度期满、修复、移出或撤销；在列：季度末（或今日）有效。</p>"
        f"<h2>汇总</h2>{_html_table(('名单', '本季度列入', '本季度移出', '季末在列'), summary)}"
        f"<h2>分行业领域统计</h2>{_html_table(('领域', '领域名称', '名单', '名单名称', '本季度列入', '本季度移出', '季末在列'), counts)}"
        f"<h2>季末在列名单（{len(entries)} 条）</h2>"
        f"{_html_table(('名单', '名单名称', '规则', '认定事由', '依据', '主体名称', '统一社会信用代码', '领域', '决定书文号', '认定机关', '生效日期', '计划届满日期'), entries)}"
        f"<p><small>生成于 {dt.datetime.now().isoformat(timespec='seconds')}；数据口径见 docs/lifecycle.md。</small></p>"
        f"</body></html>"
    )
    (folder / "release.html").write_text(page, encoding="utf-8")
    return {"quarter": quarter.label, "entries_in_force": len(entries), "totals": totals,
            "sectors": len({r[0] for r in counts}), "path": str(folder)}


def write_index(out_dir: Path, written: list[dict]) -> Path:
    rows = [(f"<a href='{w['quarter']}/release.html'>{w['quarter']}</a>", w["entries_in_force"]) for w in written]
    body = "".join(f"<tr><td>{q}</td><td class='num'>{n}</td></tr>" for q, n in rows)
    page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>红黑名单季度发布</title>"
            f"<style>{_STYLE}</style></head><body><h1>红黑名单季度发布</h1>"
            f"<table><thead><tr><th>季度</th><th>季末在列</th></tr></thead><tbody>{body}</tbody></table></body></html>")
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def write_releases(conn: psycopg.Connection, out_dir: Path, quarters: list[Quarter] | None = None,
                   today: dt.date | None = None) -> list[dict]:
    """Write the releases of ``quarters`` (default: every quarter in the data) and the index."""
    out_dir.mkdir(parents=True, exist_ok=True)
    quarters = quarters if quarters is not None else quarters_in_data(conn, today)
    written = [write_release(conn, q, out_dir, today) for q in quarters]
    existing = sorted(p.name for p in out_dir.iterdir() if p.is_dir() and (p / "release.html").exists())
    index_rows = {w["quarter"]: w for w in written}
    for label in existing:
        if label not in index_rows:
            index_rows[label] = {"quarter": label, "entries_in_force": _count_rows(out_dir / label / "entries.csv")}
    write_index(out_dir, [index_rows[k] for k in sorted(index_rows)])
    return written


def _count_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig") as fh:
        return max(0, sum(1 for _ in fh) - 1)
