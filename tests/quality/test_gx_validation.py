"""GX, run in the database on hand-made staging tables, agrees with the rules' SQL predicates."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from decimal import Decimal

import pytest

from credit.gx import runner
from credit.gx import suites as gx_suites
from ingest_connectors.catalogue import catalogue
from ingest_connectors.catalogue.rules import rules_for

from gx_staging import create_staging_table, feed, random_rows

FEED = "taxation__penalty"
TODAY = dt.date.today()


def base_row(i: int) -> dict:
    """A taxation penalty that passes every rule."""
    return {
        "load_id": "L1", "feed_key": FEED, "source_name": "test.csv", "source_row_number": i,
        "content_hash": "h", "received_at": "2024-06-01T00:00:00Z",
        "subject_name": f"某某商贸有限公司{i}",
        "subject_category": "法人及非法人组织", "subject_category__raw": "法人及非法人组织",
        "uscc": "91350100M000100Y43", "uscc__status": "valid", "uscc__raw": "91350100M000100Y43",
        "legal_rep_name": "张三",
        "decision_number": f"税罚〔2024〕{i}号",
        "violation_type": "未按期申报", "violation_facts": "逾期申报", "legal_basis": "税收征管法第六十二条",
        "penalty_types": "罚款", "penalty_types__raw": "罚款", "penalty_content": "罚款两千元",
        "fine_wan_yuan": Decimal("0.2"), "fine_wan_yuan__raw": "0.2",
        "decision_date": dt.date(2024, 3, 1), "decision_date__format": "standard",
        "decision_date__raw": "2024/03/01",
        "valid_until": dt.date(2027, 3, 1), "valid_until__format": "standard", "valid_until__raw": "2027/03/01",
        "authority_name": "国家税务总局某市税务局",
        "authority_uscc": "11350100MB0000000X", "authority_uscc__status": "valid",
        "authority_uscc__raw": "11350100MB0000000X",
        "source_department": "某市税务局",
        "source_department_uscc": "11350100MB0000000X", "source_department_uscc__status": "valid",
        "source_department_uscc__raw": "11350100MB0000000X",
    }


NATURAL_PERSON = {
    "subject_category": "自然人", "subject_category__raw": "自然人", "uscc": None, "uscc__status": None,
    "uscc__raw": None, "legal_rep_name": None, "id_type": "身份证", "id_type__raw": "身份证",
    "id_number_hash": "h", "id_number_masked": "350102********1234", "id_number__status": "valid",
}
NO_FINE = {"fine_wan_yuan": None, "fine_wan_yuan__raw": None}

#: (overrides of a clean row, rules the row is meant to break)
DEFECTS: list[tuple[dict, tuple[str, ...]]] = [
    ({"subject_name": None}, ("subject_name.required",)),
    ({"subject_name": "长" * 201}, ("subject_name.max_length",)),
    ({"subject_name": "某公司\n分公司"}, ("subject_name.single_line",)),
    ({"subject_name": "某公司'; drop table x; --"}, ("subject_name.pattern",)),
    ({"subject_category": None, "subject_category__raw": None}, ("subject_category.required",)),
    ({"subject_category": None, "subject_category__raw": "外星人"}, ("subject_category.enum",)),
    ({"uscc": None, "uscc__status": "absent", "uscc__raw": None}, ("uscc.conditional",)),
    ({"uscc__status": "bad_check_char"}, ("uscc.check_digit",)),
    (NATURAL_PERSON, ()),  # NULL status: passes check_digit, and no uscc is needed
    ({"legal_rep_name": None}, ("legal_rep_name.conditional",)),
    ({"legal_rep_name": "张\r三"}, ("legal_rep_name.single_line",)),
    ({"legal_rep_id_type": None, "legal_rep_id_type__raw": "护照X"}, ("legal_rep_id_type.enum",)),
    ({"legal_rep_id_type": "身份证", "legal_rep_id_type__raw": "身份证"}, ()),
    ({"legal_rep_id_number__status": "bad_check_char"}, ("legal_rep_id_number.check_digit",)),
    ({"legal_rep_id_number__status": "absent"}, ()),
    ({**NATURAL_PERSON, "id_type": None, "id_type__raw": None, "id_number__status": "absent"},
     ("id_type.conditional", "id_number.conditional")),
    ({**NATURAL_PERSON, "id_type": None, "id_type__raw": "身份"}, ("id_type.enum",)),
    ({**NATURAL_PERSON, "id_number__status": "malformed"}, ("id_number.check_digit",)),
    ({"decision_number": None}, ("decision_number.required",)),
    ({"decision_number": "X" * 129}, ("decision_number.max_length",)),
    ({"violation_type": None, "violation_facts": None, "legal_basis": None, "penalty_content": None},
     ("violation_type.required", "violation_facts.required", "legal_basis.required", "penalty_content.required")),
    ({"violation_type": "a\nb", "violation_facts": "第一行\n第二行", "legal_basis": "a\rb",
      "penalty_content": "x\ny", "remarks": "备\n注", "authority_name": "某\n局", "source_department": "某\n局"},
     ("violation_type.single_line", "violation_facts.single_line", "legal_basis.single_line",
      "penalty_content.single_line", "remarks.single_line", "authority_name.single_line",
      "source_department.single_line")),
    ({"penalty_types": None, "penalty_types__raw": None, **NO_FINE}, ("penalty_types.required",)),
    ({"penalty_types": None, "penalty_types__raw": "罚"}, ("penalty_types.enum",)),
    (NO_FINE, ("fine_wan_yuan.conditional",)),
    ({"fine_wan_yuan": None, "fine_wan_yuan__raw": "两千元"}, ("fine_wan_yuan.parseable",)),
    ({"fine_wan_yuan": Decimal("-1"), "fine_wan_yuan__raw": "-1"}, ("fine_wan_yuan.min_value",)),
    ({"fine_wan_yuan": Decimal("200000"), "fine_wan_yuan__raw": "200000"}, ("fine_wan_yuan.max_value",)),
    ({"fine_wan_yuan": Decimal("100000"), "fine_wan_yuan__raw": "100000"}, ()),  # bounds are inclusive
    ({"fine_wan_yuan": Decimal("0"), "fine_wan_yuan__raw": "0"}, ()),
    # beyond double precision: numeric says > 100000; a float comparison would say = 100000
    ({"fine_wan_yuan": Decimal("100000.000000000000000001"), "fine_wan_yuan__raw": "100000.000000000000000001"},
     ("fine_wan_yuan.max_value",)),
    ({"penalty_types": "罚款、没收违法所得", "penalty_types__raw": "罚款、没收违法所得"},
     ("confiscated_wan_yuan.conditional",)),
    ({"penalty_types": "没收违法所得", "penalty_types__raw": "没收违法所得", **NO_FINE,
      "confiscated_wan_yuan": None, "confiscated_wan_yuan__raw": "abc"}, ("confiscated_wan_yuan.parseable",)),
    ({"penalty_types": "没收违法所得", "penalty_types__raw": "没收违法所得", **NO_FINE,
      "confiscated_wan_yuan": Decimal("-0.5"), "confiscated_wan_yuan__raw": "-0.5"}, ("confiscated_wan_yuan.min_value",)),
    ({"penalty_types": "没收违法所得", "penalty_types__raw": "没收违法所得", **NO_FINE,
      "confiscated_wan_yuan": Decimal("100000.5"), "confiscated_wan_yuan__raw": "100000.5"},
     ("confiscated_wan_yuan.max_value",)),
    ({"penalty_types": "吊销许可证件", "penalty_types__raw": "吊销许可证件", **NO_FINE, "licence_revoked": None},
     ("licence_revoked.conditional",)),
    ({"penalty_types": "罚款、吊销许可证件", "penalty_types__raw": "罚款、吊销许可证件", "licence_revoked": "许可证\n123"},
     ("licence_revoked.single_line",)),
    ({"misconduct_severity": None, "misconduct_severity__raw": "很严重"}, ("misconduct_severity.enum",)),
    ({"misconduct_severity": "一般", "misconduct_severity__raw": "一般"}, ()),
    ({"decision_date": None, "decision_date__format": None, "decision_date__raw": None}, ("decision_date.required",)),
    ({"decision_date": None, "decision_date__format": None, "decision_date__raw": "2024-13-45"},
     ("decision_date.parseable",)),
    ({"decision_date__format": "excel_serial", "decision_date__raw": "45352"}, ("decision_date.date_format",)),
    ({"decision_date": TODAY + dt.timedelta(days=30), "valid_until": TODAY + dt.timedelta(days=400)},
     ("decision_date.not_in_future",)),
    ({"valid_until": None, "valid_until__format": None, "valid_until__raw": None}, ("valid_until.required",)),
    ({"valid_until": None, "valid_until__format": None, "valid_until__raw": "永久"}, ("valid_until.parseable",)),
    ({"valid_until__format": "compact", "valid_until__raw": "20270301"}, ("valid_until.date_format",)),
    ({"publicity_until": None, "publicity_until__raw": "半年"}, ("publicity_until.parseable",)),
    ({"publicity_until": dt.date(2025, 3, 1), "publicity_until__format": "excel_serial",
      "publicity_until__raw": "45717"}, ("publicity_until.date_format",)),
    ({"authority_name": None}, ("authority_name.required",)),
    ({"authority_uscc": None, "authority_uscc__status": "absent", "authority_uscc__raw": None},
     ("authority_uscc.required",)),
    ({"authority_uscc": None, "authority_uscc__status": None, "authority_uscc__raw": None},
     ("authority_uscc.required",)),  # a NULL status counts as absent here, yet passes check_digit
    ({"authority_uscc__status": "bad_check_char"}, ("authority_uscc.check_digit",)),
    ({"source_department": None}, ("source_department.required",)),
    ({"source_department_uscc__status": None}, ("source_department_uscc.required",)),
    ({"source_department_uscc__status": "malformed"}, ("source_department_uscc.check_digit",)),
    ({"valid_until": dt.date(2023, 1, 1), "valid_until__raw": "2023/01/01"}, ("valid_until.valid_after_decision",)),
    ({"valid_until": dt.date(2024, 3, 1), "valid_until__raw": "2024/03/01"}, ()),  # same day is fine
    # the same decision twice, and three times with one from another authority: 4 repeated rows
    ({"decision_number": "税罚〔2024〕DUP号"}, ("record.unique_decision",)),
    ({"decision_number": "税罚〔2024〕DUP号"}, ("record.unique_decision",)),
    ({"decision_number": "税罚〔2024〕DUP3号"}, ("record.unique_decision",)),
    ({"decision_number": "税罚〔2024〕DUP3号"}, ("record.unique_decision",)),
    ({"decision_number": "税罚〔2024〕DUP3号", "authority_uscc": "12350100MB0000001Y"}, ()),
    # the same number without an authority code: reported as absent, not as a repeat
    ({"decision_number": "税罚〔2024〕NOAUTH号", "authority_uscc": None, "authority_uscc__status": "absent"},
     ("authority_uscc.required",)),
    ({"decision_number": "税罚〔2024〕NOAUTH号", "authority_uscc": None, "authority_uscc__status": "absent"},
     ("authority_uscc.required",)),
]
CLEAN_ROWS = 60


def defect_rows() -> list[dict]:
    rows = [{**base_row(i), **overrides} for i, (overrides, _) in enumerate(DEFECTS)]
    rows += [base_row(len(DEFECTS) + i) for i in range(CLEAN_ROWS)]
    return rows


def sql_failures(db, f, relation: str) -> dict[str, int]:
    return {r.rule_id: db.execute(gx_suites.failing_rows_sql(r, relation)).fetchone()[0] for r in rules_for(f)}


def validate(location, keys, gx_project, run_id, **kw):
    started = time.perf_counter()
    results = runner.validate_feeds(location, keys, run_id=run_id, project_dir=gx_project,
                                    data_docs_dir=gx_project / "data_docs", **kw)
    # the GX timing per feed, shown with `pytest -s`
    for v in results:
        print(f"GX {run_id}: {v.feed_key} {v.status} {v.rows} rows, {len(v.rules)} rules, {v.seconds:.2f} s")
    print(f"GX {run_id}: validate_feeds {time.perf_counter() - started:.2f} s")
    return results


def assert_gx_equals_sql(db, f, validation):
    relation = gx_suites.qualified_relation(f)
    expected = sql_failures(db, f, relation)
    assert validation.status == runner.VALIDATED, validation.message
    got = {r.rule_id: r.unexpected_count for r in validation.rules}
    assert got == expected, {k: (got.get(k), expected.get(k)) for k in expected if got.get(k) != expected[k]}
    for r in validation.rules:
        assert r.success == (expected[r.rule_id] == 0), r
        assert r.element_count == validation.rows
    return expected


def test_gx_counts_equal_sql_predicate_counts(db, location, gx_project):
    """(b) For every rule, GX's unexpected_count == rows failing the rule's SQL predicate."""
    f = feed(FEED)
    rows = defect_rows()
    create_staging_table(db, f, rows)
    [v] = validate(location, [FEED], gx_project, "test-equality", build_docs=False)
    assert v.rows == len(rows)
    expected = assert_gx_equals_sql(db, f, v)

    # the defects are really there: every rule a row was built to break fails at least that often
    intended = Counter(rule for _, broken in DEFECTS for rule in broken)
    present = {r.rule_id for r in rules_for(f)}
    for rule_id, n in intended.items():
        if rule_id in present:
            assert expected[rule_id] >= n, (rule_id, expected[rule_id], n)
    assert expected["record.unique_decision"] == 4  # NULL-keyed repeats are not counted
    assert expected["fine_wan_yuan.max_value"] == 2  # incl. the value beyond double precision
    # every kind of native expectation took part with failures
    types = {gx_suites.rule_meta(e)["rule_id"]: type(e).__name__ for e in gx_suites.build_suite(f).expectations}
    failing_types = {types[k] for k, n in expected.items() if n}
    assert failing_types >= {
        "ExpectColumnValuesToNotBeNull", "ExpectColumnValueLengthsToBeBetween", "ExpectColumnValuesToBeBetween",
        "ExpectColumnValuesToMatchRegex", "ExpectColumnValuesToBeInSet", "ExpectColumnPairValuesAToBeGreaterThanB",
        "ExpectCompoundColumnsToBeUnique", "UnexpectedRowsExpectation",
    } & set(types.values())
    # a few bad rows among many: quarantined by the row gate, but no reason to block the sector
    assert not v.blocks_publication


def _covering_feeds() -> list[str]:
    """A few feeds that together have every (rule kind, expectation, field type) of the catalogue."""
    shapes = {}
    for f in catalogue().feeds():
        types = {gx_suites.rule_meta(e)["rule_id"]: type(e).__name__ for e in gx_suites.build_suite(f).expectations}
        for r in rules_for(f):
            ftype = f.record_type.field(r.column).type if r.predicate and r.column else None
            shapes.setdefault(f.key, set()).add((r.kind, types[r.rule_id], ftype))
    todo = set().union(*shapes.values()) - shapes[FEED]
    chosen = []
    while todo:
        best = max(shapes, key=lambda k: len(shapes[k] & todo))
        chosen.append(best)
        todo -= shapes[best]
    return chosen


def test_gx_counts_equal_sql_on_generated_defects(db, location, gx_project):
    """(b) The same equality on random defects, for feeds covering every shape of the catalogue."""
    keys = _covering_feeds()
    assert len(keys) <= 8
    for i, key in enumerate(keys):
        create_staging_table(db, feed(key), random_rows(feed(key), 120, seed=i))
    results = validate(location, keys, gx_project, "test-generated", build_docs=False)
    for v in results:
        expected = assert_gx_equals_sql(db, feed(v.feed_key), v)
        assert sum(1 for n in expected.values() if n) > len(expected) // 3  # plenty of rules fail


def test_blocks_publication_beyond_the_tolerance(db, location, gx_project):
    """(c) A critical rule failing on more than the tolerance blocks; at or below it does not."""
    tolerance = runner.critical_failure_tolerance()
    assert tolerance == 0.2  # config/quality.yaml
    f = feed(FEED)
    n = 20
    at_limit = math.floor(tolerance * n)  # 4 of 20: exactly the tolerance

    def rows(future: int, warnings: int) -> list[dict]:
        out = [base_row(i) for i in range(n)]
        for row in out[:future]:
            row.update(decision_date=TODAY + dt.timedelta(days=30), valid_until=TODAY + dt.timedelta(days=400))
        for row in out[:warnings]:
            row.update(decision_date__format="excel_serial")
        return out

    create_staging_table(db, f, rows(future=at_limit + 1, warnings=0))
    [v] = validate(location, [FEED], gx_project, "test-block", build_docs=False)
    assert v.blocks_publication and v.blocking_rules == ("decision_date.not_in_future",)
    assert v.rule("decision_date.not_in_future").unexpected_count == at_limit + 1
    assert v.rule("decision_date.not_in_future").unexpected_percent == pytest.approx(100 * (at_limit + 1) / n)

    create_staging_table(db, f, rows(future=at_limit, warnings=n))  # warnings on every row never block
    [v] = validate(location, [FEED], gx_project, "test-no-block", build_docs=False)
    assert not v.rule("decision_date.not_in_future").success
    assert v.rule("decision_date.date_format").unexpected_count == n
    assert not v.blocks_publication and v.blocking_rules == ()

    # a stricter tolerance passed explicitly
    [v] = validate(location, [FEED], gx_project, "test-strict", build_docs=False, tolerance=0.1)
    assert v.blocks_publication


def test_missing_staging_view_is_not_validated(db, location, gx_project):
    db.execute("create schema if not exists staging")
    db.execute("drop table if exists staging.stg_taxation__licence")
    [v] = validate(location, ["taxation__licence"], gx_project, "test-missing")
    assert v.status == runner.NOT_VALIDATED
    assert v.rows is None and v.rules == [] and not v.blocks_publication
    assert "does not exist" in v.message


def test_unknown_feed_is_an_error():
    with pytest.raises(KeyError):
        runner.validate_feeds(None, ["no_such__feed"], run_id="x")


def test_results_are_persisted_and_data_docs_written(db, location, gx_project):
    """(d) Data Docs index.html is written; every rule outcome lands in audit.gx_rule_result."""
    f = feed(FEED)
    create_staging_table(db, f, defect_rows())
    docs = gx_project / "data_docs"
    [v] = validate(location, [FEED, "taxation__licence"], gx_project, "test-docs")[:1]
    index = docs / "index.html"
    assert index.exists()
    assert FEED in index.read_text(encoding="utf-8")
    assert list((docs / "validations").rglob("*.html"))

    rows = db.execute(
        "select rule_id, kind, severity, success, unexpected_count, element_count from audit.gx_rule_result"
        " where run_id = 'test-docs' and feed_key = %s", (FEED,)
    ).fetchall()
    assert len(rows) == len(rules_for(f))
    assert {r[0]: r[4] for r in rows} == {r.rule_id: r.unexpected_count for r in v.rules}
    assert all(r[5] == v.rows for r in rows)

    # a re-run under the same run id replaces, and build_data_docs rebuilds the whole site
    validate(location, [FEED], gx_project, "test-docs", build_docs=False)
    assert db.execute("select count(*) from audit.gx_rule_result where run_id = 'test-docs'").fetchone()[0] == len(rows)
    index.unlink()
    assert runner.build_data_docs(docs, project_dir=gx_project) == index and index.exists()


def test_unexpected_rows_query_survives_colons_and_braces(db, location, gx_project):
    """Predicates reach PostgreSQL unchanged through str.format and sqlalchemy.text."""
    import great_expectations.expectations as gxe

    f = feed(FEED)
    create_staging_table(db, f, [{**base_row(0), "subject_name": ":b{1}"}, base_row(1)])
    context = runner.open_context(gx_project / "data_docs", project_dir=gx_project)
    ds = runner.add_datasource(context, location)
    batch = ds.add_table_asset(name="t", table_name=f"stg_{FEED}").add_batch_definition_whole_table("all").get_batch()
    predicate = "subject_name <> ':b{1}' and '{}'::text[] = '{}'"
    result = batch.validate(gxe.UnexpectedRowsExpectation(
        unexpected_rows_query=gx_suites.unexpected_rows_query(predicate)))
    assert result.result["observed_value"] == 1


def test_a_rule_that_cannot_be_evaluated_fails_closed(db, location, gx_project):
    """A staging view that lost a column: its rules are 'not evaluated', and a critical one blocks."""
    f = feed(FEED)
    create_staging_table(db, f, [base_row(i) for i in range(5)])
    db.execute(f"alter table staging.stg_{FEED} drop column remarks")
    [v] = validate(location, [FEED], gx_project, "test-broken-warning", build_docs=False)
    assert v.status == runner.ERROR and v.rule("remarks.single_line").success is None
    assert not v.blocks_publication  # only a warning rule is affected
    assert all(r.success for r in v.rules if not r.rule_id.startswith("remarks."))

    db.execute(f"alter table staging.stg_{FEED} drop column decision_number")
    [v] = validate(location, [FEED], gx_project, "test-broken-critical", build_docs=False)
    assert v.status == runner.ERROR and v.blocks_publication
    assert "decision_number.required" in v.blocking_rules
    assert v.rule("subject_name.required").success  # the other rules still ran


def test_pending_only_judges_the_unreleased_loads_and_nothing_else(db, location, gx_project):
    """The Dagster gate validates only loads after the sector's release. A rerun with nothing new
    must not block (GX cannot evaluate rules on an empty batch: it would fail closed); a new,
    broken load must block even though the released history is clean."""
    f = feed(FEED)
    n = 10
    clean = [base_row(i) for i in range(n)]
    create_staging_table(db, f, clean)
    gate = runner.gate_relation(f)
    db.execute("create schema if not exists intermediate")
    db.execute("create schema if not exists audit")
    db.execute(f"drop table if exists {gate}")
    # load ids 0..n-1 (one row per load), all released
    db.execute(f"create table {gate} as select * from {gx_suites.qualified_relation(f)}")
    db.execute(f"alter table {gate} alter column load_id type bigint using source_row_number::bigint")
    db.execute("""create table if not exists audit.sector_release (
                      sector_slug text primary key, released_up_to_load_id bigint not null,
                      released_at timestamptz not null default now(), run_id text)""")
    db.execute("insert into audit.sector_release (sector_slug, released_up_to_load_id) values (%s, %s)"
               " on conflict (sector_slug) do update set released_up_to_load_id = excluded.released_up_to_load_id",
               (f.sector.slug, n - 1))

    [v] = validate(location, [FEED], gx_project, "test-pending-none", pending_only=True, build_docs=False)
    assert (v.status, v.rows, v.blocks_publication) == (runner.NOT_VALIDATED, 0, False)
    assert "nothing to validate" in v.message

    # a new load whose every row has a decision date in the future
    db.execute(f"""insert into {gate} select * from {gate} where load_id < 3""")
    db.execute(f"""update {gate} set load_id = load_id + 100, decision_date = current_date + 30,
                       valid_until = current_date + 400 where ctid in (
                       select ctid from {gate} order by ctid desc limit 3)""")
    [v] = validate(location, [FEED], gx_project, "test-pending-new", pending_only=True, build_docs=False)
    assert v.rows == 3
    assert v.blocks_publication and v.blocking_rules == ("decision_date.not_in_future",)
