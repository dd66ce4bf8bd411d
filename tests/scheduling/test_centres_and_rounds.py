"""Centre appointments and mobile-unit rounds on SQLite and PostgreSQL: office hours cut
into free slots, appointments booked once, a round's team booked and each client seen
recorded as a completed visit; and sessions and rounds taking their staff's time."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.catalogue.service import keep_service_type
from shared.events.intake import ServiceTypeRegistered
from shared.testing import assert_problem, at_once, created
from tests.scheduling.test_delivery import DAILY_HELP, EVERY_DAY
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event

NOW = datetime.now(UTC).replace(microsecond=0)
SOFIA = ZoneInfo("Europe/Sofia")
WEEK = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
CENTRE = {"latitude": 42.6051, "longitude": 23.0378}


@pytest.fixture
def modes(scheduling_runtime, catalogue):
    """Psychological counselling at a centre, check-ups of a mobile unit."""
    with scheduling_runtime.database.transaction() as session:
        for code, mode, roles, minutes in [("psychological_counselling", "centre", ["psychologist"], 50),
                                           ("mobile_unit_checkup", "mobile_unit", ["medical_specialist"], 20)]:
            keep_service_type(ServiceTypeRegistered(code=code, names={"en": code}, mode=mode, staff_roles=roles,
                                                    default_duration_minutes=minutes, unit="visit"),
                              active=True, as_of=NOW, session=session)


def last_morning() -> datetime:
    """The latest 10:00 in Pernik that has passed: a round begun then lies within the usual
    week (07:00-20:00), whatever the hour the tests run."""
    local = NOW.astimezone(SOFIA)
    ten = local.replace(hour=10, minute=0, second=0)
    return (ten if ten <= local else ten - timedelta(days=1)).astimezone(UTC)


def member(scheduling, admin, subject, role, municipality="BG-PER") -> str:
    return created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "municipality": municipality, "subject": subject, "display_name": subject, "roles": [role],
        "availability": WEEK, "contracted_hours_per_week": 80}))["id"]


@pytest.fixture
def centre(scheduling, admin, modes):
    """Pernik's centre, where a psychologist receives clients every day 09:00-11:00."""
    psychologist = member(scheduling, admin, "psychologist-1", "psychologist")
    place = created(scheduling.post("/centres", headers=admin, json={
        "municipality": "BG-PER", "name": "Интегриран център", "location": CENTRE}))
    hours = created(scheduling.post(f"/centres/{place['id']}/hours", headers=admin, json={
        "staff_id": psychologist, "service_type": "psychological_counselling", "day": "mon", "start": "09:00",
        "end": "11:00"}))
    for day in EVERY_DAY[1:]:
        created(scheduling.post(f"/centres/{place['id']}/hours", headers=admin, json={
            "staff_id": psychologist, "service_type": "psychological_counselling", "day": day, "start": "09:00",
            "end": "11:00"}))
    return place, psychologist, hours


def slots(scheduling, headers, centre_id, **params) -> list[dict]:
    answer = scheduling.get(f"/centres/{centre_id}/slots", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_office_hours_give_slots_of_the_services_length_and_a_booked_one_is_gone(scheduling, admin, centre,
                                                                                published):
    place, psychologist, hours = centre
    assert hours["slot_minutes"] == 50
    tomorrow = (NOW.astimezone(SOFIA) + timedelta(days=1)).date()
    free = slots(scheduling, admin, place["id"], from_day=tomorrow.isoformat(), days=1)
    assert [datetime.fromisoformat(s["starts_at"]).astimezone(SOFIA).strftime("%H:%M") for s in free] == [
        "09:00", "09:50"]  # a third would end after 11:00
    client = str(uuid.uuid4())
    booked = created(scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        "client_id": client, "service_type": "psychological_counselling", "staff_id": psychologist,
        "starts_at": free[0]["starts_at"]}))
    assert (booked["staff_id"], booked["status"], booked["location"]) == (psychologist, "planned", CENTRE)
    assert [s["starts_at"] for s in slots(scheduling, admin, place["id"], from_day=tomorrow.isoformat(),
                                          days=1)] == [free[1]["starts_at"]]
    assert_problem(scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        "client_id": str(uuid.uuid4()), "service_type": "psychological_counselling", "staff_id": psychologist,
        "starts_at": free[0]["starts_at"]}), 409, "starts_at")
    assert "psychologist-1" in {e["data"]["staff_id"] for e in published("scheduling.client.assigned.v1")}


