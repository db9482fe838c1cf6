"""Defects: what makes a row (or its file) differ from the field specification.

Each defective row is tagged in the ground truth with the kinds below; a row with no tag passes
every field rule of the catalogue (``ingest_connectors.catalogue.rules``).
"""

from __future__ import annotations

import copy
import datetime as dt
import random

from ingest_connectors.simulator.identifiers import USCC_ALPHABET, USCC_PLACEHOLDER, corrupt_check_char
from ingest_connectors.simulator.rows import _ENUM_JUNK, SUBJECT_COLUMNS, Row, RowBuilder, wan

#: Row-level kinds, with their relative frequency among defective rows.
ROW_KINDS = {
    "bad_check_digit": 12, "missing_required": 14, "date_excel_serial": 6, "date_yyyymmdd": 8,
    "date_2099": 4, "date_in_future": 4, "amount_in_yuan": 8, "unknown_enum": 10,
    "duplicate": 10, "correction": 8,
}
#: Kinds that only exist in files (file_drop feeds); the first two only in CSV.
FILE_KINDS = {"embedded_newline": 5, "ragged_row": 4, "sql_text": 3}
ALL_KINDS = tuple(ROW_KINDS) + tuple(FILE_KINDS)

EXCEL_EPOCH = dt.date(1899, 12, 30)
_SQL = ("'; DROP TABLE x;--", "'); DELETE FROM raw_records;--", "' OR '1'='1", "\"; DROP TABLE subjects; --")


class DefectMaker:
    def __init__(self, builder: RowBuilder, connector_kind: str, file_format: str | None,
                 future_from: dt.date):
        self.b = builder
        self.future_from = future_from
        kinds = dict(ROW_KINDS)
        if not builder.amount_fields:
            kinds.pop("amount_in_yuan")
        if connector_kind == "file_drop":
            kinds["sql_text"] = FILE_KINDS["sql_text"]
            if file_format == "csv":
                kinds["ragged_row"] = FILE_KINDS["ragged_row"]
                if builder.text_fields:
                    kinds["embedded_newline"] = FILE_KINDS["embedded_newline"]
        self.kinds = list(kinds)
        self.weights = [kinds[k] for k in self.kinds]
        self.date_col = builder.rt.decision_date

    def choose(self, rng: random.Random, row: Row) -> str:
        while True:
            kind = rng.choices(self.kinds, weights=self.weights)[0]
            if kind == "bad_check_digit" and not self._check_target(row):
                continue
            return kind

    def _check_target(self, row: Row) -> str | None:
        v, s = row.values, row.subject
        if s.kind == "natural_person":
            return "id_number" if v.get("id_number") else None
        if s.uscc and v.get("uscc") and v["uscc"] != USCC_PLACEHOLDER:
            return "uscc"
        return None

    # --- row-level ------------------------------------------------------------------------------

    def apply(self, rng: random.Random, row: Row, kind: str) -> None:
        """Turn a clean row into a defective one of ``kind`` (not duplicate / correction)."""
        v = row.values
        row.defects.append(kind)
        if kind == "bad_check_digit":
            target = self._check_target(row)
            if target == "uscc":
                v["uscc"] = corrupt_check_char(row.subject.uscc, USCC_ALPHABET)
                row.variants[:] = [t for t in row.variants if not t.startswith("code_")]
            else:
                v["id_number"] = corrupt_check_char(row.subject.id_number, "0123456789X")
                row.variants[:] = [t for t in row.variants if not t.startswith("id_")]
        elif kind == "missing_required":
            required = [f.column for f in self.b.fields if f.required == "Y" and v.get(f.column)]
            if row.subject.kind == "natural_person" and v.get("id_number"):
                required.append("id_number")
            elif v.get("uscc"):
                required.append("uscc")
            v[rng.choice(required)] = ""
        elif kind == "date_excel_serial":
            v[self.date_col] = str((row.decision - EXCEL_EPOCH).days)
        elif kind == "date_yyyymmdd":
            v[self.date_col] = f"{row.decision:%Y%m%d}"
        elif kind == "date_2099":
            v[self.date_col] = self.b.fmt_date(rng, dt.date(2099, 12, 31))
        elif kind == "date_in_future":
            future = self.future_from + dt.timedelta(days=rng.randint(400, 1500))
            v[self.date_col] = self.b.fmt_date(rng, future)
        elif kind == "amount_in_yuan":
            f = rng.choice(self.b.amount_fields)
            amount_wan = rng.uniform(12, 800)
            v[f.column] = str(round(amount_wan * 10000))
        elif kind == "unknown_enum":
            present = [f.column for f in self.b.enum_fields if v.get(f.column)]
            preferred = [c for c in present if c not in SUBJECT_COLUMNS] or present
            v[rng.choice(preferred)] = rng.choice(_ENUM_JUNK)
        elif kind == "embedded_newline":
            present = [c for c in self.b.text_fields if v.get(c)]
            col = rng.choice(present) if present else "subject_name"
            text = v[col]
            i = max(1, len(text) // 2)
            v[col] = text[:i] + rng.choice(("\n", "\r\n")) + text[i:]
        elif kind == "ragged_row":
            row.ragged = rng.choice(("extra", "short"))
        elif kind == "sql_text":
            v["subject_name"] = v["subject_name"] + rng.choice(_SQL)
        else:
            raise ValueError(kind)

    # --- extra rows -------------------------------------------------------------------------------

    def duplicate(self, row: Row) -> Row:
        dup = copy.copy(row)
        dup.values = dict(row.values)
        dup.sim_id = f"{row.sim_id}.dup"
        dup.defects = ["duplicate"]
        dup.duplicate_of = row.sim_id
        dup.variants = list(row.variants)
        return dup

    def correction(self, rng: random.Random, row: Row) -> Row:
        cor = copy.copy(row)
        v = cor.values = dict(row.values)
        cor.sim_id = f"{row.sim_id}.cor"
        cor.defects = ["correction"]
        cor.correction_of = row.sim_id
        cor.variants = list(row.variants)
        changed = False
        for f in self.b.amount_fields:
            if v.get(f.column):
                old = float(v[f.column])
                new = round(old * rng.choice((0.5, 0.8, 1.2, 1.5, 2.0)), 2) or 0.01
                if new == old:
                    new = round(old + 0.1, 2)
                v[f.column] = wan(min(new, f.max_value or new))
                if f.column == "fine_wan_yuan" and "penalty_content" in v:
                    v["penalty_content"] = f"罚款人民币{round(min(new, f.max_value or new) * 10000)}元（更正）。"
                changed = True
                break
        if not changed:
            texts = [c for c in self.b.text_fields if v.get(c)]
            if texts:
                col = rng.choice(texts)
                v[col] = v[col] + "（更正）"
            else:
                v["subject_name"] = row.subject.name
        v["remarks"] = f"更正 SIM:{cor.sim_id}" if "remarks" in v else ""
        return cor
