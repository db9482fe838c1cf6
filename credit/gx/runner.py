"""Run the generated GX suites against the staging views, in the database.

    results = validate_feeds(warehouse.locate(), ["taxation__penalty", ...], run_id="2024-06-01T…")

One call opens one in-process GX context (from ``expectations/great_expectations.yml``), one SQL
data source (one engine) and, per feed, a table asset on ``staging.stg_<feed>`` with a whole-table
batch, the suite built in memory from the catalogue, and a validation definition that is run. Every
metric is computed by PostgreSQL; no table is read into pandas. Calling it once for all of a
sector's feeds pays the set-up (importing GX, 4-9 s the first time in a process; the context and
engine, well under 1 s) once.

The outcome per feed is a :class:`FeedValidation`: row count, one :class:`RuleResult` per rule and
``blocks_publication`` -- true when a CRITICAL rule fails on more than
``critical_failure_tolerance`` (config/quality.yaml) of the rows, or could not be evaluated at all.
Below the tolerance the failing rows are the row-level gate's business (they are quarantined);
above it the feed is systematically broken and its sector is not published.

Every rule outcome is appended to ``audit.gx_rule_result`` (created if absent) for trend reports,
and the run's validation results are rendered into the Data Docs site.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import psycopg
import yaml

from credit import settings, warehouse
from credit.gx import suites as gx_suites
from ingest_connectors.catalogue import Feed, catalogue
from ingest_connectors.catalogue.rules import rules_for

log = logging.getLogger(__name__)

QUALITY_CONFIG_ENV = "CREDIT_QUALITY_CONFIG"
DEFAULT_TOLERANCE = 0.2
DATASOURCE_NAME = "warehouse"
SITE_NAME = "local_site"
BATCH_DEFINITION_NAME = "whole_table"
AUDIT_TABLE = "audit.gx_rule_result"

#: Validation statuses of a feed.
VALIDATED = "validated"  # the suite ran (rules may pass or fail)
NOT_VALIDATED = "not_validated"  # no staging relation yet (no data has arrived): nothing to check
ERROR = "error"  # the suite could not run, or some rule raised

#: BASIC keeps the unexpected counts. No example values: GX fetches them with one extra query per
#: column rule (``... where <unexpected> limit n``), a full scan of the staging view for every rule
#: that passes -- 24.8 s against 18.5 s on 300k rows; the quarantine already lists failing rows.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}

AUDIT_DDL = f"""
create schema if not exists audit;
create table if not exists {AUDIT_TABLE} (
    run_id           text        not null,
    validated_at     timestamptz not null,
    feed_key         text        not null,
    rule_id          text        not null,
    kind             text        not null,
    severity         text        not null check (severity in ('critical', 'warning')),
    success          boolean,    -- null: the rule could not be evaluated
    unexpected_count bigint,
    element_count    bigint,
    primary key (run_id, feed_key, rule_id)
);
create index if not exists gx_rule_result_trend on {AUDIT_TABLE} (feed_key, rule_id, validated_at);
comment on table {AUDIT_TABLE} is
    'Great Expectations outcome of every catalogue rule per feed and run (credit/gx/runner.py)';
