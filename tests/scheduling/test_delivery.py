"""Delivering visits through scheduling's HTTP API, on SQLite and PostgreSQL: check-in and
check-out with a report, phone check-ins, visits missed by hand and by the sweep, what the
bus is told, and a member's day. Plans are applied as intake's events would be, relative to
the real clock (the routes read it)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.delivery import service as delivery
from services.scheduling.tasks import registry as tasks
from shared.testing import assert_problem, at_once, created
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event

NOW = datetime.now(UTC).replace(microsecond=0)
SOFIA = ZoneInfo("Europe/Sofia")
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAILY_HELP = {"service_type": "home_help", "unit": "visit", "per_week": 7, "duration_minutes": 60,
              "preferred_days": EVERY_DAY, "time_windows": [{"start": "09:00", "end": "10:00"}],
              "preferred_worker": None, "place": "home"}
EVENING_HELP = {**DAILY_HELP, "time_windows": [{"start": "17:00", "end": "18:00"}]}
DAILY_CALL = {"service_type": "telephone_friend", "unit": "visit", "per_week": 7, "duration_minutes": 20,
              "preferred_days": EVERY_DAY, "time_windows": [{"start": "11:00", "end": "12:00"}],
              "preferred_worker": None, "place": "phone"}
NEAR = {"latitude": 42.0902, "longitude": 24.0001}  # some 25 m from HOME
FAR = {"latitude": 42.12, "longitude": 24.0}  # some 3 km


@pytest.fixture
def crew(scheduling, catalogue, admin):
    """Two home helpers and a volunteer of Rakitovo, every day 07:00-20:00."""
    week = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
    return {name: created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": name, "display_name": name, "roles": [role], "availability": week,
        "contracted_hours_per_week": 80}))["id"]
        for name, role in [("helper-1", "home_helper"), ("helper-2", "home_helper"), ("volunteer-1", "volunteer")]}


@pytest.fixture
def planned(apply, scheduling, admin, crew):
    """The visits of ``clients`` plans of ``lines`` from three days ago (so some are past and still
    planned) for four weeks, by start."""
    def plan(*lines, clients: int = 1) -> list[dict]:
        events = [apply(plan_event(lines=lines, starts_on=NOW.date() - timedelta(days=7)),
                        now=NOW - timedelta(days=3)) for _ in range(clients)]
        return sorted((v for event in events for v in listed(scheduling, admin, care_plan_id=str(event.careplan_id))),
                      key=lambda v: v["starts_at"])
    return plan


@pytest.fixture
def helper(auth):
    return auth("worker", "BG-RAK", subject="helper-1")


def due(visits: list[dict], count: int, *, since: timedelta = timedelta(0)) -> list[dict]:
    """``count`` staffed visits that may be recorded now and ``since`` before (from 12 hours before
    their start to 12 hours after their end), the nearest first. A daily line always has one with
    ``since`` 0; with an hour, one of two daily lines does."""
    near = [v for v in visits if v["staff_id"] and datetime.fromisoformat(v["ends_at"]) - NOW >= -timedelta(hours=12)
            and datetime.fromisoformat(v["starts_at"]) - NOW <= timedelta(hours=12) - since]
    near.sort(key=lambda v: abs(datetime.fromisoformat(v["starts_at"]) - NOW))
    assert len(near) >= count, "not enough visits due now"
    return near[:count]


def upcoming(visits: list[dict], staff_id: str | None = None) -> dict:
    return next(v for v in visits if datetime.fromisoformat(v["starts_at"]) > NOW + timedelta(hours=2)
                and staff_id in (None, v["staff_id"]))


def past(visits: list[dict]) -> dict:
    return next(v for v in visits if datetime.fromisoformat(v["starts_at"]) < NOW - timedelta(hours=2))


# -- check-in and check-out --------------------------------------------------------------------------


def test_a_visit_checked_in_and_out_gives_the_time_delivered_and_tells_intake_of_the_concern(
        scheduling, planned, crew, auth, published):
    [visit] = due(planned(DAILY_HELP, EVENING_HELP), 1, since=timedelta(hours=1))
    worker = auth("worker", "BG-RAK", subject=next(k for k, v in crew.items() if v == visit["staff_id"]))
    started = NOW - timedelta(minutes=50)

    checked_in = created(scheduling.post(f"/visits/{visit['id']}/check-in", headers=worker,
                                         json={"at": started.isoformat(), "location": NEAR}))
    assert (checked_in["status"], checked_in["checkin_far_from_place"]) == ("checked_in", False)
    report = {"services_delivered": ["hygiene", "shopping"], "observations": "Кашлица от три дни, без температура",
              "concern": {"category": "health_access", "priority": "high"}}
    done = created(scheduling.post(f"/visits/{visit['id']}/check-out", headers=worker, json={
        "report": report, "at": (started + timedelta(minutes=50)).isoformat()}))

    assert (done["status"], done["delivered_minutes"]) == ("completed", 50)
    [event] = published("scheduling.visit.completed.v1")
    assert event["data"]["visit_id"] == visit["id"] and event["data"]["staff_id"] in ("helper-1", "helper-2")
    assert (event["data"]["services_delivered"], event["data"]["concern_raised"],
            event["data"]["concern_category"], event["data"]["concern_priority"]) == (
        ["hygiene", "shopping"], True, "health_access", "high")
    assert "Кашлица" not in json.dumps(event)  # observations stay in scheduling
    kept = created(scheduling.get(f"/visits/{visit['id']}/report", headers=worker))
    assert kept["observations"] == report["observations"] and kept["reported_by"] == worker_subject(event)


def worker_subject(event: dict) -> str:
    return event["data"]["staff_id"]


def test_a_check_in_far_from_the_visit_is_flagged_and_one_without_a_location_is_not_judged(
        scheduling, planned, admin):
    visits = due(planned(DAILY_HELP, clients=2), 2)
    far = created(scheduling.post(f"/visits/{visits[0]['id']}/check-in", headers=admin, json={"location": FAR}))
    unknown = created(scheduling.post(f"/visits/{visits[1]['id']}/check-in", headers=admin, json={}))
    assert (far["checkin_far_from_place"], unknown["checkin_far_from_place"]) == (True, None)


def test_the_lifecycle_refuses_moves_out_of_order_with_the_allowed_ones(scheduling, planned, admin):
    [visit] = due(planned(DAILY_HELP), 1)
    path = f"/visits/{visit['id']}"
    answer = scheduling.post(f"{path}/check-out", headers=admin, json={"report": {}})
    assert_problem(answer, 409, "status")
    assert answer.json()["allowed_actions"] == ["move", "check_in", "record_call", "miss", "cancel"]
    assert_problem(scheduling.post(f"{path}/check-in", headers=admin,
                                   json={"at": (NOW + timedelta(hours=1)).isoformat()}), 422, "at")
    created(scheduling.post(f"{path}/check-in", headers=admin, json={}))
    assert_problem(scheduling.post(f"{path}/check-in", headers=admin, json={}), 409, "status")
    before = (NOW - timedelta(hours=1)).isoformat()
    assert_problem(scheduling.post(f"{path}/check-out", headers=admin, json={"at": before, "report": {}}), 422, "at")
    twice = {"report": {"services_delivered": ["a", "a"]}}
    assert_problem(scheduling.post(f"{path}/check-out", headers=admin, json=twice), 422, "report.services_delivered")
    created(scheduling.post(f"{path}/check-out", headers=admin, json={"report": {}}))
    assert_problem(scheduling.post(f"{path}/cancel", headers=admin, json={"reason": "weather"}), 409, "status")
    assert_problem(scheduling.get("/visits/00000000-0000-0000-0000-000000000000/report", headers=admin), 404)


def test_a_visit_is_recorded_only_near_its_time(scheduling, planned, admin):
    visits = planned(DAILY_HELP)
    [visit] = due(visits, 1)
    later = next(v for v in visits if datetime.fromisoformat(v["starts_at"]) > NOW + timedelta(days=2))
    for action, body in [("check-in", {}), ("missed", {"reason": "client_absent"})]:
        assert_problem(scheduling.post(f"/visits/{later['id']}/{action}", headers=admin, json=body), 409, "starts_at")
    long_ago = (datetime.fromisoformat(visit["starts_at"]) - timedelta(days=2)).isoformat()
    assert_problem(scheduling.post(f"/visits/{visit['id']}/check-in", headers=admin, json={"at": long_ago}), 422, "at")
    assert_problem(scheduling.post(f"/visits/{visit['id']}/check-in", headers=admin,
                                   json={"at": "0001-01-01T00:00:00+14:00"}), 422, "at")


def test_two_check_ins_at_once_check_in_once(scheduling, planned, admin):
    [visit] = due(planned(DAILY_HELP), 1)
    answers = at_once([lambda: scheduling.post(f"/visits/{visit['id']}/check-in", headers=admin, json={})] * 2)
    assert sorted(a.status_code for a in answers) == [200, 409]


def test_a_worker_delivers_only_their_own_visits_and_an_analyst_none(scheduling, planned, crew, auth):
    visits = planned(DAILY_HELP)
    theirs = upcoming(visits)
    other = next(name for name in ("helper-1", "helper-2") if crew[name] != theirs["staff_id"])
    stranger = auth("worker", "BG-RAK", subject=other)
    assert_problem(scheduling.post(f"/visits/{theirs['id']}/check-in", headers=stranger, json={}), 404)
    assert_problem(scheduling.get(f"/visits/{theirs['id']}", headers=stranger), 404)
    assert_problem(scheduling.post(f"/visits/{theirs['id']}/check-in", headers=auth("analyst", "BG-RAK"),
                                   json={}), 403)
    assert_problem(scheduling.post(f"/visits/{theirs['id']}/check-in", headers=auth("coordinator", "BG-PER"),
                                   json={}), 404)


# -- phone check-ins and missed visits ---------------------------------------------------------------


def test_a_call_answered_completes_it_and_one_unanswered_is_escalated(scheduling, planned, auth, published):
    calls = due(planned({**DAILY_CALL, "time_windows": [{"start": "11:00", "end": "13:00"}]}, clients=4), 4)
    volunteer = auth("worker", "BG-RAK", subject="volunteer-1")

    answered = created(scheduling.post(f"/visits/{calls[0]['id']}/call", headers=volunteer,
                                       json={"outcome": "answered", "minutes": 12}))
    unanswered = created(scheduling.post(f"/visits/{calls[1]['id']}/call", headers=volunteer,
                                         json={"outcome": "no_answer"}))
    helped = created(scheduling.post(f"/visits/{calls[2]['id']}/call", headers=volunteer,
                                     json={"outcome": "needs_help", "report": {"observations": "Падна вчера"}}))

    assert (answered["status"], answered["delivered_minutes"]) == ("completed", 12)
    assert (unanswered["status"], unanswered["status_reason"]) == ("missed", "no_answer")
    assert helped["status"] == "completed"
    [escalated] = published("scheduling.checkin.unanswered.v1")
    assert (escalated["data"]["visit_id"], escalated["data"]["staff_id"]) == (calls[1]["id"], "volunteer-1")
    completed = {e["data"]["visit_id"]: e["data"] for e in published("scheduling.visit.completed.v1")}
    assert completed[calls[0]["id"]]["concern_raised"] is False
    helped_event = completed[calls[2]["id"]]
    assert (helped_event["concern_raised"], helped_event["concern_priority"]) == (True, "high")
    assert published("scheduling.visit.missed.v1") == []  # an unanswered call is escalated once, as such
    assert_problem(scheduling.post(f"/visits/{calls[3]['id']}/call", headers=volunteer,
                                   json={"outcome": "no_answer", "report": {"observations": "x"}}), 422)


def test_a_home_visit_is_not_recorded_as_a_call(scheduling, planned, admin):
    visit = upcoming(planned(DAILY_HELP))
    assert_problem(scheduling.post(f"/visits/{visit['id']}/call", headers=admin, json={"outcome": "answered"}),
                   409, "outcome")


def test_a_visit_missed_by_hand_is_published_with_the_reason_and_no_personal_data(
        scheduling, planned, admin, published):
    [visit] = due(planned(DAILY_HELP), 1)
    missed = created(scheduling.post(f"/visits/{visit['id']}/missed", headers=admin,
                                     json={"reason": "client_absent"}))
    assert (missed["status"], missed["status_reason"]) == ("missed", "client_absent")
    [event] = published("scheduling.visit.missed.v1")
    assert set(event["data"]) == {"visit_id", "client_id", "municipality", "careplan_id", "service_type",
                                  "staff_id", "starts_at", "reason"}
    assert event["data"]["reason"] == "client_absent"
    assert_problem(scheduling.post(f"/visits/{visit['id']}/missed", headers=admin, json={"reason": "lost"}), 422,
                   "reason")


def test_the_sweep_misses_what_no_one_checked_in_in_time_once(scheduling, scheduling_runtime, planned, admin,
                                                              published):
    visits = planned(DAILY_HELP)
    gone = [v for v in visits if datetime.fromisoformat(v["starts_at"]) < NOW - timedelta(minutes=60)]
    checked = past(visits)
    created(scheduling.post(f"/visits/{checked['id']}/check-in", headers=admin,
                            json={"at": checked["starts_at"]}))

    with scheduling_runtime.database.transaction() as session:
        swept = delivery.sweep_missed(now=NOW, after_minutes=60, session=session, batch=2)
    with scheduling_runtime.database.transaction() as session:
        again = delivery.sweep_missed(now=NOW, after_minutes=60, session=session)

    assert (swept, again) == (len(gone) - 1, 0) and len(gone) >= 3
    missed = listed(scheduling, admin, status="missed")
    assert {v["id"] for v in missed} == {v["id"] for v in gone} - {checked["id"]}
    assert {v["status_reason"] for v in missed} == {"not_checked_in"}
    assert sorted(e["data"]["visit_id"] for e in published("scheduling.visit.missed.v1")) == sorted(
        v["id"] for v in missed)
    assert created(scheduling.get(f"/visits/{checked['id']}", headers=admin))["status"] == "checked_in"


def test_an_unstaffed_visit_is_missed_as_such(scheduling, scheduling_runtime, apply, admin, catalogue):
    plan = apply(plan_event(lines=(DAILY_HELP,), starts_on=NOW.date() - timedelta(days=7)),
                 now=NOW - timedelta(days=2))  # no staff at all
    with scheduling_runtime.database.transaction() as session:
        assert delivery.sweep_missed(now=NOW, after_minutes=60, session=session) >= 1
    missed = listed(scheduling, admin, care_plan_id=str(plan.careplan_id), status="missed")
    assert missed and {v["status_reason"] for v in missed} == {"unstaffed"}


def test_the_sweep_runs_every_five_minutes():
    assert tasks.beat["sweep_missed_visits"] == timedelta(minutes=5)


# -- rescheduling, reassigning, cancelling ----------------------------------------------------------------


def test_a_coordinator_reassigns_a_visit_and_the_bus_is_told_who_serves_whom(scheduling, planned, crew, admin,
                                                                            published):
    visit = upcoming(planned(DAILY_HELP))
    other = next(name for name in ("helper-1", "helper-2") if crew[name] != visit["staff_id"])
    moved = created(scheduling.patch(f"/visits/{visit['id']}", headers=admin, json={"staff_id": crew[other]}))
    assert (moved["staff_id"], moved["starts_at"], moved["status"]) == (crew[other], visit["starts_at"], "planned")
    assert other in {e["data"]["staff_id"] for e in published("scheduling.client.assigned.v1")}


def test_a_move_onto_a_booked_away_or_wrong_member_is_refused(scheduling, planned, crew, admin):
    visits = planned(DAILY_HELP, {**DAILY_HELP, "service_type": "home_nursing"})
    help_visit = upcoming([v for v in visits if v["service_type"] == "home_help"])
    busy = next(name for name in ("helper-1", "helper-2") if crew[name] != help_visit["staff_id"])
    other = created(scheduling.patch(f"/visits/{help_visit['id']}", headers=admin,
                                     json={"staff_id": crew[busy]}))
    assert other["staff_id"] == crew[busy]
    answer = scheduling.patch(f"/visits/{help_visit['id']}", headers=admin, json={"staff_id": crew["volunteer-1"]})
    assert_problem(answer, 422, "staff_id")
    assert_problem(scheduling.patch(f"/visits/{help_visit['id']}", headers=admin,
                                    json={"staff_id": "00000000-0000-0000-0000-000000000000"}), 422, "staff_id")
    day = datetime.fromisoformat(help_visit["starts_at"]).date().isoformat()
    created(scheduling.post(f"/staff/{crew[busy]}/absences", headers=admin,
                            json={"kind": "sickness", "starts_on": day, "ends_on": day}))
    refused = scheduling.patch(f"/visits/{help_visit['id']}", headers=admin,
                               json={"starts_at": (datetime.fromisoformat(help_visit["starts_at"])
                                                   + timedelta(minutes=30)).isoformat()})
    assert_problem(refused, 409, "starts_at")
    assert refused.json()["reason"] == "not_working"


def test_a_visit_moved_onto_another_is_double_booked_and_outside_the_week_needs_override(
        scheduling, planned, crew, admin):
    visits = [v for v in planned(DAILY_HELP, {**DAILY_HELP, "time_windows": [{"start": "14:00", "end": "15:00"}]})
              if datetime.fromisoformat(v["starts_at"]) > NOW + timedelta(hours=2)]
    first, same_worker = next((a, b) for a, b in pairwise(visits) if a["staff_id"] == b["staff_id"]
                              and a["starts_at"][:10] == b["starts_at"][:10])
    refused = scheduling.patch(f"/visits/{same_worker['id']}", headers=admin, json={"starts_at": first["starts_at"]})
    assert_problem(refused, 409, "starts_at")
    assert refused.json()["reason"] == "double_booked"
    late = datetime.fromisoformat(first["starts_at"]).replace(hour=20, minute=30)  # after 20:00 local
    assert scheduling.patch(f"/visits/{first['id']}", headers=admin,
                            json={"starts_at": late.isoformat()}).json()["reason"] == "not_available"
    moved = created(scheduling.patch(f"/visits/{first['id']}", headers=admin,
                                     json={"starts_at": late.isoformat(), "override": True}))
    assert datetime.fromisoformat(moved["starts_at"]) == late
    assert_problem(scheduling.patch(f"/visits/{first['id']}", headers=admin,
                                    json={"starts_at": (NOW - timedelta(hours=1)).isoformat()}), 422, "starts_at")
    assert_problem(scheduling.patch(f"/visits/{first['id']}", headers=admin, json={}), 422)


def test_an_override_never_books_a_worker_twice(scheduling, planned, crew, admin):
    visits = [v for v in planned(DAILY_HELP, clients=2) if datetime.fromisoformat(v["starts_at"]) > NOW]
    first = visits[0]
    other = next(v for v in visits if v["starts_at"] == first["starts_at"] and v["id"] != first["id"])
    late = datetime.fromisoformat(first["starts_at"]).replace(hour=20, minute=30)  # outside the usual week too
    created(scheduling.patch(f"/visits/{first['id']}", headers=admin,
                             json={"starts_at": late.isoformat(), "override": True}))
    refused = scheduling.patch(f"/visits/{other['id']}", headers=admin, json={
        "starts_at": late.isoformat(), "staff_id": first["staff_id"], "override": True})
    assert_problem(refused, 409, "staff_id")
    assert refused.json()["reason"] == "double_booked"


def test_two_coordinators_moving_two_visits_onto_one_hour_of_one_worker_book_it_once(
        scheduling, planned, crew, admin):
    visits = [v for v in planned(DAILY_HELP, DAILY_HELP) if datetime.fromisoformat(v["starts_at"]) > NOW]
    target = datetime.fromisoformat(visits[0]["starts_at"]) + timedelta(hours=5)
    pair = visits[:2]
    answers = at_once([lambda v=v: scheduling.patch(f"/visits/{v['id']}", headers=admin, json={
        "starts_at": target.isoformat(), "staff_id": crew["helper-1"]}) for v in pair])
    assert sorted(a.status_code for a in answers) == [200, 409]


def test_a_cancelled_visit_keeps_its_reason_and_only_coordinators_cancel(scheduling, planned, admin, helper):
    visit = upcoming(planned(DAILY_HELP))
    assert_problem(scheduling.post(f"/visits/{visit['id']}/cancel", headers=helper,
                                   json={"reason": "weather"}), 403)
    cancelled = created(scheduling.post(f"/visits/{visit['id']}/cancel", headers=admin, json={"reason": "weather"}))
    assert (cancelled["status"], cancelled["status_reason"]) == ("cancelled", "weather")
    assert_problem(scheduling.patch(f"/visits/{visit['id']}", headers=admin, json={"override": True,
                   "starts_at": (NOW + timedelta(days=1)).isoformat()}), 409, "status")


# -- a member's day ----------------------------------------------------------------------------------


def test_my_day_lists_the_visits_in_order_with_travel_and_the_last_report(scheduling, planned, crew, auth, admin):
    planned(DAILY_HELP, DAILY_CALL)
    [visit] = due(listed(scheduling, admin, staff_id=crew["helper-1"]), 1)
    first_day = datetime.fromisoformat(visit["starts_at"]).astimezone(SOFIA).date()
    worker = auth("worker", "BG-RAK", subject="helper-1")
    created(scheduling.post(f"/visits/{visit['id']}/check-in", headers=worker, json={}))
    created(scheduling.post(f"/visits/{visit['id']}/check-out", headers=worker,
                            json={"report": {"observations": "Всичко наред"}}))

    day = created(scheduling.get("/my-day", headers=worker, params={"on": (first_day + timedelta(days=1))
                                                                     .isoformat()}))
    assert day["staff_id"] == crew["helper-1"] and day["visits"]
    starts = [item["visit"]["starts_at"] for item in day["visits"]]
    assert starts == sorted(starts) and {item["visit"]["staff_id"] for item in day["visits"]} == {crew["helper-1"]}
    first = day["visits"][0]
    assert first["last_report"]["observations"] == "Всичко наред"
    assert first["travel_minutes"] == 0  # the helper's base is the client's home
    assert first["client_url"] == f"/intake/v1/clients/{first['visit']['client_id']}"
    assert first["service_type_names"] == {"en": "home_help"}
    assert day["visit_minutes"] == sum(
        (datetime.fromisoformat(i["visit"]["ends_at"]) - datetime.fromisoformat(i["visit"]["starts_at"])).seconds
        // 60 for i in day["visits"])
    assert created(scheduling.get(f"/staff/{crew['helper-1']}/day", headers=admin,
                                  params={"on": (first_day + timedelta(days=1)).isoformat()})) == day
    assert_problem(scheduling.get(f"/staff/{crew['helper-2']}/day", headers=worker), 404)
    assert_problem(scheduling.get("/my-day", headers=auth("worker", "BG-RAK", subject="not-staff")), 404)
    assert_problem(scheduling.get("/my-day", headers=worker, params={"on": "tomorrow"}), 422, "query.on")
