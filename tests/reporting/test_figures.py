"""Every indicator against a second, naive count of the same events (tests/reporting/naive.py),
for periods, municipalities, filters and breakdowns, on SQLite and PostgreSQL; with the events
applied in a shuffled order, some twice, as a replayed feed and a retried queue deliver them."""
from __future__ import annotations

import random
from datetime import date

import pytest

from services.reporting.indicators.figures import INDICATORS
from tests.reporting import naive
from tests.reporting.generated import PLACES, network

EVENTS = network(seed=11)
EVERYWHERE = set(PLACES)


@pytest.fixture
def applied(service_runtime):
    """Reporting with every generated event applied, shuffled, a tenth of them twice."""
    runtime = service_runtime("reporting")
    shuffled = random.Random(3).sample(EVENTS, len(EVENTS))
    shuffled += random.Random(4).sample(EVENTS, len(EVENTS) // 10)
    consumer = runtime.consumer()
    for start in range(0, len(shuffled), 200):
        consumer.apply(shuffled[start:start + 200])
    return runtime


def expected(ask: naive.Ask) -> dict:
    return naive.answer(EVENTS, ask)


def compare(reporting, auth, ask: naive.Ask, **query) -> dict:
    params = {"from": ask.first.isoformat(), "to": ask.last.isoformat(), **ask.filters, **query}
    if ask.by:
        params["by"] = ask.by
    answer = reporting.get("/indicators", params=params, headers=auth("analyst", "*"))
    assert answer.status_code == 200, answer.text
    got = {figure["code"]: figure for figure in answer.json()["indicators"]}
    wanted = expected(ask)
    for indicator in INDICATORS:
        want = wanted[indicator.code]
        if want == naive.NOT_APPLICABLE:
            assert indicator.code in answer.json()["not_applicable"], indicator.code
            continue
        empty = None if indicator.rows else indicator.combine([])
        if ask.by is None:
            assert got[indicator.code]["total"] == want.get("total", empty), indicator.code
        else:
            assert got[indicator.code]["breakdown"] == want, (indicator.code, got[indicator.code]["breakdown"], want)
    return got


YEAR = naive.Ask(date(2021, 1, 1), date(2021, 12, 31), EVERYWHERE, {}, None)


def test_a_whole_year_everywhere(applied, reporting, auth):
    got = compare(reporting, auth, YEAR)
    assert got["visits_planned"]["total"] > 50 and got["care_plans_active"]["total"] > 10  # the figures count something


@pytest.mark.parametrize("by", ["municipality", "settlement", "programme", "service_type", "target_group",
                                "age_band", "sex", "staff_role", "kind", "channel"])
def test_a_quarter_broken_down(applied, reporting, auth, by):
    compare(reporting, auth, naive.Ask(date(2021, 4, 1), date(2021, 6, 30), EVERYWHERE, {}, by))
