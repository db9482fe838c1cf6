"""Releasing a sector's loads for publication (``audit.sector_release``), by the pipeline or by hand.

The ``pub`` views show a sector's records only up to its last released load. The Dagster step
``publish/<sector>`` releases after the sector's gate passes. When the gate blocks a sector, data
staff decide: the department re-sends (and the block stays until a delivery passes), or — once the
department has been told and its broken rows are quarantined (quarantined rows are never
published) — they release the sector by hand with a reason::

    credit release <sector> --reason "HS-STHJ file of 2026-11-20: every USCC wrong, rows quarantined, department notified"

Every release, automatic or manual, is appended to ``audit.sector_release_log`` (who, why, up to
which load), so auditors can see when and why a blocked sector went out.
"""

from __future__ import annotations

import getpass

import psycopg

from credit import warehouse

RELEASE_SQL = """
insert into audit.sector_release (sector_slug, released_up_to_load_id, released_at, run_id)
select %(sector)s, coalesce(max(load_id), 0), now(), %(run_id)s
from audit.load
where feed_key like %(prefix)s and status = 'loaded'
on conflict (sector_slug) do update
set released_up_to_load_id = greatest(audit.sector_release.released_up_to_load_id,
                                      excluded.released_up_to_load_id),
    released_at = excluded.released_at, run_id = excluded.run_id
returning released_up_to_load_id
"""

LOG_SQL = """
insert into audit.sector_release_log (sector_slug, released_up_to_load_id, run_id, released_by, reason)
values (%(sector)s, %(released)s, %(run_id)s, %(by)s, %(reason)s)
"""


def release_sector(conn: psycopg.Connection, sector_slug: str, *, run_id: str,
                   released_by: str = "pipeline", reason: str | None = None) -> int:
    """Release every loaded load of the sector; returns the load id released up to. The caller
    commits (the pipeline's publish step counts the published rows in the same transaction).
    The tables exist: ``warehouse.ensure_pipeline_schemas`` runs before any step (not here, where
    twenty publish steps would race to create them)."""
    released = conn.execute(RELEASE_SQL, {"sector": sector_slug, "run_id": run_id,
                                          "prefix": f"{sector_slug}\\_\\_%"}).fetchone()[0]
    conn.execute(LOG_SQL, {"sector": sector_slug, "released": released, "run_id": run_id,
                           "by": released_by, "reason": reason})
    return released


def release_by_hand(location: warehouse.WarehouseLocation, sector_slug: str, reason: str) -> tuple[int, int]:
    """A manual release (see the module docstring): (released up to load id, loads it released)."""
    from ingest_connectors.catalogue import catalogue

    known = {s.slug for s in catalogue().sectors}
    if sector_slug not in known:
        raise ValueError(f"unknown sector {sector_slug!r}; one of: {', '.join(sorted(known))}")
    if not reason or not reason.strip():
        raise ValueError("a manual release needs a reason (it is kept in audit.sector_release_log)")
    with warehouse.connect(location) as conn:
        warehouse.ensure_pipeline_schemas(conn)
        before = conn.execute("select coalesce(max(released_up_to_load_id), 0) from audit.sector_release"
                              " where sector_slug = %s", (sector_slug,)).fetchone()[0]
        released = release_sector(conn, sector_slug, run_id="manual", released_by=getpass.getuser(),
                                  reason=reason.strip())
        newly = conn.execute("select count(*) from audit.load where feed_key like %s and status = 'loaded'"
                             " and load_id > %s and load_id <= %s",
                             (f"{sector_slug}\\_\\_%", before, released)).fetchone()[0]
        conn.commit()
    return released, newly
