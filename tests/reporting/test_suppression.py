"""Small counts suppressed for the analyst and the funder: the rule alone, then every figure
of a generated year as they see it against the exact figures a coordinator sees."""
from __future__ import annotations

import pytest

from services.reporting.indicators.figures import INDICATORS
from services.reporting.indicators.rules import WHOLE, Cells, following, suppressed
from shared.testing import assert_problem
from tests.reporting.test_figures import applied  # noqa: F401  (the fixture)


def hidden(cells: Cells) -> set[str]:
    return {key for key, value in (cells.breakdown or {}).items() if value is None} | (
        {WHOLE} if cells.total is None else set())


def test_a_count_under_the_threshold_is_hidden_a_zero_is_not():
    assert suppressed(Cells(4, None), 5).total is None
    assert suppressed(Cells(5, None), 5).total == 5
    assert suppressed(Cells(0, None), 5).total == 0
    assert suppressed(Cells(1, None), 0).total == 1  # a threshold of 0 hides nothing


def test_a_single_hidden_value_takes_the_next_smallest_with_it():
    """Else the total less the others would tell it: 30 - 20 - 7 = 3."""
    cells = suppressed(Cells(30, {"female": 20, "male": 7, "other": 3, "unknown": 0}), 5)
    assert (cells.total, cells.breakdown) == (30, {"female": 20, "male": None, "other": None, "unknown": 0})


def test_two_hidden_values_need_no_more():
    cells = suppressed(Cells(30, {"a": 25, "b": 3, "c": 2}), 5)
    assert cells.breakdown == {"a": 25, "b": None, "c": None} and cells.total == 30


def test_with_nothing_else_to_hide_the_total_goes():
    cells = suppressed(Cells(9, {"a": 3, "b": 0}), 5)
    assert cells.total is None and cells.breakdown == {"a": None, "b": 0}


def test_a_hidden_total_hides_its_breakdown():
    assert suppressed(Cells(4, {"a": 2, "b": 2}), 5).breakdown == {"a": None, "b": None}


def test_hours_hide_what_their_visits_hide():
    visits = suppressed(Cells(12, {"a": 9, "b": 3}), 5)
    hours = following(Cells(20.5, {"a": 15.0, "b": 5.5}), visits)
    assert hours.breakdown == {"a": None, "b": None} and hours.total == 20.5


@pytest.mark.parametrize("by", [None, "municipality", "sex", "age_band", "staff_role", "kind"])
def test_what_an_analyst_sees_gives_no_small_count_away(applied, reporting, auth, by):  # noqa: F811
    query = {"from": "2021-01-01", "to": "2021-06-30", **({"by": by} if by else {})}
    exact = figures(reporting.get("/indicators", params=query, headers=auth("coordinator", "*")).json())
    seen = figures(reporting.get("/indicators", params=query, headers=auth("analyst", "*")).json())
    assert any(cells.suppressed for cells in seen.values())  # the year has small counts to hide
    for indicator in (i for i in INDICATORS if i.code in seen):
        code, shown, true = indicator.code, seen[indicator.code], exact[indicator.code]
        for key, value in shown.values().items():
            assert value is None or value == true.values()[key], (code, key)  # shown as they are
            if indicator.counted_by is None and value is not None:
                assert not 0 < value < 5, (code, key)  # nothing small shown
        if shown.breakdown is not None and WHOLE not in hidden(shown):
            assert len(hidden(shown)) != 1, code  # a single hidden value would follow from the total
        if indicator.counted_by:
            assert hidden(seen[indicator.counted_by]) <= hidden(shown), code


def test_the_funder_sees_as_the_analyst_the_coordinator_exactly(applied, reporting, auth):  # noqa: F811
    query = {"municipality": "BG-MTR", "quarter": "2021-Q2"}
    answers = {role: reporting.get("/indicators", params=query, headers=auth(role, "BG-MTR")).json()
               for role in ("funder", "analyst", "coordinator")}
    assert answers["funder"] == answers["analyst"] != answers["coordinator"]
    assert not any(figure["suppressed"] for figure in answers["coordinator"]["indicators"])
    assert_problem(reporting.get("/indicators", params=query, headers=auth("funder", "BG-PER")), 403)


def figures(answer: dict) -> dict[str, Cells]:
    return {f["code"]: Cells(f["total"], f["breakdown"], frozenset(["x"] if f["suppressed"] else []))
            for f in answer["indicators"]}
