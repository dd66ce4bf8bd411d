"""Staff through scheduling's HTTP API, on SQLite and PostgreSQL: members of staff with
roles, skills, a base and a usual week; leaving; absences; what the bus is told."""
from __future__ import annotations

import json
from functools import partial

import httpx
import pytest

from shared.testing import assert_problem, at_once, created

HELPER = {"municipality": "BG-RAK", "subject": "helper-ivanka", "display_name": "Иванка Петрова",
          "roles": ["home_helper"], "skills": ["wound_care"], "base_location": {"latitude": 42.09, "longitude": 24.0},
          "contracted_hours_per_week": 40,
          "availability": [{"day": "mon", "start": "08:00", "end": "12:00"},
                           {"day": "mon", "start": "13:00", "end": "17:00"},
                           {"day": "wed", "start": "08:00", "end": "16:00"}]}


@pytest.fixture
def rak(auth):
    return auth("coordinator", "BG-RAK", subject="coordinator-rak")


def register(scheduling, headers, **overrides) -> dict:
    return created(scheduling.post("/staff", json={**HELPER, **overrides}, headers=headers))


def test_a_coordinator_registers_a_member_and_the_event_names_no_one(scheduling, catalogue, rak, published):
    member = register(scheduling, rak)

    assert (member["subject"], member["display_name"], member["roles"], member["left_on"]) == (
        "helper-ivanka", "Иванка Петрова", ["home_helper"], None)
    assert member["availability"] == HELPER["availability"]
    assert scheduling.get(f"/staff/{member['id']}", headers=rak).json() == member
    [event] = published("scheduling.staff.registered.v1")
    assert event["data"] == {"staff_id": member["id"], "subject": "helper-ivanka", "municipality": "BG-RAK",
                             "roles": ["home_helper"], "joined_on": None, "left_on": None}
    assert "Иванка" not in json.dumps(event) and "42.09" not in json.dumps(event)


def test_a_member_who_worked_before_being_registered_says_since_when(scheduling, catalogue, rak, published):
    member = register(scheduling, rak, joined_on="2025-07-01")
    assert member["joined_on"] == "2025-07-01"
    [event] = published("scheduling.staff.registered.v1")
    assert event["data"]["joined_on"] == "2025-07-01"  # reporting counts them in periods since
    assert_problem(scheduling.post("/staff", json={**HELPER, "subject": "x-1", "joined_on": "1999-12-31"},
                                   headers=rak), 422, "joined_on")


@pytest.mark.parametrize(("change", "field"), [
    ({"roles": ["driver"]}, "roles.0"),  # retired
    ({"roles": ["home_helper", "astronaut"]}, "roles.1"),  # not on the list
    ({"roles": []}, "roles"),
    ({"roles": ["home_helper", "home_helper"]}, "roles"),
    ({"municipality": "BG-XXX"}, "municipality"),
    ({"subject": "Иванка Петрова"}, "subject"),  # a name is not an id
    ({"display_name": "Ivanka\u202ePetrova"}, "display_name"),
    ({"contracted_hours_per_week": 0}, "contracted_hours_per_week"),
    ({"contracted_hours_per_week": 169}, "contracted_hours_per_week"),
    ({"contracted_hours_per_week": True}, "contracted_hours_per_week"),
    ({"availability": [{"day": "mon", "start": "08:00", "end": "12:00"},
                       {"day": "mon", "start": "11:00", "end": "13:00"}]}, "availability"),
    ({"availability": [{"day": "mon", "start": "12:00", "end": "08:00"}]}, "availability.0.end"),
    ({"availability": [{"day": "someday", "start": "08:00", "end": "12:00"}]}, "availability.0.day"),
    ({"base_location": {"latitude": 91, "longitude": 0}}, "base_location.latitude"),
    ({"hobby": "chess"}, "hobby"),
])
def test_a_member_is_refused_with_the_field_named(scheduling, catalogue, admin, change, field):
    assert_problem(scheduling.post("/staff", json={**HELPER, **change}, headers=admin), 422, field)


def test_windows_of_different_days_may_share_hours(scheduling, catalogue, rak):
    week = [{"day": day, "start": "08:00", "end": "16:00"} for day in ("mon", "tue", "wed", "thu", "fri")]
    assert register(scheduling, rak, availability=week)["availability"] == week


@pytest.mark.parametrize(("role", "municipality", "status"), [
    ("coordinator", "BG-PER", 403),  # another municipality's coordinator
    ("worker", "BG-RAK", 403),
    ("expert", "*", 403),
    ("analyst", "*", 403),
])
def test_only_the_municipalitys_coordinators_register_staff(scheduling, catalogue, auth, role, municipality, status):
    assert scheduling.post("/staff", json=HELPER, headers=auth(role, municipality)).status_code == status


def test_a_subject_belongs_to_one_member(scheduling, catalogue, rak, auth):
    register(scheduling, rak)
    again = scheduling.post("/staff", json={**HELPER, "municipality": "BG-PER"}, headers=auth("coordinator", "*"))
    assert_problem(again, 409, "subject")


@pytest.mark.servers
def test_simultaneous_registrations_of_one_member_make_one(served_service, scheduling, catalogue, rak, published):
    with httpx.Client(base_url=served_service("scheduling"), timeout=60) as http:
        answers = at_once([partial(http.post, "/staff", json=HELPER, headers=rak) for _ in range(10)])
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 9
    assert len(published("scheduling.staff.registered.v1")) == 1


