"""The quality gate scored against the simulator's ground truth: recall per defect kind and false
positives, computed in the warehouse.

Every simulated row carries ``SIM:<sim_record_id>`` in its remarks (see docs/simulator.md). A row
that arrived is *rejected* when it was quarantined at landing (``raw.landing_quarantine``, e.g. a
ragged CSV line) or by the field-specification gate (``is_quarantined`` in
``intermediate.int_records__unioned``). The ground truth says which rows were made defective and
how; the kinds the field specification must reject are every injected kind except ``duplicate``
and ``correction`` (a decision sent again is a version, not a defect). So:

* a row is *caught* when at least one rule fires on it: a critical rule quarantines it, a warning
  rule (e.g. a date in a non-standard format that still parses) flags it for the department's
  feedback while the row is loaded;
* recall of a kind = caught rows tagged with it / rows tagged with it (and how many of them were
  quarantined, shown beside);
* a false positive = a quarantined row with no such tag (clean rows merely flagged are counted
  too, apart);
* unmatched = truth rows found nowhere in the warehouse (must be 0: nothing is lost).

A duplicate is an exact copy of its row, tracer included, so it is scored as that row; its own
truth line (``<id>.dup``) has no tracer of its own and is not counted as unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from credit import warehouse
from credit.resolution_report import copy_truth
from ingest_connectors.simulator.defects import ALL_KINDS

#: Injected kinds that are versions of a decision, not breaches of the field specification.
NOT_DEFECTS = ("duplicate", "correction")
GATE_KINDS = tuple(k for k in ALL_KINDS if k not in NOT_DEFECTS)

ARRIVED = """
create temporary table gate_arrived on commit preserve rows as
select substring(remarks from 'SIM:([^[:space:]]+)') as sim_record_id,
       is_quarantined as rejected, cardinality(failed_rules) > 0 as caught
from intermediate.int_records__unioned
union all
select substring(raw_text from 'SIM:([^[:space:]",]+)'), true, true
from raw.landing_quarantine
"""

SCORED = """
create temporary table gate_scored on commit preserve rows as
select a.rejected, a.caught,
       array(select k from unnest(string_to_array(t.defects, ';')) k where k = any(%(kinds)s)) as kinds
from gate_arrived a
join (select distinct on (sim_record_id) sim_record_id, defects from resolution_truth
      order by sim_record_id) t using (sim_record_id)
"""


@dataclass
class KindScore:
    rows: int
    caught: int
    rejected: int

    @property
    def recall(self) -> float:
        return self.caught / self.rows if self.rows else 1.0


@dataclass
class GateScorecard:
    by_kind: dict[str, KindScore] = field(default_factory=dict)
    clean_rows: int = 0
    false_positives: int = 0
    clean_rows_flagged: int = 0
    unmatched_truth_rows: int = 0

    def lines(self) -> list[str]:
        out = [f"{kind:<20} {s.caught:>6,} of {s.rows:>6,} caught  recall {s.recall:7.2%}  "
               f"({s.rejected:,} quarantined)" for kind, s in sorted(self.by_kind.items())]
        out.append(f"{'clean rows':<20} {self.false_positives:>6,} of {self.clean_rows:>6,} quarantined "
                   f"(false positives); {self.clean_rows_flagged:,} flagged by a warning rule")
        out.append(f"{'unmatched truth':<20} {self.unmatched_truth_rows:>6,}")
        return out


def score(location: warehouse.WarehouseLocation, truth_dir: Path) -> GateScorecard:
    with warehouse.connect(location, autocommit=True) as conn:
        copy_truth(conn, truth_dir)
        conn.execute(ARRIVED)
        conn.execute(SCORED, {"kinds": list(GATE_KINDS)})
        card = GateScorecard()
        for kind, rows, caught, rejected in conn.execute(
                "select k, count(*), count(*) filter (where caught), count(*) filter (where rejected)"
                " from gate_scored, unnest(kinds) k group by k"):
            card.by_kind[kind] = KindScore(rows, caught, rejected)
        card.clean_rows, card.false_positives, card.clean_rows_flagged = conn.execute(
            "select count(*), count(*) filter (where rejected), count(*) filter (where caught)"
            " from gate_scored where kinds = '{}'").fetchone()
        card.unmatched_truth_rows = conn.execute(
            """select count(*) from resolution_truth t
               where not (string_to_array(t.defects, ';') && array['duplicate'])
                 and not exists (select 1 from gate_arrived a where a.sim_record_id = t.sim_record_id)""").fetchone()[0]
        for table in ("gate_scored", "gate_arrived", "resolution_truth"):
            conn.execute(f"drop table {table}")
    return card
