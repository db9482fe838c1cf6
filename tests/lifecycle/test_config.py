"""The lifecycle configuration is valid, its seeds are up to date, and the platform feeds sit beside
the 20 sectors without being credit records."""

from __future__ import annotations

import copy

import pytest
import yaml

from credit import settings
from credit.codegen import union_sql
from credit.lifecycle import config as lc
from ingest_connectors.catalogue import catalogue


def test_generated_seeds_and_macro_are_up_to_date():
    assert lc.stale_seeds() == [], "run python -m credit.lifecycle.config --write-seeds"


def test_every_list_has_measures_and_every_measure_department_is_a_catalogue_department():
    config = lc.load_config()
    assert {m.list_type for m in config.measures} == set(lc.LIST_TYPES)
    codes = {d.code for s in catalogue().sectors for d in s.departments}
    assert {m.department_code for m in config.measures} <= codes


def test_rules_match_record_types_of_the_catalogue_or_lifecycle_events():
    known = {rt.code for s in catalogue().sectors for rt in s.record_types} | set(lc.EVENT_KINDS)
    for rule in lc.load_config().rules:
        assert set(rule.record_types) <= known, rule.code


def test_only_the_serious_dishonesty_list_vetoes():
    config = lc.load_config()
    assert {r.list_type for r in config.rules if r.vetoes} == {"serious_dishonesty"}


def _raw():
    read = lambda name: yaml.safe_load((settings.CONFIG_DIR / name).read_text(encoding="utf-8"))  # noqa: E731
    from credit.publication import list_terms

    return read("list_rules.yaml"), read("measures.yaml"), read("lifecycle.yaml"), list_terms()


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda r, m, l: r["rules"].append(copy.deepcopy(r["rules"][0])), "duplicate code"),
    (lambda r, m, l: r["rules"][0].update(list="blacklist"), "unknown list"),
    (lambda r, m, l: r["rules"][0]["match"].update(severities=["dreadful"]), "severities"),
    (lambda r, m, l: r["rules"][0].update(term_kind="no_such_kind"), "term_kind"),
    (lambda r, m, l: r["rules"][0]["match"].update(detail="tax_credit_grade"), "detail and values"),
    (lambda r, m, l: m["measures"]["red"][0].update(department="HS-NOPE"), "unknown department"),
    (lambda r, m, l: l.pop("outbox"), "outbox"),
])
def test_bad_configuration_is_refused_with_a_reason(mutate, message):
    rules, measures, lifecycle, terms = _raw()
    mutate(rules, measures, lifecycle)
    with pytest.raises(ValueError, match=message):
        lc.parse(rules, measures, lifecycle, terms)


def test_platform_feeds_are_landed_and_gated_but_not_credit_records():
    cat = catalogue()
    assert len(cat.sectors) == 20
    platform_feeds = [f.key for f in cat.feeds() if cat.is_platform(f)]
    assert sorted(platform_feeds) == sorted(f"credit_platform__{c}" for c in (
        "credit_commitment", "interview_rectification", "credit_repair_application", "credit_objection",
        "voluntary_registration"))
    union = union_sql(cat)
    assert all(f"int_gate__{key}" not in union for key in platform_feeds)
    for key in platform_feeds:
        assert (settings.DBT_PROJECT_DIR / "models" / "intermediate" / "gate" / f"int_gate__{key}.sql").exists()
