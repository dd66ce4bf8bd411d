"""Self-help groups and one-off activities through scheduling's HTTP API, on SQLite and
PostgreSQL: sessions from an RRULE, members and capacity, attendance, what the bus is told;
and the recurrence rules on their own (daylight saving included)."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.scheduling.groups import rules, service as groups
from services.scheduling.models import Group
from shared.localtime import moment
from shared.testing import assert_problem, at_once, created
from tests.scheduling.test_staff import HELPER

NOW = datetime.now(UTC).replace(microsecond=0)
SOFIA = ZoneInfo("Europe/Sofia")


@pytest.fixture
def mediator(scheduling, catalogue, admin) -> str:
    return created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": "mediator-1", "display_name": "Фатме", "roles": ["health_mediator"]}))["id"]


@pytest.fixture
def group(scheduling, admin, mediator):
    """Register a group of Rakitovo (mothers' club, Tuesdays 17:00) with the fields given."""
    def register(**fields) -> dict:
        return created(scheduling.post("/groups", headers=admin, json={
            "municipality": "BG-RAK", "name": "Клуб на майките", "topic": "maternal_child_health",
            "venue_name": "Читалище „Просвета“", "facilitator_ids": [mediator], "capacity": 12,
            "starts_on": (NOW.date() - timedelta(days=14)).isoformat(), "start_time": "17:00",
            "duration_minutes": 90, "recurrence": "FREQ=WEEKLY;BYDAY=TU", **fields}))
    return register


def sessions(scheduling, headers, group_id, **params) -> list[dict]:
    answer = scheduling.get(f"/groups/{group_id}/sessions", headers=headers, params={"limit": 200, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_a_group_gets_its_sessions_from_its_recurrence_and_the_bus_only_ids_and_counts(
        scheduling, admin, group, mediator, published):
    club = group()
    planned = sessions(scheduling, admin, club["id"])
    assert 4 <= len(planned) <= 5 and club["members"] == 0
    for meeting in planned:
        local = datetime.fromisoformat(meeting["starts_at"]).astimezone(SOFIA)
        assert (local.strftime("%a"), local.hour, local.minute) == ("Tue", 17, 0)
        assert local.date() >= NOW.astimezone(SOFIA).date() and meeting["status"] == "planned"
        assert datetime.fromisoformat(meeting["ends_at"]) - datetime.fromisoformat(meeting["starts_at"]) == \
            timedelta(minutes=90)
    [event] = published("scheduling.group.registered.v1")
    assert event["data"]["facilitator_ids"] == [mediator] and event["data"]["topic"] == "maternal_child_health"
    assert "Клуб" not in json.dumps(event) and "Читалище" not in json.dumps(event)


@pytest.mark.parametrize(("fields", "field"), [
    ({"recurrence": "FREQ=HOURLY"}, "recurrence"),
    ({"recurrence": "FREQ=WEEKLY;BYHOUR=9"}, "recurrence"),
    ({"recurrence": "FREQ=WEEKLY;BYDAY=XX"}, "recurrence"),
    ({"recurrence": "FREQ=WEEKLY;COUNT=3;UNTIL=20271231"}, "recurrence"),
    ({"recurrence": "FREQ=WEEKLY\nBYDAY=TU"}, "recurrence"),
    ({"recurrence": "FREQ=DAILY;INTERVAL=0"}, "recurrence"),  # would never move on
    ({"recurrence": "FREQ=DAILY;COUNT=0"}, "recurrence"),
    ({"recurrence": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "recurrence"),  # never meets
    ({"recurrence": "FREQ=WEEKLY;BYSETPOS=5;BYDAY=MO"}, "recurrence"),
    ({"recurrence": "FREQ=MONTHLY;BYDAY=6MO"}, "recurrence"),
    ({"recurrence": "FREQ=DAILY;BYWEEKNO=3"}, "recurrence"),
    ({"recurrence": "FREQ=DAILY;UNTIL=20200101"}, "recurrence"),  # ends before it begins
    ({"recurrence": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO"}, "recurrence"),  # not within two years
    ({"facilitator_ids": [str(uuid.uuid4())]}, "facilitator_ids.0"),
    ({"start_time": "25:00"}, "start_time"),
    ({"capacity": 0}, "capacity"),
    ({"ends_on": "2020-01-01"}, "ends_on"),
])
def test_a_group_is_refused_with_the_field_named(scheduling, admin, mediator, fields, field):
    body = {"municipality": "BG-RAK", "name": "Клуб", "topic": "elderly_circle", "venue_name": "Клуб",
            "facilitator_ids": [mediator], "capacity": 10, "starts_on": "2026-12-01", "start_time": "10:00",
            "recurrence": "FREQ=WEEKLY;BYDAY=MO", **fields}
    assert_problem(scheduling.post("/groups", headers=admin, json=body), 422, field)


def test_a_rule_in_utc_until_a_day_is_read_as_the_groups_local_time(scheduling, admin, group):
    until = (NOW + timedelta(days=9)).strftime("%Y%m%dT235959Z")
    club = group(recurrence=f"FREQ=DAILY;UNTIL={until}")
    last = max(datetime.fromisoformat(s["starts_at"]).astimezone(SOFIA).date()
               for s in sessions(scheduling, admin, club["id"]))
    assert last == (NOW + timedelta(days=9)).date()


def test_a_group_cannot_end_before_it_begins_nor_hold_fewer_than_its_members(scheduling, admin, group):
    club = group(capacity=3)
    assert_problem(scheduling.patch(f"/groups/{club['id']}", headers=admin, json={"ends_on": "2020-01-01"}), 422,
                   "ends_on")
    for _ in range(2):
        created(scheduling.post(f"/groups/{club['id']}/members", headers=admin, json={"client_id": str(uuid.uuid4())}))
    assert_problem(scheduling.patch(f"/groups/{club['id']}", headers=admin, json={"capacity": 1}), 409, "capacity")
    assert created(scheduling.patch(f"/groups/{club['id']}", headers=admin, json={"capacity": 2}))["capacity"] == 2


def test_a_seat_is_freed_by_leaving_and_a_client_may_come_back(scheduling, admin, group):
    club = group(capacity=1)
    path = f"/groups/{club['id']}/members"
    client = str(uuid.uuid4())
    created(scheduling.post(path, headers=admin, json={"client_id": client}))
    backdated = {"client_id": str(uuid.uuid4()), "joined_on": (NOW.date() - timedelta(days=7)).isoformat()}
    assert_problem(scheduling.post(path, headers=admin, json=backdated), 409, "capacity")  # full, whatever the day
    assert_problem(scheduling.post(path, headers=admin, json={**backdated, "joined_on": "1990-01-01"}), 422,
                   "joined_on")
    created(scheduling.delete(f"{path}/{client}", headers=admin))
    created(scheduling.post(path, headers=admin, json=backdated))
    assert_problem(scheduling.post(path, headers=admin, json={"client_id": client}), 409, "capacity")
    created(scheduling.delete(f"{path}/{backdated['client_id']}", headers=admin))
    assert created(scheduling.post(path, headers=admin, json={"client_id": client}))["left_on"] is None


def test_members_join_up_to_capacity_and_the_last_seat_goes_once(scheduling, admin, group, published):
    club = group(capacity=2)
    path = f"/groups/{club['id']}/members"
    first = str(uuid.uuid4())
    created(scheduling.post(path, headers=admin, json={"client_id": first}))
    assert_problem(scheduling.post(path, headers=admin, json={"client_id": first}), 409, "client_id")
    answers = at_once([lambda: scheduling.post(path, headers=admin, json={"client_id": str(uuid.uuid4())})] * 2)
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert created(scheduling.get(f"/groups/{club['id']}", headers=admin))["members"] == 2
    assert created(scheduling.delete(f"{path}/{first}", headers=admin))["left_on"] is not None
    assert_problem(scheduling.delete(f"{path}/{first}", headers=admin), 404)
    assert len(published("scheduling.group.member_joined.v1")) == 2
    assert [e["data"]["client_id"] for e in published("scheduling.group.member_left.v1")] == [first]


def test_attendance_of_a_session_is_recorded_corrected_and_published(scheduling, admin, auth, group, published):
    club = group(recurrence="FREQ=DAILY", start_time="00:00", duration_minutes=60)
    members = [str(uuid.uuid4()) for _ in range(3)]
    for client_id in members:
        created(scheduling.post(f"/groups/{club['id']}/members", headers=admin, json={"client_id": client_id}))
    today, *later = sessions(scheduling, admin, club["id"])
    facilitator = auth("worker", "BG-RAK", subject="mediator-1")
    path = f"/groups/{club['id']}/sessions/{today['id']}/attendance"

    held = created(scheduling.put(path, headers=facilitator, json={
        "present": members[:2], "anonymous_participants": 3, "topic": "Кърмене", "materials": ["Брошура"]}))
    assert (held["status"], sorted(held["present"]), held["anonymous_participants"]) == (
        "held", sorted(members[:2]), 3)
    corrected = created(scheduling.put(path, headers=facilitator, json={"present": members, "notes": "Добре"}))
    assert sorted(corrected["present"]) == sorted(members) and corrected["anonymous_participants"] == 0
    created(scheduling.put(path, headers=facilitator, json={"present": members[::-1], "notes": "Само бележка"}))
    events = published("scheduling.session.held.v1")
    assert [len(e["data"]["present"]) for e in events] == [2, 3] and events[0]["data"]["anonymous_participants"] == 3
    assert "Кърмене" not in json.dumps(events)

    stranger = str(uuid.uuid4())
    assert_problem(scheduling.put(path, headers=facilitator, json={"present": [members[0], stranger]}), 422,
                   "present.1")
    future = f"/groups/{club['id']}/sessions/{later[0]['id']}"
    assert_problem(scheduling.put(f"{future}/attendance", headers=facilitator, json={}), 409, "starts_at")
    assert created(scheduling.post(f"{future}/cancel", headers=facilitator))["status"] == "cancelled"
    assert_problem(scheduling.post(f"/groups/{club['id']}/sessions/{today['id']}/cancel", headers=admin), 409,
                   "status")


def test_only_the_groups_facilitators_among_workers_reach_it(scheduling, admin, auth, group):
    club = group()
    other = auth("worker", "BG-RAK", subject="someone-else")
    assert_problem(scheduling.get(f"/groups/{club['id']}", headers=other), 404)
    assert scheduling.get("/groups", headers=other).json()["items"] == []
    mine = auth("worker", "BG-RAK", subject="mediator-1")
    assert [g["id"] for g in scheduling.get("/groups", headers=mine).json()["items"]] == [club["id"]]
    assert_problem(scheduling.post("/groups/" + club["id"] + "/members", headers=auth("analyst", "BG-RAK"),
                                   json={"client_id": str(uuid.uuid4())}), 403)
    assert_problem(scheduling.get(f"/groups/{club['id']}", headers=auth("coordinator", "BG-PER")), 404)


def test_a_new_recurrence_replans_the_sessions_not_yet_held(scheduling, admin, group, published):
    club = group(recurrence="FREQ=DAILY", start_time="00:00", duration_minutes=60)
    today = sessions(scheduling, admin, club["id"])[0]
    created(scheduling.put(f"/groups/{club['id']}/sessions/{today['id']}/attendance", headers=admin,
                           json={"anonymous_participants": 5}))
    changed = created(scheduling.patch(f"/groups/{club['id']}", headers=admin,
                                       json={"recurrence": "FREQ=WEEKLY;BYDAY=TH", "start_time": "18:00"}))
    assert changed["recurrence"] == "FREQ=WEEKLY;BYDAY=TH"
    after = sessions(scheduling, admin, club["id"])
    assert after[0]["id"] == today["id"] and after[0]["status"] == "held"
    for meeting in after[1:]:
        local = datetime.fromisoformat(meeting["starts_at"]).astimezone(SOFIA)
        assert (local.strftime("%a"), local.hour) == ("Thu", 18)
    assert_problem(scheduling.patch(f"/groups/{club['id']}", headers=admin, json={"recurrence": None}), 422,
                   "recurrence")
    first, again = published("scheduling.sessions.planned.v1")
    assert {s["session_id"] for s in again["data"]["sessions"]} == {s["id"] for s in after[1:]}
    [dropped] = published("scheduling.sessions.cancelled.v1")
    assert dropped["data"]["reason"] == "group_changed" and today["id"] not in dropped["data"]["session_ids"]
    assert set(dropped["data"]["session_ids"]) == {s["session_id"] for s in first["data"]["sessions"]} - {today["id"]}
    created(scheduling.post(f"/groups/{club['id']}/sessions/{after[1]['id']}/cancel", headers=admin))
    assert published("scheduling.sessions.cancelled.v1")[1]["data"] == {
        "group_id": club["id"], "municipality": "BG-RAK",
        "session_ids": [after[1]["id"]], "reason": "cancelled"}


def test_the_daily_task_extends_every_group_once(scheduling, scheduling_runtime, admin, group):
    club = group(recurrence="FREQ=DAILY")
    before = len(sessions(scheduling, admin, club["id"]))
    with scheduling_runtime.database.transaction() as session:
        assert groups.extend_group_horizons(now=NOW + timedelta(days=7), session=session) == 7
    with scheduling_runtime.database.transaction() as session:
        assert groups.extend_group_horizons(now=NOW + timedelta(days=7), session=session) == 0
        assert session.get(Group, uuid.UUID(club["id"])).planned_until is not None
    assert len(sessions(scheduling, admin, club["id"])) == before + 7


# -- one-off activities ------------------------------------------------------------------------------


def test_an_activity_is_planned_held_with_its_participants_and_published(scheduling, admin, catalogue, published):
    started = (NOW - timedelta(hours=3)).isoformat()
    campaign = created(scheduling.post("/activities", headers=admin, json={
        "municipality": "BG-RAK", "kind": "health_campaign", "title": "Ден на ваксините", "venue_name": "Площад",
        "starts_at": started, "duration_minutes": 180}))
    later = created(scheduling.post("/activities", headers=admin, json={
        "municipality": "BG-RAK", "kind": "coalition_meeting", "title": "Коалиция", "venue_name": "Кметство",
        "starts_at": (NOW + timedelta(days=2)).isoformat(), "duration_minutes": 60}))
    held = created(scheduling.put(f"/activities/{campaign['id']}/held", headers=admin, json={"participants": 86}))
    assert (held["status"], held["participants"]) == ("held", 86)
    [event] = published("scheduling.activity.held.v1")
    assert (event["data"]["kind"], event["data"]["participants"]) == ("health_campaign", 86)
    assert "ваксините" not in json.dumps(event)
    assert_problem(scheduling.put(f"/activities/{later['id']}/held", headers=admin, json={"participants": 1}), 409,
                   "starts_at")
    assert created(scheduling.post(f"/activities/{later['id']}/cancel", headers=admin))["status"] == "cancelled"
    assert [a["kind"] for a in scheduling.get("/activities", headers=admin, params={"kind": "health_campaign"})
            .json()["items"]] == ["health_campaign"]
    assert_problem(scheduling.post("/activities", headers=admin, json={
        "municipality": "BG-RAK", "kind": "party", "title": "x", "venue_name": "y", "starts_at": started,
        "duration_minutes": 60}), 422, "kind")


# -- the recurrence on its own -----------------------------------------------------------------------


def test_monthly_rules_and_counts_are_read_as_rfc_5545_says():
    assert rules.meeting_days("FREQ=MONTHLY;BYDAY=1TH", date(2026, 12, 1), date(2026, 12, 1), date(2027, 3, 31)) == [
        date(2026, 12, 3), date(2027, 1, 7), date(2027, 2, 4), date(2027, 3, 4)]
    assert rules.meeting_days("FREQ=WEEKLY;COUNT=3", date(2026, 12, 1), date(2026, 12, 9), date(2027, 3, 31)) == [
        date(2026, 12, 15)]  # the third of three, the first two before the window
    assert rules.meeting_days("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", date(2026, 11, 30), date(2026, 11, 30),
                              date(2026, 12, 20)) == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 14),
                                                      date(2026, 12, 16)]


def test_a_session_keeps_its_local_hour_across_a_daylight_saving_change():
    days = rules.meeting_days("FREQ=WEEKLY;BYDAY=SU", date(2027, 3, 21), date(2027, 3, 21), date(2027, 4, 4))
    utc_hours = [moment(day, 17 * 60, "Europe/Sofia").hour for day in days]
    assert days == [date(2027, 3, 21), date(2027, 3, 28), date(2027, 4, 4)] and utc_hours == [15, 14, 14]
