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
    answer = reporting.get("/indicators", params=params, headers=auth("network_admin", "*"))
    assert answer.status_code == 200, answer.text
    got = {figure["code"]: figure for figure in answer.json()["indicators"]}
    wanted = expected(ask)
    for indicator in INDICATORS:
        want = wanted[indicator.code]
        if want == naive.NOT_APPLICABLE:
            assert indicator.code in answer.json()["not_applicable"], indicator.code
            continue
        if ask.by is None:
            assert got[indicator.code]["total"] == want.get("total", _empty(indicator.code)), indicator.code
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


SETTLEMENT = next(e.data["settlement_id"] for e in EVENTS if e.type == "intake.settlement.registered.v1")


@pytest.mark.parametrize("filters", [
    {"programme": "patronage"}, {"service_type": "phone_friend"}, {"target_group": "elderly_65"},
    {"staff_role": "nurse"}, {"age_band": "65-79"}, {"sex": "female"}, {"settlement": SETTLEMENT},
    {"programme": "clubs", "sex": "male"},
])
def test_a_half_year_narrowed(applied, reporting, auth, filters):
    compare(reporting, auth, naive.Ask(date(2021, 1, 1), date(2021, 6, 30), EVERYWHERE, filters, "municipality"))


def test_a_network_counts_its_municipalities_only(applied, reporting, auth):
    got = compare(reporting, auth, naive.Ask(date(2021, 7, 1), date(2021, 10, 31), {"BG-MTR", "BG-BGS"}, {}, None),
                  network="bg-health")
    assert got["clients_served"]["total"] > 0


@pytest.mark.parametrize(("query", "first", "last"), [
    ({"month": "2021-02"}, date(2021, 2, 1), date(2021, 2, 28)),
    ({"quarter": "2021-Q4"}, date(2021, 10, 1), date(2021, 12, 31)),
])
def test_a_month_and_a_quarter_in_polish_time(applied, reporting, auth, query, first, last):
    answer = reporting.get("/indicators", params={"municipality": "PL-WAW", **query}, headers=auth("expert", "*"))
    assert answer.json()["period"] == {"first": first.isoformat(), "last": last.isoformat()}
    wanted = expected(naive.Ask(first, last, {"PL-WAW"}, {}, None))
    got = {figure["code"]: figure["total"] for figure in answer.json()["indicators"]}
    assert got == {code: figure.get("total", _empty(code)) for code, figure in wanted.items()}


def test_a_coordinator_asking_for_the_network_sees_their_own_town(applied, reporting, auth):
    answer = reporting.get("/indicators", params={"network": "bg-health", "quarter": "2021-Q2"},
                           headers=auth("coordinator", "BG-MTR"))
    assert answer.json()["municipalities"] == ["BG-MTR"]
    wanted = expected(naive.Ask(date(2021, 4, 1), date(2021, 6, 30), {"BG-MTR"}, {}, None))
    assert {f["code"]: f["total"] for f in answer.json()["indicators"]} == {
        code: figure.get("total", _empty(code)) for code, figure in wanted.items()}


def _empty(code: str):
    indicator = next(i for i in INDICATORS if i.code == code)
    return None if indicator.rows else indicator.combine([])