def test_two_bookings_of_one_slot_at_once_book_it_once(scheduling, admin, centre):
    place, psychologist, _ = centre
    tomorrow = (NOW.astimezone(SOFIA) + timedelta(days=1)).date()
    first = slots(scheduling, admin, place["id"], from_day=tomorrow.isoformat(), days=1)[0]
    answers = at_once([lambda: scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        "client_id": str(uuid.uuid4()), "service_type": "psychological_counselling", "staff_id": psychologist,
        "starts_at": first["starts_at"]})] * 2)
    assert sorted(a.status_code for a in answers) == [201, 409]


def test_office_hours_are_refused_for_the_wrong_member_service_or_overlap(scheduling, admin, centre):
    place, psychologist, _ = centre
    path = f"/centres/{place['id']}/hours"
    nurse = member(scheduling, admin, "nurse-1", "medical_specialist")
    body = {"staff_id": psychologist, "service_type": "psychological_counselling", "day": "mon", "start": "10:00",
            "end": "12:00"}
    assert_problem(scheduling.post(path, headers=admin, json=body), 409, "start")
    assert_problem(scheduling.post(path, headers=admin, json={**body, "staff_id": nurse}), 422, "staff_id")
    assert_problem(scheduling.post(path, headers=admin, json={**body, "day": "sat", "service_type": "home_help"}),
                   422, "service_type")
    assert_problem(scheduling.post(path, headers=admin, json={**body, "end": "09:00"}), 422, "end")
    assert_problem(scheduling.post(path, headers=admin, json={**body, "day": "sat", "slot_minutes": 180}), 422,
                   "slot_minutes")


def test_an_appointment_names_a_known_plan_of_the_client_and_is_at_most_a_year_ahead(scheduling, admin, centre,
                                                                                    apply):
    place, psychologist, _ = centre
    tomorrow = (NOW.astimezone(SOFIA) + timedelta(days=1)).date()
    slot = slots(scheduling, admin, place["id"], from_day=tomorrow.isoformat(), days=1)[0]
    plan = apply(plan_event(lines=(DAILY_HELP,), starts_on=NOW.date()), now=NOW)  # a Rakitovo client's plan
    body = {"client_id": str(plan.client_id), "service_type": "psychological_counselling", "staff_id": psychologist,
            "starts_at": slot["starts_at"]}
    assert_problem(scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        **body, "care_plan_id": str(plan.careplan_id)}), 422, "care_plan_id")  # of another municipality
    assert_problem(scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        **body, "care_plan_id": str(uuid.uuid4())}), 422, "care_plan_id")
    assert_problem(scheduling.post(f"/centres/{place['id']}/appointments", headers=admin, json={
        **body, "starts_at": "2099-06-01T07:00:00Z"}), 422, "starts_at")


