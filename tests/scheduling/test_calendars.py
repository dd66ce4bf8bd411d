"""iCalendar feeds on SQLite and PostgreSQL: a worker's visits and group sessions and a
group's sessions behind a secret address, read back with two parsers (icalendar and
vobject) as calendar apps would; no client in them; a new address ends the old one."""
from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
import pytest
import vobject

from shared.testing import assert_problem, created
from tests.scheduling.test_delivery import DAILY_HELP, EVERY_DAY, NOW
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event


@pytest.fixture
def worker_with_work(scheduling, admin, apply, crew_of_one):
    """helper-1's daily visits and the sessions of a group they run."""
    plan = apply(plan_event(lines=(DAILY_HELP,), starts_on=NOW.date()), now=NOW)
    group = created(scheduling.post("/groups", headers=admin, json={
        "municipality": "BG-RAK", "name": "Кръжок", "topic": "elderly_circle", "venue_name": "Клуб на пенсионера",
        "facilitator_ids": [crew_of_one], "capacity": 20, "starts_on": NOW.date().isoformat(),
        "start_time": "15:00", "duration_minutes": 60, "recurrence": "FREQ=WEEKLY;BYDAY=WE"}))
    return plan, group


@pytest.fixture
def crew_of_one(scheduling, admin, catalogue) -> str:
    week = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
    return created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": "helper-1", "display_name": "Иванка", "roles": ["home_helper", "health_mediator"],
        "availability": week, "contracted_hours_per_week": 80}))["id"]


def feed(scheduling, url: str):
    answer = scheduling.get(url.split("/scheduling/v1", 1)[-1])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return answer.content


def test_a_workers_feed_holds_their_visits_and_sessions_for_two_parsers(scheduling, admin, worker_with_work,
                                                                        crew_of_one):
    plan, group = worker_with_work
    visits = listed(scheduling, admin, staff_id=crew_of_one)
    sessions = scheduling.get(f"/groups/{group['id']}/sessions", headers=admin).json()["items"]
    url = created(scheduling.post(f"/staff/{crew_of_one}/calendar", headers=admin))["url"]
    body = feed(scheduling, url)

    calendar = icalendar.Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    assert len(events) == len(visits) + len(sessions) and visits and sessions
    by_uid = {str(e["UID"]): e for e in events}
    first = by_uid[f"visit-{visits[0]['id']}@carecircle"]
    assert first.decoded("DTSTART") == datetime.fromisoformat(visits[0]["starts_at"])
    assert str(first["SUMMARY"]) == "home_help" and str(first["STATUS"]) == "CONFIRMED"
    assert str(by_uid[f"session-{sessions[0]['id']}@carecircle"]["LOCATION"]) == "Клуб на пенсионера"

    parsed = vobject.readOne(body.decode())
    assert len(parsed.vevent_list) == len(events)
    assert {e.uid.value for e in parsed.vevent_list} == set(by_uid)
    assert str(plan.client_id) not in body.decode()  # no client in a calendar app


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled(scheduling, admin, worker_with_work, crew_of_one):
    visit = next(v for v in listed(scheduling, admin, staff_id=crew_of_one)
                 if datetime.fromisoformat(v["starts_at"]) > NOW + timedelta(hours=1))
    created(scheduling.post(f"/visits/{visit['id']}/cancel", headers=admin, json={"reason": "weather"}))
    url = created(scheduling.post(f"/staff/{crew_of_one}/calendar", headers=admin))["url"]
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(feed(scheduling, url)).walk("VEVENT")}
    assert str(events[f"visit-{visit['id']}@carecircle"]["STATUS"]) == "CANCELLED"


def test_a_groups_feed_and_a_new_address_ending_the_old(scheduling, admin, auth, worker_with_work):
    _, group = worker_with_work
    first = created(scheduling.post(f"/groups/{group['id']}/calendar", headers=admin))["url"]
    events = icalendar.Calendar.from_ical(feed(scheduling, first)).walk("VEVENT")
    assert events and {str(e["SUMMARY"]) for e in events} == {"Кръжок"}
    second = created(scheduling.post(f"/groups/{group['id']}/calendar", headers=admin))["url"]
    assert second != first and feed(scheduling, second)
    gone = scheduling.get(first.split("/scheduling/v1", 1)[-1])
    assert_problem(gone, 404)
    assert first.rsplit("/", 1)[-1].removesuffix(".ics") not in gone.text  # the secret is never echoed
    assert_problem(scheduling.get("/calendars/staff/short.ics"), 422)
    assert_problem(scheduling.post(f"/groups/{group['id']}/calendar", headers=auth("worker", "BG-RAK")), 403)


def test_a_worker_issues_their_own_feed_and_no_one_elses(scheduling, auth, crew_of_one):
    mine = created(scheduling.post(f"/staff/{crew_of_one}/calendar", headers=auth("worker", "BG-RAK",
                                                                                    subject="helper-1")))
    assert feed(scheduling, mine["url"])
    assert_problem(scheduling.post(f"/staff/{crew_of_one}/calendar", headers=auth("worker", "BG-RAK",
                                                                                    subject="helper-2")), 404)