def test_staff_are_listed_by_municipality_role_and_paged(scheduling, catalogue, rak, auth):
    for i, (name, roles) in enumerate([("Ана", ["home_helper"]), ("Бояна", ["medical_specialist"]),
                                        ("Вела", ["home_helper", "volunteer"])]):
        register(scheduling, rak, subject=f"member-{i}", display_name=name, roles=roles)
    register(scheduling, auth("coordinator", "BG-PER"), municipality="BG-PER", subject="member-per")

    def listed(headers=rak, **params) -> dict:
        answer = scheduling.get("/staff", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert [m["display_name"] for m in listed()["items"]] == ["Ана", "Бояна", "Вела"]
    assert [m["display_name"] for m in listed(role="home_helper")["items"]] == ["Ана", "Вела"]
    first = listed(limit=2)
    assert (len(first["items"]), first["total"]) == (2, 3)
    assert [m["display_name"] for m in listed(limit=2, after=first["next"])["items"]] == ["Вела"]
    assert listed(headers=auth("coordinator", "*"))["total"] == 4
    assert listed(headers=auth("worker", "BG-PER"))["total"] == 1
    assert scheduling.get("/staff", headers=auth("analyst", "*")).status_code == 403
    assert_problem(scheduling.get("/staff", params={"rol": "x"}, headers=rak), 422, "query.rol")


def test_a_change_of_roles_is_published_and_of_a_name_is_not(scheduling, catalogue, rak, auth, published):
    member = register(scheduling, rak)
    renamed = scheduling.patch(f"/staff/{member['id']}", json={"display_name": "Иванка Стоянова"}, headers=rak)
    assert renamed.json()["display_name"] == "Иванка Стоянова"
    assert published("scheduling.staff.changed.v1") == []

    changed = scheduling.patch(f"/staff/{member['id']}", json={"roles": ["home_helper", "volunteer"],
                                                                "base_location": None}, headers=rak)
    assert (changed.json()["roles"], changed.json()["base_location"]) == (["home_helper", "volunteer"], None)
    [event] = published("scheduling.staff.changed.v1")
    assert event["data"]["roles"] == ["home_helper", "volunteer"]
    assert_problem(scheduling.patch(f"/staff/{member['id']}", json={"roles": None}, headers=rak), 422, "roles")
    assert scheduling.patch(f"/staff/{member['id']}", json={"skills": []},
                            headers=auth("coordinator", "BG-PER")).status_code == 404


def test_a_member_leaves_once(scheduling, catalogue, rak, published):
    member = register(scheduling, rak)
    left = scheduling.post(f"/staff/{member['id']}/leaving", json={"left_on": "2026-12-31"}, headers=rak)
    assert left.status_code == 200 and left.json()["left_on"] == "2026-12-31"
    [event] = published("scheduling.staff.left.v1")
    assert (event["data"]["staff_id"], event["data"]["left_on"]) == (member["id"], "2026-12-31")
    again = scheduling.post(f"/staff/{member['id']}/leaving", json={"left_on": "2027-01-31"}, headers=rak)
    assert_problem(again, 409, "left_on")
    assert scheduling.get("/staff", headers=rak).json()["total"] == 0
    assert scheduling.get("/staff", params={"include_left": "true"}, headers=rak).json()["total"] == 1


def test_absences_are_recorded_listed_and_withdrawn(scheduling, catalogue, rak):
    member = register(scheduling, rak)
    path = f"/staff/{member['id']}/absences"
    sick = created(scheduling.post(path, json={"kind": "sickness", "starts_on": "2026-12-07",
                                               "ends_on": "2026-12-09"}, headers=rak))
    assert (sick["kind"], sick["recorded_by"]) == ("sickness", "coordinator-rak")
    overlapping = scheduling.post(path, json={"kind": "leave", "starts_on": "2026-12-09", "ends_on": "2026-12-20"},
                                  headers=rak)
    assert_problem(overlapping, 409, "starts_on")
    assert overlapping.json()["absence_id"] == sick["id"]
    created(scheduling.post(path, json={"kind": "training", "starts_on": "2026-12-10", "ends_on": "2026-12-10"},
                            headers=rak))
    assert [a["kind"] for a in scheduling.get(path, headers=rak).json()] == ["sickness", "training"]
    assert scheduling.delete(f"{path}/{sick['id']}", headers=rak).status_code == 204
    assert [a["kind"] for a in scheduling.get(path, headers=rak).json()] == ["training"]
    assert scheduling.delete(f"{path}/{sick['id']}", headers=rak).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "holiday", "starts_on": "2026-12-07", "ends_on": "2026-12-07"}, "kind"),
    ({"kind": "leave", "starts_on": "2026-12-07", "ends_on": "2026-12-06"}, "ends_on"),
    ({"kind": "leave", "starts_on": "2025-12-31", "ends_on": "2027-01-01"}, "ends_on"),  # 367 days: leaving
    ({"kind": "leave", "starts_on": "1999-12-31", "ends_on": "2026-01-01"}, "starts_on"),
])
def test_an_absence_is_refused_with_the_field_named(scheduling, catalogue, rak, body, field):
    member = register(scheduling, rak)
    assert_problem(scheduling.post(f"/staff/{member['id']}/absences", json=body, headers=rak), 422, field)
