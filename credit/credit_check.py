"""The pre-event credit check (信用核查) from Python and the console (``credit check``).

Calls ``pub.credit_check(identifier)`` — the same function downstream systems call — with a USCC,
a resident ID number or a name, and shows each matching subject with its grade, its active list
entries and whether a serious-dishonesty listing vetoes the application (一票否决).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Group
from rich.table import Table

from credit import warehouse

COLUMNS = ("subject_id", "subject_name", "subject_kind", "uscc", "matched_by", "credit_grade",
           "active_list_entries", "is_vetoed", "veto_reasons")


@dataclass
class CheckResult:
    identifier: str
    subjects: list[dict] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.subjects)

    @property
    def is_vetoed(self) -> bool:
        return any(s["is_vetoed"] for s in self.subjects)


def credit_check(identifier: str, location: warehouse.WarehouseLocation | None = None) -> CheckResult:
    with warehouse.connect(location) as conn:
        cur = conn.execute("select * from pub.credit_check(%s)", (identifier,))
        columns = [c.name for c in cur.description]
        return CheckResult(identifier, [dict(zip(columns, row)) for row in cur.fetchall()])


def render(result: CheckResult) -> Group | str:
    """One two-column table per matching subject (fits a terminal whatever the names' length)."""
    if not result.found:
        return f"no credit subject matches {result.identifier!r}"
    tables = []
    for s in result.subjects:
        entries = s["active_list_entries"] or []
        table = Table(title=f"信用核查 · {result.identifier}", show_header=False, title_justify="left")
        table.add_column("field", style="bold")
        table.add_column("value", overflow="fold")
        table.add_row("subject_id", s["subject_id"] or "— (not a credit subject)")
        table.add_row("name", s["subject_name"] or "")
        table.add_row("kind", s["subject_kind"] or "")
        table.add_row("uscc", s["uscc"] or "")
        table.add_row("matched by", s["matched_by"])
        table.add_row("credit grade", s["credit_grade"] or "— (not rated yet)")
        table.add_row("list entries", "\n".join(
            f"{e['list']}: {e['decision_number']} ({e['authority']}, until {e['until'] or '—'})" for e in entries) or "none")
        table.add_row("veto", ("VETO — " + "; ".join(s["veto_reasons"])) if s["is_vetoed"] else "no")
        tables.append(table)
    return Group(*tables)
