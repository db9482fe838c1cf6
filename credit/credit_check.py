"""The pre-event credit check from Python and the console (``credit check``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.table import Table

from credit import warehouse


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


def render(result: CheckResult) -> Table | str:
    if not result.found:
        return f"no credit subject matches {result.identifier!r}"
    table = Table(title=f"信用核查 · {result.identifier}")
    for column in ("subject_id", "subject_name", "uscc", "matched_by", "credit_grade", "is_vetoed", "veto_reasons"):
        table.add_column(column)
    for s in result.subjects:
        table.add_row(*(str(s[c]) if s[c] is not None else "" for c in
                        ("subject_id", "subject_name", "uscc", "matched_by", "credit_grade", "is_vetoed", "veto_reasons")))
    return table
