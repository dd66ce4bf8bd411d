"""Reporting's operational figures on its /metrics, per municipality, from events of today and
the last week, each municipality in its own calendar."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from shared.events import Envelope, intake as i, scheduling as s

NOW = datetime.now(UTC)
CLIENT, PLAN = uuid.uuid4(), uuid.uuid4()


def wrapped(event, at: datetime = NOW) -> Envelope:
    return Envelope.wrap(event).model_copy(update={"time": at})


def visit(outcome: str, days_ago: int) -> list[Envelope]:
    """A home visit due ``days_ago`` days ago at the present hour, made or missed."""
    visit_id, starts = uuid.uuid4(), NOW - timedelta(days=days_ago, minutes=1)
    planned = s.VisitsPlanned(client_id=CLIENT, municipality="BG-RAK", careplan_id=PLAN, visits=[s.PlannedVisit(
        visit_id=visit_id, service_type="home_help", staff_id="helper-1", starts_at=starts,
        ends_at=starts + timedelta(hours=1))])
    ids = {"visit_id": visit_id, "client_id": CLIENT, "municipality": "BG-RAK", "careplan_id": PLAN,
           "service_type": "home_help", "staff_id": "helper-1"}
    ended = (s.VisitCompleted(**ids, started_at=starts, ended_at=starts + timedelta(hours=1)) if outcome == "made"
             else s.VisitMissed(**ids, starts_at=starts, reason="client_absent"))
    return [wrapped(planned, starts - timedelta(days=7)), wrapped(ended, starts)]


def events() -> list[Envelope]:
    today = NOW.date()
    places = [wrapped(i.MunicipalityRegistered(code=code, name=code, language="bg", timezone="Europe/Sofia"),
                      NOW - timedelta(days=400)) for code in ("BG-RAK", "BG-PER")]
    plan = i.CarePlanActivated(careplan_id=PLAN, client_id=CLIENT, municipality="BG-RAK", programme=None,
                               settlement_id=None, location=None, language="bg", starts_on=date(2020, 1, 1),
                               ends_on=None, lines=[], active_since=date(2020, 1, 1))
    case_id = uuid.uuid4()
    case = [i.CaseOpened(case_id=case_id, municipality="BG-RAK", client_id=CLIENT, household_id=None,
                         origin="walk_in", origin_ref=None, category="housing", priority="normal"),
            i.FollowUpRecorded(follow_up_id=uuid.uuid4(), case_id=case_id, municipality="BG-RAK", kind="call",
                               due_on=today - timedelta(days=10), done_on=None)]
    call = s.CheckInUnanswered(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK", staff_id="helper-1",
                               called_at=NOW - timedelta(minutes=1))
    return [*places, wrapped(plan, NOW - timedelta(days=30)), *[wrapped(e, NOW - timedelta(days=20)) for e in case],
            wrapped(call), *visit("made", 0), *visit("missed", 0), *visit("made", 2), *visit("made", 3),
            *visit("missed", 9)]


def gauges(reporting) -> dict[tuple[str, str], float]:
    text = reporting.get("http://testserver/reporting/metrics").text
    return {(family.name, sample.labels["municipality"]): sample.value
            for family in text_string_to_metric_families(text) if family.name.startswith("carecircle_reporting_")
            for sample in family.samples}


def test_todays_figures_per_municipality(service_runtime, reporting):
    service_runtime("reporting").consumer().apply(events())
    shown = gauges(reporting)
    assert {name: value for (name, place), value in shown.items() if place == "BG-RAK"} == {
        "carecircle_reporting_care_plans_active": 1,
        "carecircle_reporting_visits_today": 2,
        "carecircle_reporting_visits_delivered_today": 1,
        "carecircle_reporting_cases_overdue": 1,
        "carecircle_reporting_checkins_unanswered_today": 1,
        "carecircle_reporting_visits_missed_ratio": 0.25,  # of the last seven days: one missed, three made
    }
    assert {place for _, place in shown} == {"BG-RAK", "BG-PER"}  # a series for each municipality known
    assert all(value == 0 for (_, place), value in shown.items() if place == "BG-PER")
