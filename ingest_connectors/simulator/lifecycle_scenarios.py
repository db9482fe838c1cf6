"""Hand-placed department rows for lifecycle scenarios: a serious penalty for a chosen subject, its
correction, a commitment reported broken, a repair application or an objection naming a decision.

The rows are made by the feed's own :class:`~ingest_connectors.simulator.rows.RowBuilder` (so they
pass the field rules and present the subject the way the simulated departments do) with the
scenario's facts written over them, and dropped as a new department file in the landing zone of an
existing simulator run (file-drop feeds and the credit platform only). They are not part of the
simulator's ground truth: the scenario itself is the truth (tests/lifecycle).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ingest_connectors.catalogue import Catalogue, Feed, catalogue as load_catalogue
from ingest_connectors.simulator.rows import RowBuilder, decision_prefixes
from ingest_connectors.simulator.subjects import Subject, SubjectPool


class ScenarioWriter:
    """Writes scenario rows into ``out_dir`` for the subjects of a simulator run."""

    def __init__(self, out_dir: Path | str, preset: str, seed: int, scale: float = 1.0,
                 cat: Catalogue | None = None):
        from ingest_connectors.simulator.generate import Options

        self.out_dir = Path(out_dir)
        self.cat = cat or load_catalogue()
        opts = Options(preset, seed, scale)
        self.pool = SubjectPool(seed, opts.n_subjects)
        self.prefixes = decision_prefixes(self.cat)
        self.rng = random.Random(f"scenario:{preset}:{seed}:{scale}")
        self._files = 0

    def subject(self, kind: str = "company", skip: int = 0, activity: dict[str, int] | None = None) -> Subject:
        """A subject of the run with a USCC (organisations): the ``skip``-th such one, or, given
        ``activity`` (subject id → records it already has), the ``skip``-th least active — a
        scenario of its own, as little mixed with other records as the run allows."""
        found = [s for s in self.pool.by_type[kind] if s.uscc or kind == "natural_person"]
        if activity is not None:
            found.sort(key=lambda s: (activity.get(s.sid, 0), s.sid))
        return found[skip]

    def row(self, feed_key: str, subject: Subject, decision: dt.date, tracer: str, dept_index: int = 0,
            **overrides: str) -> dict[str, str]:
        """A clean row of ``feed_key`` about ``subject`` decided on ``decision``, with ``overrides``
        (column → text; '' = not sent)."""
        feed = self.cat.feed(feed_key)
        builder = RowBuilder(feed, self.cat.lookups, self.pool, self.prefixes,
                             random.Random(f"style:{feed_key}"), max(decision, dt.date.today()))
        for _ in range(50):
            row = builder.new_row(self.rng, tracer, decision, dept_index, subject=subject)
            if not row.defects:
                break
        values = dict(row.values)
        values["remarks"] = f"SIM:{tracer}"
        # the subject as registered: no name variants or code variants in a scenario
        values["subject_name"] = subject.name
        if subject.uscc:
            values["uscc"] = subject.uscc
        values.update(overrides)
        return values

    def drop(self, feed_key: str, rows: list[dict[str, str]], day: dt.date, dept_index: int = 0) -> Path:
        """A new department file of ``feed_key`` holding ``rows``, named for ``day``."""
        from ingest_connectors.simulator.generate import FeedWriter

        feed: Feed = self.cat.feed(feed_key)
        if feed.sector.connector.kind != "file_drop":
            raise ValueError(f"{feed_key}: scenario rows go to file-drop feeds only")
        writer = FeedWriter(feed, self.out_dir, None, day=day)
        writer.open_file(feed.sector.departments[dept_index].code, day)
        columns = [f.column for f in feed.record_type.fields]
        for values in rows:
            writer.current.write([values.get(c, "") or "" for c in columns], "")
        path = self.out_dir / writer.source
        writer.close()
        return path


def fmt(day: dt.date | None) -> str:
    return day.strftime("%Y/%m/%d") if day else ""
