"""Visits from care plans on SQLite and PostgreSQL: intake's plan events as scheduling's
handlers apply them, then what the API lists and what the bus is told."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.tasks import extend_visit_horizons
from services.scheduling.visits import service as visits
from shared.events.intake import CarePlanActivated, CarePlanChanged, CarePlanEnded, CarePlanSuspended
from shared.settings import get_settings
from shared.testing import at_once, created
from tests.scheduling.conftest import NOW
from tests.scheduling.test_staff import HELPER

SOFIA = ZoneInfo("Europe/Sofia")
HOME = {"latitude": 42.09, "longitude": 24.0}
HOME_HELP = {"service_type": "home_help", "unit": "hour", "per_week": 6, "duration_minutes": 120,
             "preferred_days": ["mon", "wed", "fri"], "time_windows": [{"start": "09:00", "end": "12:00"}],
             "preferred_worker": None, "place": "home"}
NURSING = {"service_type": "home_nursing", "unit": "visit", "per_week": 1, "duration_minutes": 60,
           "preferred_days": ["tue"], "time_windows": [], "preferred_worker": None, "place": "home"}


def plan_event(kind=CarePlanActivated, *, plan_id=None, client_id=None, lines=(HOME_HELP,), starts_on=date(2026, 12, 1),
               ends_on=None, location=HOME):
    return kind(careplan_id=plan_id or uuid.uuid4(), client_id=client_id or uuid.uuid4(), municipality="BG-RAK",
                programme=None, settlement_id=None, location=location, language="bg", starts_on=starts_on,
                ends_on=ends_on, lines=[{**line, "line_id": line.get("line_id", uuid.uuid4())} for line in lines])


@pytest.fixture
def team(scheduling, catalogue, admin):
    """Two home helpers and a medical specialist of Rakitovo, 08:00-16:30 on weekdays."""
    week = [{"day": day, "start": "08:00", "end": "16:30"} for day in ("mon", "tue", "wed", "thu", "fri")]
    return {name: created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": name, "display_name": name, "roles": [role], "availability": week,
        "contracted_hours_per_week": hours}))["id"]
        for name, role, hours in [("helper-1", "home_helper", 40), ("helper-2", "home_helper", 40),
                                  ("nurse-1", "medical_specialist", 20)]}


def listed(scheduling, headers, **params) -> list[dict]:
    answer = scheduling.get("/visits", params={"limit": 200, **params}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def at(visit: dict, field: str = "starts_at") -> datetime:
    return datetime.fromisoformat(visit[field])


def local(visit: dict) -> datetime:
    return datetime.fromisoformat(visit["starts_at"]).astimezone(SOFIA)


def test_an_activated_plan_gets_four_weeks_of_visits_within_its_rules(scheduling, team, admin, apply, published):
    plan = apply(plan_event(lines=(HOME_HELP, NURSING)))
    planned = listed(scheduling, admin, care_plan_id=str(plan.careplan_id), status="planned")

    help_hours = defaultdict(float)
    for visit in planned:
        start = local(visit)
        assert datetime.fromisoformat(visit["starts_at"]) > NOW and start.date() <= visits.horizon_end(NOW.date())
        if visit["service_type"] == "home_help":
            assert start.strftime("%a") in ("Mon", "Wed", "Fri") and (start.hour, start.minute) == (9, 0)
            help_hours[start.isocalendar().week] += 2
            assert visit["staff_id"] in (team["helper-1"], team["helper-2"])
        else:
            assert start.strftime("%a") == "Tue" and visit["staff_id"] == team["nurse-1"]
    assert list(help_hours.values()) == [6.0] * 4  # four whole weeks from Monday 7 December
    assert len({v["staff_id"] for v in planned if v["service_type"] == "home_help"}) == 1  # the usual worker
    assert {v["location"]["latitude"] for v in planned} == {HOME["latitude"]}
    assigned = {e["data"]["staff_id"] for e in published("scheduling.client.assigned.v1")}
    assert assigned == {"nurse-1", next(s for s in ("helper-1", "helper-2") if team[s] == planned[0]["staff_id"])}


def test_the_preferred_worker_gets_the_visits_and_no_one_is_booked_twice(scheduling, team, admin, apply):
    first = apply(plan_event(lines=({**HOME_HELP, "preferred_worker": team["helper-2"]},)))
    second = apply(plan_event(lines=({**HOME_HELP, "preferred_worker": team["helper-2"]},)))
    mine = listed(scheduling, admin, care_plan_id=str(first.careplan_id))
    assert {v["staff_id"] for v in mine} == {team["helper-2"]}
    theirs = listed(scheduling, admin, care_plan_id=str(second.careplan_id))
    assert {v["staff_id"] for v in theirs} == {team["helper-1"]}  # helper-2 is booked at that hour


def test_visits_no_one_can_do_are_listed_with_the_reason(scheduling, team, admin, apply):
    saturday = {**HOME_HELP, "preferred_days": ["sat"]}
    plan = apply(plan_event(lines=(saturday,)))
    unstaffed = listed(scheduling, admin, unstaffed="true")
    assert unstaffed and {v["care_plan_id"] for v in unstaffed} == {str(plan.careplan_id)}
    assert {v["unstaffed_reason"] for v in unstaffed} == {"not_available"}
    assert listed(scheduling, admin, unstaffed="false", care_plan_id=str(plan.careplan_id)) == []


def test_a_changed_plan_replans_only_what_has_not_started(scheduling, team, admin, apply):
    plan = apply(plan_event())
    line_id = plan.lines[0].line_id
    later = NOW + timedelta(days=3)  # Thursday: Monday's and Wednesday's visits have begun
    apply(plan_event(CarePlanChanged, plan_id=plan.careplan_id, client_id=plan.client_id,
                     lines=({**HOME_HELP, "line_id": line_id, "preferred_days": ["tue", "thu"], "per_week": 4},)),
          now=later, seconds=1)
    all_visits = listed(scheduling, admin, care_plan_id=str(plan.careplan_id))
    kept = [v for v in all_visits if v["status"] == "planned"]
    assert all(datetime.fromisoformat(v["starts_at"]) < later or local(v).strftime("%a") in ("Tue", "Thu")
               for v in kept)
    assert [local(v).date() for v in kept if datetime.fromisoformat(v["starts_at"]) < later] == [
        date(2026, 12, 7), date(2026, 12, 9)]  # not cancelled: they had started
    cancelled = [v for v in all_visits if v["status"] == "cancelled"]
    assert cancelled and all(datetime.fromisoformat(v["starts_at"]) > later for v in cancelled)


def test_an_older_plan_event_changes_nothing(scheduling, team, admin, apply):
    plan = apply(plan_event(), seconds=10)
    before = listed(scheduling, admin, care_plan_id=str(plan.careplan_id))
    apply(plan_event(CarePlanChanged, plan_id=plan.careplan_id, client_id=plan.client_id, lines=(NURSING,)),
          seconds=5)
    assert listed(scheduling, admin, care_plan_id=str(plan.careplan_id)) == before


@pytest.mark.parametrize("kind", [CarePlanSuspended, CarePlanEnded])
def test_a_stopped_plan_cancels_its_visits_from_that_day(scheduling, team, admin, apply, published, kind):
    plan = apply(plan_event())
    stopped_on = date(2026, 12, 14)
    apply(kind(careplan_id=plan.careplan_id, client_id=plan.client_id, municipality="BG-RAK",
               effective_on=stopped_on, reason=None), seconds=1)
    for visit in listed(scheduling, admin, care_plan_id=str(plan.careplan_id)):
        assert visit["status"] == ("cancelled" if local(visit).date() >= stopped_on else "planned")
    assert published("scheduling.client.unassigned.v1") == []  # the week before the stop is still theirs


def test_the_daily_task_extends_the_horizon_once(scheduling, team, admin, apply, scheduling_runtime):
    plan = apply(plan_event())
    count = len(listed(scheduling, admin, care_plan_id=str(plan.careplan_id)))
    with scheduling_runtime.database.transaction() as session:
        extended = extend_visit_horizons(session=session)  # now: later than NOW, the horizon moved
    with scheduling_runtime.database.transaction() as session:
        assert extend_visit_horizons(session=session) == 0
    assert len(listed(scheduling, admin, care_plan_id=str(plan.careplan_id))) == count + extended


def test_a_worker_lists_only_their_own_visits(scheduling, team, admin, auth, apply):
    apply(plan_event(lines=(HOME_HELP, NURSING)))
    nurse = auth("worker", "BG-RAK", subject="nurse-1")
    theirs = listed(scheduling, nurse)
    assert theirs and {v["staff_id"] for v in theirs} == {team["nurse-1"]}
    someone_elses = next(v for v in listed(scheduling, admin) if v["staff_id"] != team["nurse-1"])
    assert scheduling.get(f"/visits/{someone_elses['id']}", headers=nurse).status_code == 404
    assert scheduling.get(f"/visits/{theirs[0]['id']}", headers=nurse).status_code == 200
    assert scheduling.get("/visits", headers=auth("coordinator", "BG-PER")).json()["total"] == 0


def test_a_plan_ended_today_unassigns_its_workers(scheduling, team, admin, apply, published):
    plan = apply(plan_event(lines=(NURSING,)))
    assert [e["data"]["staff_id"] for e in published("scheduling.client.assigned.v1")] == ["nurse-1"]
    apply(CarePlanEnded(careplan_id=plan.careplan_id, client_id=plan.client_id, municipality="BG-RAK",
                        effective_on=NOW.date(), reason="deceased"), seconds=1)
    [unassigned] = published("scheduling.client.unassigned.v1")
    assert (unassigned["data"]["staff_id"], unassigned["data"]["client_id"]) == ("nurse-1", str(plan.client_id))
    assert {v["status"] for v in listed(scheduling, admin, care_plan_id=str(plan.careplan_id))} == {"cancelled"}


def test_plans_planned_at_the_same_time_never_book_a_worker_twice(scheduling, team, admin, apply):
    """Two consumers (scaled out) plan two plans of one municipality at once: they take turns."""
    events = [plan_event(lines=({**HOME_HELP, "preferred_worker": team["helper-1"]},)) for _ in range(4)]
    at_once([lambda event=event: apply(event) for event in events])
    booked = defaultdict(list)
    for visit in listed(scheduling, admin, unstaffed="false"):
        booked[visit["staff_id"]].append((visit["starts_at"], visit["ends_at"]))
    for spans in booked.values():
        spans.sort()
        assert all(end <= start for (_, end), (start, _) in pairwise(spans)), spans
    assert len(booked) == 2  # both helpers: one could not take every plan's hours


def test_a_visit_moves_later_in_its_window_when_the_worker_is_busy(scheduling, team, admin, apply):
    """Two nursing plans on Tuesday mornings, one nurse: the second's visit starts when she is free."""
    morning = {**NURSING, "time_windows": [{"start": "08:00", "end": "12:00"}]}
    first, second = (apply(plan_event(lines=(morning,), location=HOME)) for _ in range(2))
    [one, *_] = listed(scheduling, admin, care_plan_id=str(first.careplan_id))
    [other, *_] = listed(scheduling, admin, care_plan_id=str(second.careplan_id))
    assert one["staff_id"] == other["staff_id"] == team["nurse-1"]
    assert (local(one).hour, local(other).hour) == (8, 9)