"""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    kind: str
    severity: str  # critical | warning, from the expectation's meta
    success: bool | None  # None: the rule raised and could not be evaluated
    unexpected_count: int | None
    element_count: int | None
    unexpected_percent: float | None  # of ALL rows (element_count), not GX's "of non-null"
    expectation_type: str = ""
    error: str | None = None

    @property
    def failure_rate(self) -> float | None:
        if self.unexpected_count is None or not self.element_count:
            return None
        return self.unexpected_count / self.element_count


@dataclass
class FeedValidation:
    feed_key: str
    sector_slug: str
    relation: str
    status: str  # validated | not_validated | error
    rows: int | None
    rules: list[RuleResult] = field(default_factory=list)
    blocks_publication: bool = False
    blocking_rules: tuple[str, ...] = ()
    tolerance: float = DEFAULT_TOLERANCE
    seconds: float = 0.0  # GX validation time of this feed
    message: str | None = None
    validated_at: dt.datetime | None = None
    query: str | None = None  # the batch, when narrower than the whole relation

    @property
    def success(self) -> bool:
        return self.status == VALIDATED and all(r.success for r in self.rules)

    @property
    def failed_rules(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.success]

    def rule(self, rule_id: str) -> RuleResult:
        for r in self.rules:
            if r.rule_id == rule_id:
                return r
        raise KeyError(rule_id)


# --------------------------------------------------------------------------- configuration


def quality_config_path() -> Path:
    return Path(os.environ.get(QUALITY_CONFIG_ENV, settings.CONFIG_DIR / "quality.yaml"))


def critical_failure_tolerance(path: Path | None = None) -> float:
    """``critical_failure_tolerance`` from config/quality.yaml (0.2 if the file is absent)."""
    path = path or quality_config_path()
    if not path.exists():
        log.warning("%s not found; critical_failure_tolerance defaults to %s", path, DEFAULT_TOLERANCE)
        return DEFAULT_TOLERANCE
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    value = doc.get("critical_failure_tolerance", DEFAULT_TOLERANCE)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{path}: critical_failure_tolerance must be a number in [0, 1], not {value!r}")
    return float(value)


def default_data_docs_dir() -> Path:
    return settings.reports_dir() / "data_docs"


def validation_results_dir(data_docs_dir: Path | str | None = None) -> Path:
    """Where the validation results behind a Data Docs site are kept: ``<site>/../gx_validations``."""
    return Path(data_docs_dir or default_data_docs_dir()).resolve().parent / "gx_validations"


# --------------------------------------------------------------------------- GX context


def _project_config(project_dir: Path, data_docs_dir: Path) -> dict:
    """The project's great_expectations.yml with paths made absolute and Data Docs redirected."""
    doc = yaml.safe_load((project_dir / "great_expectations.yml").read_text(encoding="utf-8"))
    # an in-process (ephemeral) context: no config-variables file, plugins or stored data sources
    for key in ("config_variables_file_path", "plugins_directory", "fluent_datasources"):
        doc.pop(key, None)
    doc["analytics_enabled"] = False
    for store in doc.get("stores", {}).values():
        backend = store.get("store_backend") or {}
        base = backend.get("base_directory")
        if base and not Path(base).is_absolute():
            backend["base_directory"] = str((project_dir / base).resolve())
    # the results live beside the site they feed, so a run with its own reports directory (the
    # end-to-end tests, a second environment) never mixes its results into another's Data Docs
    results_store = doc["stores"][doc.get("validation_results_store_name", "validation_results_store")]
    results_store["store_backend"]["base_directory"] = str(validation_results_dir(data_docs_dir))
    sites = doc.get("data_docs_sites") or {}
    if SITE_NAME not in sites:
        raise ValueError(f"{project_dir / 'great_expectations.yml'}: no data docs site {SITE_NAME!r}")
    sites[SITE_NAME]["store_backend"]["base_directory"] = str(Path(data_docs_dir).resolve())
    return doc


