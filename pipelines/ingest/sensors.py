"""Automation for the feeds: a sensor for dropped files, a schedule for API and database pulls.

Both run the changed feeds and everything downstream of them (build, checks, publication).
"""

import hashlib
import json

import dagster as dg

from credit import settings
from ingest_connectors.catalogue import catalogue
from pipelines.ingest.assets import raw_key

FILES_DIR = "files"


def _feeds_of_kind(*kinds: str) -> list:
    return [f for f in catalogue().feeds() if f.sector.connector.kind in kinds]


def changed_files(previous: dict[str, float]) -> tuple[dict[str, set[str]], dict[str, float]]:
    """Files under landing/files/<sector>/<record_type>/ that are new or modified since ``previous``.

    Returns (feed key → changed file names, the new cursor state). Landing identifies files by
    content hash, so a touched but unchanged file costs a hash and loads nothing.
    """
    root = settings.landing_dir() / FILES_DIR
    changed: dict[str, set[str]] = {}
    state: dict[str, float] = {}
    for feed in _feeds_of_kind("file_drop"):
        folder = root / feed.sector.slug / feed.record_type.code
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if not path.is_file():
                continue
            mtime = path.stat().st_mtime
            rel = str(path.relative_to(root))
            state[rel] = mtime
            if previous.get(rel) != mtime:
                changed.setdefault(feed.key, set()).add(path.name)
    return changed, state


@dg.sensor(
    name="new_department_files",
    minimum_interval_seconds=60,
    target=dg.AssetSelection.assets(*[raw_key(f) for f in _feeds_of_kind("file_drop")]).downstream(),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Runs a file feed, and everything downstream of it, when a department drops a new file.",
)
def new_files_sensor(context: dg.SensorEvaluationContext):
    previous = json.loads(context.cursor) if context.cursor else {}
    changed, state = changed_files(previous)
    if changed:
        keys = {raw_key(catalogue().feed(k)) for k in changed}
        selection = dg.AssetSelection.assets(*keys).downstream()
        asset_keys = sorted(selection.resolve(context.repository_def.asset_graph), key=str)
        run_key = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
        yield dg.RunRequest(run_key=run_key,
                            asset_selection=asset_keys,
                            tags={"trigger": "new_department_files"})
    context.update_cursor(json.dumps(state, sort_keys=True))


pull_schedule = dg.ScheduleDefinition(
    name="department_pulls",
    cron_schedule="15 * * * *",
    execution_timezone="Asia/Shanghai",
    target=dg.AssetSelection.assets(*[raw_key(f) for f in _feeds_of_kind("http_api", "database")]).downstream(),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Hourly incremental pull of the department APIs and databases (cursor / watermark).",
)
