"""The quality gate against the simulator's ground truth on the DEMO preset (issue 6): every
injected defect is caught, by kind, and no clean row is quarantined.

It lives beside the resolution tests because it reads the same demo-preset warehouse (the
``demo`` fixture: every feed landed and ``dbt build`` run), built once per session.
"""

from __future__ import annotations

import pytest

from credit.gate_scorecard import GATE_KINDS, score

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scorecard(demo):
    card = score(demo.location, demo.truth)
    print("\n".join(card.lines()))  # shown with pytest -s
    return card


def test_every_defect_kind_is_injected_and_caught(scorecard):
    assert set(scorecard.by_kind) == set(GATE_KINDS)  # the demo data exercises every kind
    missed = {k: (s.rows - s.caught) for k, s in scorecard.by_kind.items() if s.caught != s.rows}
    assert missed == {}


def test_critical_defects_are_quarantined(scorecard):
    # kinds that break a critical rule on every row they touch (the others may land on a
    # warning-level rule: a date in a non-standard format that still parses, a line break)
    for kind in ("bad_check_digit", "missing_required", "date_2099", "date_in_future", "ragged_row", "sql_text"):
        s = scorecard.by_kind[kind]
        assert s.rejected == s.rows, kind


def test_no_clean_row_is_quarantined_or_flagged(scorecard):
    assert scorecard.clean_rows > 10_000
    assert scorecard.false_positives == 0
    assert scorecard.clean_rows_flagged == 0


def test_every_row_that_arrived_is_accounted_for(scorecard):
    assert scorecard.unmatched_truth_rows == 0