def open_context(data_docs_dir: Path | str | None = None, *, project_dir: Path | str | None = None):
    """An ephemeral GX context configured from the project (``expectations/``).

    Ephemeral because a file context persists data sources -- with their connection string -- into
    great_expectations.yml. Suites, validation definitions and checkpoints are held in memory
    (rebuilt every run); validation results are files beside the Data Docs site
    (:func:`validation_results_dir`), so the site lists every run made into it.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    project_dir = Path(project_dir or settings.EXPECTATIONS_DIR)
    data_docs_dir = Path(data_docs_dir or default_data_docs_dir())
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    return gx.get_context(mode="ephemeral", project_config=_project_config(project_dir, data_docs_dir))


def add_datasource(context, location: warehouse.WarehouseLocation):
    """The warehouse as a generic SQL data source whose sessions start in the staging schema.

    Generic, because ``add_postgres`` rejects the embedded server's Unix-socket URL. The schema is
    set through ``search_path`` rather than each table asset's ``schema_name``, which GX 1.x
    deprecates ("pass the schema in your datasource's connection configuration").
    """
    from great_expectations.datasource.fluent.interfaces import GxDatasourceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GxDatasourceWarning)  # "a PostgresDatasource may be more appropriate"
        return context.data_sources.add_or_update_sql(
            name=DATASOURCE_NAME,
            connection_string=location.sqlalchemy_url(),
            kwargs={"connect_args": {"options": f"-c search_path={gx_suites.STAGING_SCHEMA},public"}},
        )


# --------------------------------------------------------------------------- database side


def _existing_relations(conn: psycopg.Connection, names: Sequence[str]) -> set[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = any(%s) and c.relkind in ('r', 'v', 'm', 'p', 'f')",
        (gx_suites.STAGING_SCHEMA, list(names)),
    ).fetchall()
    return {r[0] for r in rows}


def ensure_audit_table(conn: psycopg.Connection) -> None:
    # serialised: two sectors validated in parallel must not race on "create ... if not exists"
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (AUDIT_TABLE,))
        conn.execute(AUDIT_DDL)


def persist_results(location: warehouse.WarehouseLocation, run_id: str,
                    validations: Iterable[FeedValidation]) -> int:
    """Append (or, for a re-run of the same run id, replace) the rule outcomes in the audit table."""
    rows = [
        (run_id, v.validated_at, v.feed_key, r.rule_id, r.kind, r.severity, r.success,
         r.unexpected_count, r.element_count)
        for v in validations if v.validated_at is not None
        for r in v.rules
    ]
    with warehouse.connect(location, autocommit=True) as conn:
        ensure_audit_table(conn)
        if not rows:
            return 0
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                f"insert into {AUDIT_TABLE} (run_id, validated_at, feed_key, rule_id, kind, severity,"
                " success, unexpected_count, element_count) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " on conflict (run_id, feed_key, rule_id) do update set"
                " validated_at = excluded.validated_at, kind = excluded.kind,"
                " severity = excluded.severity, success = excluded.success,"
                " unexpected_count = excluded.unexpected_count, element_count = excluded.element_count",
                rows,
            )
    return len(rows)


# --------------------------------------------------------------------------- evaluation


def _exception_message(info) -> str | None:
    """The first exception GX reports for an expectation, if any.

    ``exception_info`` is ``{"raised_exception": ..., "exception_message": ...}`` when the
    expectation itself raised, but a dict of such dicts keyed by metric id when a METRIC failed
    (e.g. a missing column) -- and then ``success`` is simply False with an empty result.
    """
    if not isinstance(info, dict):
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            message = str(candidate.get("exception_message") or "exception").strip()
            return message if len(message) <= 300 else message[:297] + "..."
    return None


def _rule_result(evr, rows: int | None) -> RuleResult:
    meta = gx_suites.rule_meta(evr.expectation_config)
    result = evr.result or {}
    if "unexpected_count" in result:  # column, column-pair and multicolumn map expectations
        unexpected, element_count = result.get("unexpected_count"), result.get("element_count", rows)
    else:  # UnexpectedRowsExpectation: the number of rows its query returns
        unexpected, element_count = result.get("observed_value"), rows
    error = _exception_message(evr.exception_info)
    if unexpected is None and error is None:
        error = "GX returned no unexpected count"
    if error is not None:  # not evaluated: neither a pass nor a count
        unexpected = None
    element_count = None if element_count is None else int(element_count)
    unexpected = None if unexpected is None else int(unexpected)
    if unexpected is None:
        percent = None
    else:
        percent = 100.0 * unexpected / element_count if element_count else 0.0
    return RuleResult(
        rule_id=meta["rule_id"],
        kind=meta["kind"],
        severity=meta["severity"],
        success=None if error is not None else bool(evr.success),
        unexpected_count=unexpected,
        element_count=element_count,
        unexpected_percent=percent,
        expectation_type=evr.expectation_config.type,
        error=error,
    )


def assess(validation: FeedValidation, tolerance: float) -> FeedValidation:
    """Set ``blocks_publication``: a critical rule failing on more than ``tolerance`` of the rows
    (strictly more), or a critical rule that could not be evaluated (fail closed)."""
    blocking = []
    for r in validation.rules:
        if r.severity != "critical":
            continue
        if r.success is None:
            blocking.append(r.rule_id)
        elif not r.success and validation.rows and (r.unexpected_count or 0) / validation.rows > tolerance:
            blocking.append(r.rule_id)
    validation.tolerance = tolerance
    validation.blocking_rules = tuple(blocking)
    validation.blocks_publication = bool(blocking) or (
        validation.status == ERROR and validation.validated_at is None
    )
    return validation


def gate_relation(feed: Feed) -> str:
    """The materialised gate table of a feed: the staging columns plus the rules each row failed."""
    return f"intermediate.int_gate__{feed.key}"


def pending_rows_query(feed: Feed) -> str:
    """Rows of loads its sector has not had released yet (see pipelines/publish)."""
    return (
        f"select * from {gate_relation(feed)} where load_id > (select coalesce(max(released_up_to_load_id), 0) "
        f"from audit.sector_release where sector_slug = '{feed.sector.slug}')"
    )


def _relation_exists(conn: psycopg.Connection, qualified: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (qualified,)).fetchone()[0]


def _resolve_feeds(feed_keys: Iterable[str]) -> list[Feed]:
    feeds = {f.key: f for f in catalogue().feeds()}
    keys = list(dict.fromkeys(feed_keys))
    unknown = [k for k in keys if k not in feeds]
    if unknown:
        raise KeyError(f"not in the catalogue: {unknown}")
    return [feeds[k] for k in keys]


def validate_feeds(
    location: warehouse.WarehouseLocation,
    feed_keys: Iterable[str],
    *,
    run_id: str,
    data_docs_dir: Path | str | None = None,
    tolerance: float | None = None,
    project_dir: Path | str | None = None,
    build_docs: bool = True,
    persist: bool = True,
    pending_only: bool = False,
) -> list[FeedValidation]:
    """Validate each feed's staging relation with its generated suite; see the module docstring.

    ``data_docs_dir`` defaults to ``credit.settings.reports_dir() / "data_docs"``; ``tolerance``
    to config/quality.yaml; ``project_dir`` (the GX project, for its stores) to ``expectations/``.
    A feed whose staging view does not exist yet is returned as ``not_validated`` (and does not
    block); a feed whose suite cannot run at all is ``error`` and blocks.

    ``pending_only`` validates only the rows its sector has not yet released for publication
    (loads after ``audit.sector_release``), read from the materialised gate table: the decision
    to block is about the new data, and a broken new load must not hide behind good history.
    """
    feeds = _resolve_feeds(feed_keys)
    tolerance = critical_failure_tolerance() if tolerance is None else float(tolerance)
    out: list[FeedValidation] = []
    validations: dict[str, FeedValidation] = {}

    with warehouse.connect(location, autocommit=True) as conn:
        existing = _existing_relations(conn, [gx_suites.relation_name(f) for f in feeds])
        for feed in feeds:
            rel = gx_suites.relation_name(feed)
            v = FeedValidation(feed.key, feed.sector.slug, gx_suites.qualified_relation(feed),
                               NOT_VALIDATED, None, tolerance=tolerance)
            out.append(v)
            if rel not in existing:
                v.message = f"{v.relation} does not exist yet (no data received for this feed)"
                continue
            if pending_only:
                if not _relation_exists(conn, gate_relation(feed)):
                    v.message = f"{gate_relation(feed)} does not exist yet (the gate has not run)"
                    continue
                v.relation = f"{gate_relation(feed)} (loads not yet released)"
                v.query = pending_rows_query(feed)
            try:
                v.rows = conn.execute(f"select count(*) from ({v.query or 'select * from ' + v.relation}) q").fetchone()[0]
            except psycopg.Error as exc:
                v.status, v.message = ERROR, f"cannot read {v.relation}: {exc}".strip()
                continue
            if pending_only and v.rows == 0:
                # Nothing new since the sector's last release (e.g. a rerun over files already
                # landed): there is no new delivery to judge, and GX cannot evaluate a rule on an
                # empty batch -- which would otherwise fail closed and block a healthy sector.
                v.status, v.message = NOT_VALIDATED, "no rows awaiting release: nothing to validate"
                continue
            validations[feed.key] = v

    if validations:
        _run_gx(location, feeds, validations, run_id, data_docs_dir, project_dir, build_docs)
    for v in out:
        assess(v, tolerance)
    if persist:
        persist_results(location, run_id, out)
    return out


def _run_gx(location, feeds, validations, run_id, data_docs_dir, project_dir, build_docs) -> None:
    """Run the suites of ``validations`` (feeds whose relation exists) and fill in their results."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.core.validation_definition import ValidationDefinition

    t0 = time.perf_counter()
    context = open_context(data_docs_dir, project_dir=project_dir)
    datasource = add_datasource(context, location)
    run = RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.timezone.utc))
    setup = time.perf_counter() - t0
    result_ids = []
    try:
        for feed in feeds:
            v = validations.get(feed.key)
            if v is None:
                continue
            t1 = time.perf_counter()
            try:
                if v.query:
                    asset = datasource.add_query_asset(name=feed.key, query=v.query)
                else:
                    asset = datasource.add_table_asset(name=feed.key, table_name=gx_suites.relation_name(feed))
                batch = asset.add_batch_definition_whole_table(BATCH_DEFINITION_NAME)
                # add, not add_or_update: the stores are in memory and fresh, and add_or_update
                # compares every expectation with every stored one (pydantic __eq__, O(n^2)) and
                # is called again by validation_definitions.add_or_update -- ~0.5 s per feed.
                suite = context.suites.add(gx_suites.build_suite(feed))
                definition = context.validation_definitions.add(
                    ValidationDefinition(name=feed.key, data=batch, suite=suite)
                )
                result = definition.run(run_id=run, result_format=RESULT_FORMAT)
            except Exception as exc:  # noqa: BLE001 -- reported per feed, the others still run
                log.exception("GX could not validate %s", feed.key)
                v.status, v.message = ERROR, f"GX could not validate {v.relation}: {exc}"
                v.seconds = time.perf_counter() - t1
                continue
            v.seconds = time.perf_counter() - t1
            v.validated_at = dt.datetime.now(dt.timezone.utc)
            v.rules = _rule_results(feed, result, v.rows)
            errors = [r for r in v.rules if r.success is None]
            v.status = ERROR if errors else VALIDATED
            if errors:
                v.message = f"{len(errors)} rule(s) not evaluated: " + "; ".join(
                    f"{r.rule_id}: {r.error}" for r in errors[:3])
            result_ids.append(_validation_result_id(result, definition, run))
        log.info(
            "GX: context %.2fs; %s", setup,
            ", ".join(f"{v.feed_key} {v.seconds:.2f}s ({len(v.rules)} rules, {v.rows} rows)"
                      for v in validations.values()),
        )
        if build_docs and result_ids:
            t2 = time.perf_counter()
            context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=result_ids)
            log.info("GX: Data Docs for %d validations in %.2fs", len(result_ids), time.perf_counter() - t2)
    finally:
        datasource.get_engine().dispose()  # one engine per call: do not leave its pool behind


