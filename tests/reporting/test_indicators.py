"""Reporting's indicators through its HTTP API: a plan's suspension within a period, the
figures a rebuild reaches again, who may ask for what, and what a bad query is answered."""
from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime

import pytest

from services.reporting.rebuild import forget_everything
from shared.events import Envelope, intake as i
from shared.testing import assert_problem, indicator
from tests.reporting.generated import network

PLAN, CLIENT = uuid.uuid4(), uuid.uuid4()


def at(month: int, day: int) -> datetime:
    return datetime(2021, month, day, 9, tzinfo=UTC)


def wrapped(event, when: datetime) -> Envelope:
    return Envelope.wrap(event, municipality="BG-RAK").model_copy(update={"time": when})


def a_plan_suspended_and_resumed() -> list[Envelope]:
    """Runs from 1 January, suspended from 1 March, resumed from 1 May, ended from 1 September."""
    plan = {"careplan_id": PLAN, "client_id": CLIENT, "municipality": "BG-RAK", "programme": "patronage",
            "settlement_id": None, "location": None, "language": "bg", "starts_on": date(2021, 1, 1),
            "ends_on": None, "lines": []}
    stop = {"careplan_id": PLAN, "client_id": CLIENT, "municipality": "BG-RAK"}
    return [
        wrapped(i.MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg", timezone="Europe/Sofia"),
                at(1, 1)),
        wrapped(i.CarePlanActivated(**plan, active_since=date(2021, 1, 1)), at(1, 1)),
        wrapped(i.CarePlanSuspended(**stop, effective_on=date(2021, 3, 1), reason="hospital_stay"), at(2, 27)),
        wrapped(i.CarePlanActivated(**plan, active_since=date(2021, 5, 1)), at(4, 30)),
        wrapped(i.CarePlanEnded(**stop, effective_on=date(2021, 9, 1), reason="deceased"), at(9, 2)),
    ]


def active_plans(reporting, auth, first: str, last: str) -> float | None:
    answer = reporting.get("/indicators", params={"municipality": "BG-RAK", "from": first, "to": last},
                           headers=auth("coordinator", "BG-RAK"))
    return indicator(answer.json(), "care_plans_active")


@pytest.mark.parametrize("order", ["as published", "backwards"])
def test_a_period_within_a_suspension_does_not_count_the_plan_one_that_spans_it_does(
        service_runtime, reporting, auth, order):
    events = a_plan_suspended_and_resumed()
    service_runtime("reporting").consumer().apply(events if order == "as published" else events[::-1])
    assert active_plans(reporting, auth, "2021-03-01", "2021-04-30") == 0  # suspended throughout
    assert active_plans(reporting, auth, "2021-02-01", "2021-02-28") == 1
    assert active_plans(reporting, auth, "2021-02-15", "2021-05-15") == 1  # spans the suspension
    assert active_plans(reporting, auth, "2021-04-30", "2021-05-01") == 1  # its first day back
    assert active_plans(reporting, auth, "2021-08-31", "2021-09-30") == 1  # its last day
    assert active_plans(reporting, auth, "2021-09-01", "2021-12-31") == 0  # ended


def test_a_rebuild_reaches_exactly_the_same_figures(service_runtime, reporting, auth):
    events = network(seed=5, clients=25)
    runtime = service_runtime("reporting")

    def figures() -> list[dict]:
        return [reporting.get("/indicators", params={"quarter": f"2021-Q{q}", "by": by},
                              headers=auth("network_admin", "*")).json()["indicators"]
                for q in (1, 3) for by in ("municipality", "age_band", "staff_role")]

    runtime.consumer().apply(events)
    before = figures()
    with runtime.database.transaction() as session:
        forget_everything(session=session)
    assert figures() != before  # forgotten
    runtime.consumer().apply(random.Random(1).sample(events, len(events)))  # again, in another order
    assert figures() == before


def test_indicators_are_for_aggregate_readers_of_their_municipalities(reporting, auth):
    assert_problem(reporting.get("/indicators?month=2021-07"), 401)
    assert_problem(reporting.get("/indicators?month=2021-07", headers=auth("worker", "BG-RAK")), 403)
    answer = reporting.get("/indicators?municipality=BG-RAK&month=2021-07", headers=auth("coordinator", "BG-PER"))
    assert_problem(answer, 403)


def test_an_unknown_municipality_or_network_is_404(reporting, auth):
    admin = auth("network_admin", "*")
    assert_problem(reporting.get("/indicators?municipality=BG-XXX&month=2021-07", headers=admin), 404)
    assert_problem(reporting.get("/indicators?network=nowhere&month=2021-07", headers=admin), 404)


@pytest.mark.parametrize(("query", "field"), [
    ("", "from"), ("from=2021-01-01", "to"), ("to=2021-01-01", "from"), ("from=2021-02-01&to=2021-01-01", "to"),
    ("month=2021-07&quarter=2021-Q3", "quarter"), ("month=2021-13", "query.month"),
    ("quarter=2021-Q5", "query.quarter"),
    ("from=2021-01-01&to=2030-01-01", "to"), ("from=1800-01-01&to=1800-02-01", "from"),
    ("from=9999-12-31&to=9999-12-31", "from"), ("month=2021-07&by=colour", "query.by"),
    ("month=2021-07&sex=maybe", "query.sex"), ("month=2021-07&age_band=10-20", "age_band"),
    ("month=2021-07&settlement=x", "query.settlement"), ("month=2021-07&programme=A B", "query.programme"),
    ("month=2021-07&colour=red", "query.colour"),
])
def test_a_bad_query_is_422_naming_the_field(reporting, auth, query, field):
    assert_problem(reporting.get(f"/indicators?{query}", headers=auth("analyst", "*")), 422, field)