def test_the_horizon_is_configured(scheduling, team, admin, apply, monkeypatch):
    monkeypatch.setenv("CARECIRCLE_VISIT_HORIZON_WEEKS", "2")
    get_settings.cache_clear()
    try:
        plan = apply(plan_event())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    planned = listed(scheduling, admin, care_plan_id=str(plan.careplan_id))
    assert len(planned) == 6  # Monday, Wednesday and Friday of two weeks
    assert max(local(v).date() for v in planned) <= NOW.date() + timedelta(days=13)


def test_visits_planned_moved_and_cancelled_are_announced_with_ids_and_times(scheduling, team, admin, apply,
                                                                             published):
    plan = apply(plan_event())
    planned = listed(scheduling, admin, care_plan_id=str(plan.careplan_id))
    [announced] = published("scheduling.visits.planned.v1")
    assert announced["data"]["client_id"] == str(plan.client_id)
    assert {(v["visit_id"], at(v)) for v in announced["data"]["visits"]} == {(v["id"], at(v)) for v in planned}
    assert {v["staff_id"] for v in announced["data"]["visits"]} <= {"helper-1", "helper-2"}

    first, second = planned[0], planned[1]
    later = datetime.fromisoformat(first["starts_at"]) + timedelta(hours=1)
    assert scheduling.patch(f"/visits/{first['id']}", headers=admin,
                            json={"starts_at": later.isoformat()}).status_code == 200
    [moved] = published("scheduling.visit.rescheduled.v1")
    assert (moved["data"]["visit_id"], at(moved["data"]), at(moved["data"], "previous_starts_at")) == (
        first["id"], later, at(first))
    assert moved["data"]["staff_id"] == moved["data"]["previous_staff_id"]

    assert scheduling.post(f"/visits/{second['id']}/cancel", headers=admin,
                           json={"reason": "weather"}).status_code == 200
    [cancelled] = published("scheduling.visits.cancelled.v1")
    assert (cancelled["data"]["visit_ids"], cancelled["data"]["reason"]) == ([second["id"]], "weather")

    apply(plan_event(CarePlanChanged, plan_id=plan.careplan_id, client_id=plan.client_id,
                     lines=({**HOME_HELP, "line_id": plan.lines[0].line_id, "preferred_days": ["tue"]},)), seconds=1)
    replanned = published("scheduling.visits.cancelled.v1")[1]["data"]
    assert replanned["reason"] == "plan_changed" and first["id"] in replanned["visit_ids"]
    assert second["id"] not in replanned["visit_ids"]  # cancelled already
    assert len(published("scheduling.visits.planned.v1")) == 2
