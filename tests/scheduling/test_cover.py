"""Sickness cover on SQLite and PostgreSQL: an absence lists the member's visits it affects
with who may take each, best first, and gives them away on request; and the ranking's
rules on their own."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.cover import rules
from services.scheduling.cover.rules import Substitute
from shared.testing import assert_problem, created
from tests.scheduling.test_delivery import DAILY_HELP, EVERY_DAY
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event

NOW = datetime.now(UTC).replace(microsecond=0)
HOME = {"latitude": 42.09, "longitude": 24.0}
NEAR = {"latitude": 42.10, "longitude": 24.01}  # some 1.4 km
FAR = {"latitude": 42.30, "longitude": 24.30}  # some 34 km


def member(scheduling, admin, subject, *, role="home_helper", skills=(), base=HOME) -> str:
    week = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
    return created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": subject, "display_name": subject, "roles": [role], "skills": list(skills),
        "base_location": base, "availability": week, "contracted_hours_per_week": 80}))["id"]


@pytest.fixture
def sick_leave(scheduling, apply, admin, catalogue):
    """A helper (wound care) with a daily visit; then sick tomorrow and the day after."""
    def record(*others) -> tuple[str, dict]:
        absent = member(scheduling, admin, "helper-sick", skills=["wound_care", "diabetes"])
        apply(plan_event(lines=({**DAILY_HELP, "preferred_worker": absent},), starts_on=NOW.date()), now=NOW)
        for subject, skills, base in others:
            member(scheduling, admin, subject, skills=skills, base=base)
        tomorrow = NOW.date() + timedelta(days=1)
        absence = created(scheduling.post(f"/staff/{absent}/absences", headers=admin, json={
            "kind": "sickness", "starts_on": tomorrow.isoformat(), "ends_on": (tomorrow + timedelta(days=1))
            .isoformat()}))
        return absent, absence
    return record


def test_an_absence_lists_the_visits_it_affects_with_substitutes_best_first(scheduling, admin, sick_leave):
    member(scheduling, admin, "volunteer-1", role="volunteer", skills=["wound_care"])  # not for home help
    absent, absence = sick_leave(("helper-far", ["wound_care"], FAR), ("helper-near", ["wound_care"], NEAR),
                                 ("helper-new", [], HOME))
    affected = absence["affected_visits"]
    assert len(affected) == 2  # one a day, on both days
    assert {item["visit"]["staff_id"] for item in affected} == {absent}
    for item in affected:
        names = [s["display_name"] for s in item["substitutes"]]
        assert names == ["helper-near", "helper-far", "helper-new"]  # skills, then distance
        assert all(s["free"] and s["reason"] is None for s in item["substitutes"])
        assert item["substitutes"][0]["skills_in_common"] == 1 and item["substitutes"][0]["distance_km"] < 2
    again = created(scheduling.get(f"/staff/{absent}/absences/{absence['id']}/cover", headers=admin))
    assert again["affected_visits"] == affected


def test_the_visits_go_to_the_best_free_substitute_on_request(scheduling, admin, sick_leave, published):
    absent, absence = sick_leave(("helper-near", ["wound_care"], NEAR), ("helper-far", [], FAR))
    path = f"/staff/{absent}/absences/{absence['id']}/cover"
    covered = created(scheduling.post(path, headers=admin, json={}))
    near = next(s["staff_id"] for s in absence["affected_visits"][0]["substitutes"]
                if s["display_name"] == "helper-near")
    assert [c["staff_id"] for c in covered] == [near, near]
    assert {v["id"] for v in listed(scheduling, admin, staff_id=near)} == {c["visit_id"] for c in covered}
    assert "helper-near" in {e["data"]["staff_id"] for e in published("scheduling.client.assigned.v1")}
    assert created(scheduling.get(path, headers=admin))["affected_visits"] == []


def test_a_visit_no_one_is_free_for_is_listed_unstaffed(scheduling, admin, sick_leave):
    absent, absence = sick_leave()  # no one else
    assert all(item["substitutes"] == [] for item in absence["affected_visits"])
    covered = created(scheduling.post(f"/staff/{absent}/absences/{absence['id']}/cover", headers=admin, json={}))
    assert [c["staff_id"] for c in covered] == [None, None]
    unstaffed = listed(scheduling, admin, unstaffed="true")
    assert {v["id"] for v in unstaffed} == {c["visit_id"] for c in covered}
    assert {v["unstaffed_reason"] for v in unstaffed} == {"not_working"}


def test_a_coordinator_names_who_covers_and_bad_choices_are_refused(scheduling, admin, sick_leave, auth):
    absent, absence = sick_leave(("helper-near", ["wound_care"], NEAR), ("helper-far", [], FAR))
    path = f"/staff/{absent}/absences/{absence['id']}/cover"
    first = absence["affected_visits"][0]["visit"]["id"]
    far = next(s["staff_id"] for s in absence["affected_visits"][0]["substitutes"] if s["display_name"] == "helper-far")
    assert_problem(scheduling.post(path, headers=admin, json={"visits": [{"visit_id": str(uuid.uuid4())}]}), 422,
                   "visits.0.visit_id")
    assert_problem(scheduling.post(path, headers=admin, json={"visits": [{"visit_id": first, "staff_id": absent}]}),
                   409, "visits.0.staff_id")
    assert_problem(scheduling.post(path, headers=admin, json={"visits": [{"visit_id": first}, {"visit_id": first}]}),
                   422, "visits")
    assert_problem(scheduling.post(path, headers=auth("worker", "BG-RAK", subject="helper-near"), json={}), 403)
    covered = created(scheduling.post(path, headers=admin, json={"visits": [{"visit_id": first, "staff_id": far}]}))
    assert covered == [{"visit_id": first, "staff_id": far}]
    assert len(created(scheduling.get(path, headers=admin))["affected_visits"]) == 1
    assert_problem(scheduling.get(f"/staff/{absent}/absences/{uuid.uuid4()}/cover", headers=admin), 404)


# -- the ranking ---------------------------------------------------------------------------------


def substitute(name: int, *, reason=None, skills=0, km=1.0, visits=0) -> Substitute:
    return Substitute(staff_id=uuid.UUID(int=name), reason=reason, skills_in_common=skills, distance_km=km,
                      visits_with_client=visits)


def test_free_members_come_before_those_needing_an_override_and_the_away_or_booked_are_not_offered():
    ranked = rules.ranked([substitute(1, reason="not_available", skills=3), substitute(2),
                           substitute(3, reason="double_booked"), substitute(4, reason="not_working"),
                           substitute(5, reason="no_staff_in_role"), substitute(6, reason="over_contracted_hours")])
    assert [s.staff_id.int for s in ranked] == [2, 1, 6]


def test_skills_then_distance_bands_then_continuity_then_distance():
    ranked = rules.ranked([substitute(1, km=1.0), substitute(2, km=3.0, visits=4), substitute(3, km=12.0, skills=1),
                           substitute(4, km=7.0, visits=9), substitute(5, km=None, visits=20), substitute(6, km=0.5)])
    # 3 has a skill; 2 knows the client within the first band; 6 nearer than 1; 4 in the next band; 5 nowhere
    assert [s.staff_id.int for s in ranked] == [3, 2, 6, 1, 4, 5]


def test_the_optimiser_repairs_a_day_of_the_absence_and_applying_it_covers_the_visit(
        scheduling, admin, sick_leave, scheduling_runtime):
    absent, absence = sick_leave(("helper-near", ["wound_care"], NEAR), ("helper-far", [], FAR))
    path = f"/staff/{absent}/absences/{absence['id']}/repair"
    assert_problem(scheduling.post(path, headers=admin, json={"day": NOW.date().isoformat()}), 422, "day")
    day = absence["starts_on"]
    asked = scheduling.post(path, headers=admin, json={"day": day, "seconds": 1})
    assert asked.status_code == 202 and asked.json()["first_day"] == asked.json()["last_day"] == day
    scheduling_runtime.celery().tasks["scheduling.sweep_route_plans"].delay()
    plan = created(scheduling.get(f"/plans/{asked.json()['id']}", headers=admin))
    visit = next(item["visit"] for item in absence["affected_visits"] if item["visit"]["starts_at"][:10] == day)
    [route] = [r for r in plan["result"]["routes"] if visit["id"] in {s["visit_id"] for s in r["stops"]}]
    near = next(s["staff_id"] for s in absence["affected_visits"][0]["substitutes"]
                if s["display_name"] == "helper-near")
    assert route["staff_id"] == near and plan["result"]["saving"]["visits"] == 1  # done, where no one was to do it
    assert created(scheduling.post(f"/plans/{plan['id']}/apply", headers=admin))["moved"] >= 1
    assert created(scheduling.get(f"/visits/{visit['id']}", headers=admin))["staff_id"] == near
