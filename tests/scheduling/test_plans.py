"""Plans of routes and rosters through the API, on SQLite and PostgreSQL: asked for, made by
the sweep's task (Celery eager here), read with their progress and measures, applied through
visits' lifecycle once, and refused when the days changed since."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from services.scheduling.plans import service as plans
from shared.auth import Principal
from shared.errors import Conflict
from shared.testing import assert_problem, at_once, created
from tests.scheduling.test_delivery import EVERY_DAY
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event

VILLAGE_A = [{"latitude": 42.09 + 0.004 * i, "longitude": 24.0 + 0.003 * i} for i in range(5)]
VILLAGE_B = [{"latitude": 42.30 + 0.004 * i, "longitude": 24.30 - 0.003 * i} for i in range(3)]  # ~34 km off
DAY_HELP = {"service_type": "home_help", "unit": "visit", "per_week": 7, "duration_minutes": 60,
            "preferred_days": EVERY_DAY, "time_windows": [{"start": "08:00", "end": "18:00"}], "place": "home"}


def day_ahead() -> date:
    return datetime.now(UTC).date() + timedelta(days=2)


@pytest.fixture
def rakitovo(scheduling, catalogue, admin, apply):
    """Three helpers (two based in village A, one in B); eight clients, three of them in B whose
    care plans name helpers of A, so that their visits start the day far from home."""
    week = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
    staff = {name: created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": name, "display_name": name, "availability": week, "base_location": base,
        "contracted_hours_per_week": 40}))["id"] for name, base in [("a-1", VILLAGE_A[0]), ("a-2", VILLAGE_A[1]),
                                                                     ("b-1", VILLAGE_B[0])]}
    clients = {}
    for number, home in enumerate(VILLAGE_A + VILLAGE_B):
        preferred = staff["a-1" if number % 2 else "a-2"] if home in VILLAGE_B else None
        event = plan_event(lines=({**DAY_HELP, "preferred_worker": preferred},), starts_on=day_ahead(),
                           ends_on=day_ahead(), location=home)
        apply(event, now=datetime.now(UTC))
        clients[str(event.client_id)] = "B" if home in VILLAGE_B else "A"
    return staff, clients


def made(scheduling, admin, runtime, **asked) -> dict:
    answer = scheduling.post("/plans", headers=admin, json={"municipality": "BG-RAK",
                                                            "first_day": day_ahead().isoformat(), "seconds": 1,
                                                            **asked})
    assert answer.status_code == 202, answer.text
    assert (answer.json()["status"], answer.json()["progress"]) == ("queued", 0)
    runtime.celery().tasks["scheduling.sweep_route_plans"].delay()
    plan = created(scheduling.get(f"/plans/{answer.json()['id']}", headers=admin))
    assert (plan["status"], plan["progress"]) == ("ready", 1.0), plan
    return plan


def test_a_plan_sends_each_helper_to_their_own_village_and_says_what_it_saves(scheduling, admin, rakitovo,
                                                                              scheduling_runtime):
    staff, clients = rakitovo
    plan = made(scheduling, admin, scheduling_runtime)
    result = plan["result"]
    visits = {v["id"]: v for v in listed(scheduling, admin)}
    stops = {stop["visit_id"]: route["staff_id"] for route in result["routes"] for stop in route["stops"]}
    assert sorted(stops) == sorted(visits) and result["unassigned"] == []
    in_b = {visit_id for visit_id, visit in visits.items() if clients[visit["client_id"]] == "B"}
    assert {stops[visit_id] for visit_id in in_b} == {staff["b-1"]}
    assert result["current"]["visits"] == result["proposed"]["visits"] == 8
    assert result["proposed"]["travel_minutes"] < result["current"]["travel_minutes"]
    assert result["saving"]["travel_minutes"] == result["current"]["travel_minutes"] - result["proposed"][
        "travel_minutes"] > 60
    for route in result["routes"]:
        starts = [stop["starts_at"] for stop in route["stops"]]
        assert starts == sorted(starts) and route["starts_at"] == starts[0]
        assert route["travel_minutes"] > 0 and route["distance_km"] > 0


def test_applying_a_plan_moves_the_visits_as_proposed_once(scheduling, admin, rakitovo, scheduling_runtime,
                                                           published):
    plan = made(scheduling, admin, scheduling_runtime)
    before = len(published("scheduling.visit.rescheduled.v1"))
    applied = created(scheduling.post(f"/plans/{plan['id']}/apply", headers=admin))
    proposed = {stop["visit_id"]: (route["staff_id"], stop["starts_at"])
                for route in plan["result"]["routes"] for stop in route["stops"]}
    moves = sum(stop["moved"] for route in plan["result"]["routes"] for stop in route["stops"])
    assert applied == {"plan_id": plan["id"], "moved": moves, "unstaffed": 0} and moves >= 3
    now = {v["id"]: (v["staff_id"], v["starts_at"]) for v in listed(scheduling, admin)}
    assert {k: (s, datetime.fromisoformat(t)) for k, (s, t) in now.items()} == {
        k: (s, datetime.fromisoformat(t)) for k, (s, t) in proposed.items()}
    assert len(published("scheduling.visit.rescheduled.v1")) == before + moves
    assert_problem(scheduling.post(f"/plans/{plan['id']}/apply", headers=admin), 409)
    assert created(scheduling.get(f"/plans/{plan['id']}", headers=admin))["status"] == "applied"


def test_a_plan_whose_visits_changed_since_is_refused_whole(scheduling, admin, rakitovo, scheduling_runtime):
    plan = made(scheduling, admin, scheduling_runtime)
    visit = listed(scheduling, admin)[0]
    created(scheduling.post(f"/visits/{visit['id']}/cancel", headers=admin, json={"reason": "client_in_hospital"}))
    before = listed(scheduling, admin)
    answer = scheduling.post(f"/plans/{plan['id']}/apply", headers=admin)
    assert_problem(answer, 409)
    assert answer.json()["reason"] == "visits_changed" and visit["id"] in answer.json()["visit_ids"]
    assert listed(scheduling, admin) == before


def test_two_coordinators_applying_at_once_apply_it_once(scheduling, admin, rakitovo, scheduling_runtime,
                                                         served_service):
    plan = made(scheduling, admin, scheduling_runtime)
    url = f"{served_service('scheduling')}/plans/{plan['id']}/apply"
    answers = at_once([lambda: httpx.post(url, headers=admin, timeout=60)] * 2)
    assert sorted(answer.status_code for answer in answers) == [200, 409]


@pytest.mark.parametrize(("asked", "field"), [
    ({"last_day": "2026-01-01"}, "last_day"), ({"seconds": 0}, "seconds"), ({"seconds": "10"}, "seconds"),
    ({"first_day": "2026-12-01", "last_day": "2026-12-09"}, "last_day"), ({"municipality": "x"}, "municipality"),
    ({"first_day": "tomorrow"}, "first_day"), ({"first_day": "2026-01-05"}, "first_day"),
    ({"first_day": "2026-01-05", "last_day": "2026-01-06"}, "last_day")])
def test_a_bad_request_for_a_plan_is_a_422_naming_the_field(scheduling, admin, catalogue, asked, field):
    body = {"municipality": "BG-RAK", "first_day": day_ahead().isoformat(), **asked}
    assert_problem(scheduling.post("/plans", headers=admin, json=body), 422, field)


def test_plans_are_their_municipalitys_coordinators_own(scheduling, admin, auth, catalogue):
    other = auth("coordinator", "BG-PER")
    asked = {"municipality": "BG-RAK", "first_day": day_ahead().isoformat()}
    assert_problem(scheduling.post("/plans", headers=other, json=asked), 403)
    plan = scheduling.post("/plans", headers=admin, json=asked).json()
    assert_problem(scheduling.get(f"/plans/{plan['id']}", headers=other), 404)
    assert_problem(scheduling.get(f"/plans/{plan['id']}", headers=auth("worker", "BG-RAK")), 403)
    assert [p["id"] for p in created(scheduling.get("/plans", headers=other))["items"]] == []


def test_travel_is_reckoned_as_the_municipality_says(scheduling, admin, catalogue):
    assert created(scheduling.get("/travel/BG-RAK", headers=admin)) == {
        "municipality": "BG-RAK", "road_factor": 1.3, "speed_kmh": 40.0, "osrm_url": None}
    changed = {"road_factor": 1.6, "speed_kmh": 30, "osrm_url": "http://osrm.local:5000"}
    assert created(scheduling.put("/travel/BG-RAK", headers=admin, json=changed))["osrm_url"] == \
        "http://osrm.local:5000/"
    assert_problem(scheduling.put("/travel/BG-RAK", headers=admin, json={"road_factor": 0.5}), 422, "road_factor")


def test_a_plan_applied_after_its_times_have_passed_is_refused(scheduling, admin, rakitovo, scheduling_runtime):
    plan = made(scheduling, admin, scheduling_runtime)
    coordinator = Principal(subject="coord", roles=frozenset({"coordinator"}), municipalities=frozenset({"BG-RAK"}))
    later = datetime.now(UTC) + timedelta(days=5)
    with pytest.raises(Conflict) as refused, scheduling_runtime.database.transaction() as session:
        plans.apply(uuid.UUID(plan["id"]), coordinator, now=later, session=session)
    assert refused.value.extra["reason"] == "too_late"
    assert created(scheduling.get(f"/plans/{plan['id']}", headers=admin))["status"] == "ready"
