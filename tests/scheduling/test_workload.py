"""Workload: a member's weeks through the API on SQLite and PostgreSQL, and the rules of a
week's load on their own."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.scheduling.visits.rules import week_of
from services.scheduling.workload import rules
from services.scheduling.workload.rules import Work
from shared.testing import assert_problem, created
from tests.scheduling.test_delivery import DAILY_HELP, EVERY_DAY, NOW, due
from tests.scheduling.test_staff import HELPER
from tests.scheduling.test_visits import listed, plan_event

BASE = (42.09, 24.0)
FAR = (42.30, 24.30)  # some 34 km


def test_a_week_over_contract_on_the_road_every_day_is_warned_of_all_of_it():
    monday = date(2026, 12, 7)
    work = [Work(monday + timedelta(days=d), _at(monday, d, h), _at(monday, d, h + 1), FAR if h % 2 else BASE,
                 60 if d == 0 and h == 8 else None)
            for d in range(7) for h in range(8, 8 + (9 if d == 2 else 1))]
    load = rules.load_of(work, base=BASE, contracted_minutes=10 * 60)
    assert (load.planned_minutes, load.delivered_minutes, load.busiest_day, load.days_worked) == (15 * 60, 60, 9, 7)
    assert load.warnings == ("over_contract", "long_days", "high_travel", "no_rest_day")
    assert load.travel_share > 0.3


def test_an_easy_week_has_no_warnings_and_travel_counts_from_the_base():
    monday = date(2026, 12, 7)
    work = [Work(monday, _at(monday, 0, 9), _at(monday, 0, 10), BASE, None),
            Work(monday, _at(monday, 0, 11), _at(monday, 0, 12), BASE, None, session=True)]
    load = rules.load_of(work, base=BASE, contracted_minutes=40 * 60)
    assert (load.travel_minutes, load.sessions, load.warnings) == (0, 1, ())
    assert rules.load_of([], base=None, contracted_minutes=0).warnings == ()


def _at(monday: date, day: int, hour: int) -> datetime:
    return datetime.combine(monday + timedelta(days=day), datetime.min.time(), UTC) + timedelta(hours=hour)


def test_coordinators_see_planned_against_contract_and_delivered_hours(scheduling, admin, auth, apply, catalogue):
    week = [{"day": day, "start": "07:00", "end": "20:00"} for day in EVERY_DAY]
    helper = created(scheduling.post("/staff", headers=admin, json={
        **HELPER, "subject": "helper-1", "display_name": "Иванка", "availability": week,
        "contracted_hours_per_week": 80}))["id"]
    # planned from three days back, so that a visit is due now whatever the hour
    apply(plan_event(lines=(DAILY_HELP, {**DAILY_HELP, "time_windows": [{"start": "14:00", "end": "15:00"}]}),
                     starts_on=NOW.date() - timedelta(days=7)), now=NOW - timedelta(days=3))
    created(scheduling.patch(f"/staff/{helper}", headers=admin, json={"contracted_hours_per_week": 10}))
    [visit] = due(listed(scheduling, admin, staff_id=helper), 1, since=timedelta(hours=1))
    created(scheduling.post(f"/visits/{visit['id']}/check-in", headers=admin,
                            json={"at": (NOW - timedelta(minutes=45)).isoformat()}))
    created(scheduling.post(f"/visits/{visit['id']}/check-out", headers=admin, json={
        "report": {}, "at": NOW.isoformat()}))

    day = datetime.fromisoformat(visit["starts_at"]).astimezone(ZoneInfo("Europe/Sofia")).date()
    page = created(scheduling.get("/workload", headers=admin, params={"week": day.isoformat(), "weeks": 2}))
    [member] = page["items"]
    this, following = member["weeks"]
    assert (this["week"], following["week"]) == (week_of(day).isoformat(),
                                                  (week_of(day) + timedelta(days=7)).isoformat())
    assert this["delivered_hours"] == 0.75
    assert (following["planned_hours"], following["visits"], following["days_worked"]) == (14.0, 14, 7)
    assert following["warnings"] == ["over_contract", "no_rest_day"] and member["contracted_hours"] == 10

    mine = created(scheduling.get("/workload", headers=auth("worker", "BG-RAK", subject="helper-1")))
    assert [m["staff_id"] for m in mine["items"]] == [helper]
    assert created(scheduling.get("/workload", headers=auth("worker", "BG-RAK", subject="other")))["items"] == []
    assert_problem(scheduling.get("/workload", headers=admin, params={"weeks": 13}), 422, "query.weeks")
    assert_problem(scheduling.get("/workload", headers=auth("analyst", "BG-RAK")), 403)
