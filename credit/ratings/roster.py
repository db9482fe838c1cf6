"""The simulated inspector roster: law-enforcement officers per department of the feed catalogue.

Deterministic: each department's officers come from a Faker generator seeded with
sha256(roster seed, department code), so the roster — and therefore every inspection draw that
assigns officers from it — is the same on every run and every machine with the pinned Faker.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit.ratings.config import Roster


def _department_seed(seed: int, department_code: str) -> int:
    digest = hashlib.sha256(f"{seed}:{department_code}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def departments() -> list[dict[str, str]]:
    """Every department of the 20 sectors (a department serving several sectors appears once)."""
    from ingest_connectors.catalogue import catalogue

    seen: dict[str, dict[str, str]] = {}
    for sector in catalogue().sectors:
        for dept in sector.departments:
            seen.setdefault(dept.code, {"code": dept.code, "uscc": dept.uscc, "name_zh": dept.name_zh})
    return [seen[code] for code in sorted(seen)]


def roster_rows(roster: "Roster") -> list[dict[str, Any]]:
    from faker import Faker

    rows: list[dict[str, Any]] = []
    for dept in departments():
        fake = Faker(roster.locale)
        fake.seed_instance(_department_seed(roster.seed, dept["code"]))
        names: set[str] = set()
        number = 0
        while number < roster.per_department:
            name = fake.name()
            if name in names:  # two officers of one department never share a name
                continue
            names.add(name)
            number += 1
            rows.append({
                "inspector_id": f"{dept['code']}-{number:03d}",
                "department_code": dept["code"],
                "department_name_zh": dept["name_zh"],
                "name_zh": name,
                # 执法证号: the department's division (USCC positions 3–8) and a serial
                "badge_number": f"鄂{dept['uscc'][2:8]}{_department_seed(roster.seed, dept['code']) % 900 + 100:03d}{number:04d}",
            })
    return rows