def _rule_results(feed: Feed, result, rows: int | None) -> list[RuleResult]:
    """One RuleResult per rule of the feed, in the rules' order; a rule GX returned no result for
    is reported as not evaluated (so a critical one blocks) rather than silently dropped."""
    by_id = {}
    for evr in result.results:
        r = _rule_result(evr, rows)
        by_id[r.rule_id] = r
    out = []
    for rule in rules_for(feed):
        out.append(by_id.pop(rule.rule_id, None) or RuleResult(
            rule.rule_id, rule.kind, rule.severity, None, None, rows, None, error="no result from GX"))
    if by_id:  # cannot happen with suites built from the same rules; never ignore it quietly
        raise RuntimeError(f"{feed.key}: GX results for unknown rules {sorted(by_id)}")
    return out


def _validation_result_id(result, definition, run):
    """The store key of a validation result -- built the way Checkpoint._build_result_key does."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=definition.suite.name),
        run_id=run,
        batch_identifier=result.batch_id,
    )


def build_data_docs(data_docs_dir: Path | str | None = None, *,
                    project_dir: Path | str | None = None, full: bool = False) -> Path:
    """Bring the Data Docs site up to date with the stored validation results; return its index.html.

    Renders the pages of stored results that have none yet (validate_feeds renders its own as it
    goes), then the index. ``full=True`` re-renders every page. The index lists the newest
    ``validation_results_limit`` results (great_expectations.yml): GX reads each listed result to
    build it, about 5 ms apiece.
    """
    from great_expectations.data_context.store.html_site_store import HtmlSiteStore

    data_docs_dir = Path(data_docs_dir or default_data_docs_dir())
    context = open_context(data_docs_dir, project_dir=project_dir)
    if full:
        context.build_data_docs(site_names=[SITE_NAME])
        return data_docs_dir / "index.html"
    keys = sorted(context.validation_results_store.list_keys(), key=lambda k: k.run_id.run_time, reverse=True)
    limit = (context.get_config().data_docs_sites or {}).get(SITE_NAME, {}) \
        .get("site_index_builder", {}).get("validation_results_limit")
    keys = keys[:limit] if limit else keys
    site = HtmlSiteStore(store_backend={"class_name": "TupleFilesystemStoreBackend",
                                        "base_directory": str(data_docs_dir.resolve())})
    missing = [k for k in keys if site.get_url_for_resource(k, only_if_exists=True) is None]
    if keys:
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=missing or keys[:1])
    else:
        context.build_data_docs(site_names=[SITE_NAME])
    return data_docs_dir / "index.html"