def test_a_round_books_its_team_and_records_each_client_seen(scheduling, admin, auth, modes, published):
    nurse = member(scheduling, admin, "nurse-1", "medical_specialist")
    started = last_morning()
    stop = created(scheduling.post("/rounds", headers=admin, json={
        "municipality": "BG-PER", "unit": "Мобилен кабинет", "service_type": "mobile_unit_checkup",
        "stop_name": "Кв. Калкас", "location": CENTRE, "starts_at": started.isoformat(), "duration_minutes": 180,
        "team": [nurse]}))
    assert (stop["status"], stop["team"], stop["seen"]) == ("planned", [nurse], 0)
    overlapping = scheduling.post("/rounds", headers=admin, json={
        "municipality": "BG-PER", "unit": "Мобилен кабинет 2", "service_type": "mobile_unit_checkup",
        "stop_name": "Център", "starts_at": (started + timedelta(hours=1)).isoformat(), "duration_minutes": 60,
        "team": [nurse]})
    assert_problem(overlapping, 409, "team.0")
    assert overlapping.json()["reason"] == "double_booked"

    nurse_token = auth("worker", "BG-PER", subject="nurse-1")
    clients = [str(uuid.uuid4()) for _ in range(3)]
    for client in clients:
        seen = created(scheduling.post(f"/rounds/{stop['id']}/seen", headers=nurse_token, json={
            "client_id": client, "report": {"services_delivered": ["blood_pressure"]}}))
        assert (seen["status"], seen["staff_id"], seen["delivered_minutes"]) == ("completed", nurse, 20)
    assert_problem(scheduling.post(f"/rounds/{stop['id']}/seen", headers=nurse_token,
                                   json={"client_id": clients[0]}), 409, "client_id")
    assert_problem(scheduling.post(f"/rounds/{stop['id']}/seen", headers=nurse_token, json={
        "client_id": str(uuid.uuid4()), "at": "2001-01-01T00:00:00Z"}), 422, "at")
    again = created(scheduling.get(f"/rounds/{stop['id']}", headers=admin))
    assert (again["status"], again["seen"]) == ("held", 3)
    completed = published("scheduling.visit.completed.v1")
    assert sorted(e["data"]["client_id"] for e in completed) == sorted(clients)
    assert_problem(scheduling.post(f"/rounds/{stop['id']}/cancel", headers=admin), 409, "status")


def test_a_round_is_refused_for_a_service_or_member_that_does_not_fit(scheduling, admin, modes):
    nurse = member(scheduling, admin, "nurse-1", "medical_specialist")
    psychologist = member(scheduling, admin, "psychologist-1", "psychologist")
    body = {"municipality": "BG-PER", "unit": "Кабинет", "service_type": "mobile_unit_checkup", "stop_name": "Площад",
            "starts_at": (last_morning() + timedelta(days=1)).isoformat(), "duration_minutes": 60, "team": [nurse]}
    assert_problem(scheduling.post("/rounds", headers=admin, json={**body, "service_type": "home_help"}), 422,
                   "service_type")
    assert_problem(scheduling.post("/rounds", headers=admin, json={**body, "team": [nurse, psychologist]}), 422,
                   "team.1")
    assert_problem(scheduling.post("/rounds", headers=admin, json={**body, "team": [nurse, nurse]}), 422, "team")
    assert_problem(scheduling.post("/rounds", headers=admin, json={**body, "starts_at": "2020-12-11T08:00:00Z"}), 422,
                   "starts_at")
    future = created(scheduling.post("/rounds", headers=admin, json=body))
    assert_problem(scheduling.post(f"/rounds/{future['id']}/seen", headers=admin,
                                   json={"client_id": str(uuid.uuid4())}), 409, "starts_at")


def test_a_facilitators_sessions_and_a_nurses_round_keep_visits_off_their_time(scheduling, admin, apply, catalogue,
                                                                              modes):
    helper = member(scheduling, admin, "helper-1", "home_helper", municipality="BG-RAK")
    created(scheduling.patch(f"/staff/{helper}", headers=admin, json={"roles": ["home_helper", "health_mediator"]}))
    created(scheduling.post("/groups", headers=admin, json={
        "municipality": "BG-RAK", "name": "Кръжок", "topic": "elderly_circle", "venue_name": "Клуб",
        "facilitator_ids": [helper], "capacity": 10, "starts_on": NOW.date().isoformat(), "start_time": "09:00",
        "duration_minutes": 60, "recurrence": "FREQ=DAILY"}))
    plan = apply(plan_event(lines=(DAILY_HELP,), starts_on=NOW.date()), now=NOW)
    planned = listed(scheduling, admin, care_plan_id=str(plan.careplan_id))
    assert planned and all(v["staff_id"] is None for v in planned)  # 09:00-10:00 daily: the group's hour
    assert {v["unstaffed_reason"] for v in planned} == {"double_booked"}
