"""The demo data of `make run` loads through the service functions, once, and
its events reach the other services."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.demo import load_demo
from services.intake.demo import data
from services.scheduling.demo import DATA as SCHEDULING_DATA
from shared.settings import get_settings
from shared.testing import around_today, indicator, until


def test_demo_data_loads_once_and_flows_to_the_other_services(system, api, auth):
    databases = {name: runtime.database for name, runtime in system.runtimes.items()}
    assert load_demo(databases) is True
    assert load_demo(databases) is False  # a second start keeps what is there
    admin = auth("network_admin", "*")
    staff = api.get("/scheduling/v1/staff", params={"municipality": "BG-RAK", "role": "home_helper"},
                    headers=admin).json()
    assert staff["total"] == 5  # Rakitovo's five home helpers (seed 002)
    assert api.get("/scheduling/v1/staff", headers=admin).json()["total"] == len(SCHEDULING_DATA["staff"])

    municipalities = api.get("/intake/v1/municipalities", headers=admin).json()
    assert sorted(m["code"] for m in municipalities) == sorted(m["code"] for m in data.MUNICIPALITIES)
    rakitovo = api.get("/intake/v1/clients?municipality=BG-RAK", headers=admin).json()
    assert rakitovo["total"] == sum(1 for c in data.CLIENTS if c[1] == "BG-RAK")

    def counted() -> bool:
        counts = api.get("/reporting/v1/indicators", params=around_today(), headers=admin).json()
        return indicator(counts, "clients_registered") == len(data.CLIENTS)

    until(counted, timeout=15)
    until(lambda: len(api.get("/scheduling/v1/service-types", headers=admin).json()) == len(data.SERVICE_TYPES),
          timeout=15)
    # Rakitovo's active plans reach scheduling, which plans their visits and gives them to the helpers.
    until(lambda: api.get("/scheduling/v1/visits", params={"municipality": "BG-RAK"}, headers=admin)
          .json()["total"] > 0, timeout=15)
    # Every visit still to come has its worker (of the weeks gone by, one no one was free for was called off).
    assert api.get("/scheduling/v1/visits", params={"unstaffed": "true", "status": "planned"},
                   headers=admin).json()["total"] == 0
    rakitovo_plans = api.get("/intake/v1/care-plans", params={"municipality": "BG-RAK", "status": "active"},
                             headers=admin).json()
    assert rakitovo_plans["total"] == 30  # Rakitovo's thirty users (seed 002)
    until(lambda: api.get("/scheduling/v1/visits", params={"municipality": "UA-LUB"}, headers=admin)
          .json()["total"] > 0, timeout=15)  # Lubny's "telephone friend" calls, given to volunteers
    calls = api.get("/scheduling/v1/visits", params={"municipality": "UA-LUB", "limit": 200}, headers=admin).json()
    assert {v["service_type"] for v in calls["items"]} == {"telephone_friend"}
    _groups_centre_and_rounds_are_there(api, admin)
    overdue = api.get("/intake/v1/follow-ups/overdue", headers=admin).json()
    assert [item["category"] for item in overdue["items"]] == ["health_access"]


def _groups_centre_and_rounds_are_there(api, admin) -> None:
    groups = api.get("/scheduling/v1/groups", params={"limit": 50}, headers=admin).json()["items"]
    assert {g["municipality"] for g in groups} == {"BG-MTR", "BG-BGS", "PL-PLO", "PL-SIE", "UA-LUB"}
    for group in groups:
        held = api.get(f"/scheduling/v1/groups/{group['id']}/sessions", params={"status": "held"},
                       headers=admin).json()["items"]
        assert held and all(s["anonymous_participants"] > 0 for s in held)  # four weeks of sessions held
        planned = api.get(f"/scheduling/v1/groups/{group['id']}/sessions", params={"status": "planned"},
                          headers=admin).json()
        assert planned["total"] > 0  # and the weeks to come
    assert any(s["present"] for g in groups for s in api.get(
        f"/scheduling/v1/groups/{g['id']}/sessions", params={"status": "held"}, headers=admin).json()["items"])
    [centre] = api.get("/scheduling/v1/centres", headers=admin).json()["items"]
    booked = api.get("/scheduling/v1/visits", params={"municipality": "BG-PER", "status": "planned"},
                     headers=admin).json()["items"]
    assert {v["service_type"] for v in booked} >= {"psychological_counselling", "legal_counselling"}
    assert centre["hours"]
    rounds = api.get("/scheduling/v1/rounds", headers=admin).json()["items"]
    assert [r["status"] for r in rounds] == ["held", "planned"] and rounds[0]["seen"] >= 1
    kinds = {a["kind"]: a["status"] for a in api.get("/scheduling/v1/activities", headers=admin).json()["items"]}
    assert kinds["health_campaign"] == "held" and kinds["coalition_meeting"] == "planned"


def _due_now(api, admin, visit: dict) -> dict:
    """The visit moved to the first half hour from now its helper is free (the demo's weeks are
    working days: on a Sunday evening the next visit is not due yet)."""
    for minutes in range(10, 24 * 60, 30):
        starts_at = (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat(timespec="seconds")
        moved = api.patch(f"/scheduling/v1/visits/{visit['id']}", headers=admin,
                          json={"starts_at": starts_at, "override": True})
        if moved.status_code == 200:
            return moved.json()
    raise AssertionError("the helper is booked all day")


def test_every_seed_programme_is_in_the_demo():
    """The five programme descriptions of ../shared/seeds, by where they run."""
    places = {frozenset(p["municipalities"]) for p in data.PROGRAMMES}
    assert {frozenset({"BG-MTR", "BG-BGS"}), frozenset({"BG-RAK"}), frozenset({"BG-PER"}),
            frozenset({"UA-LUB"})} <= places
    assert any(m.startswith("PL-") for p in data.PROGRAMMES for m in p["municipalities"])


def test_a_demo_helper_delivers_a_visit_and_intake_opens_a_case_for_its_concern(system, api, auth):
    assert load_demo({name: runtime.database for name, runtime in system.runtimes.items()}) is True
    admin = auth("network_admin", "*")

    def upcoming() -> list[dict]:
        return api.get("/scheduling/v1/visits", headers=admin, params={
            "municipality": "BG-RAK", "status": "planned", "unstaffed": "false",
            "starts_from": datetime.now(UTC).isoformat(timespec="seconds")}).json()["items"]

    until(upcoming, timeout=15)
    visit = _due_now(api, admin, upcoming()[0])
    subject = api.get(f"/scheduling/v1/staff/{visit['staff_id']}", headers=admin).json()["subject"]
    helper = auth("worker", "BG-RAK", subject=subject)
    visits = f"/scheduling/v1/visits/{visit['id']}"
    assert api.post(f"{visits}/check-in", headers=helper, json={}).status_code == 200
    report = {"services_delivered": ["hygiene"], "observations": "Не е получила лекарствата си",
              "concern": {"category": "health_access", "priority": "high"}}
    assert api.post(f"{visits}/check-out", headers=helper, json={"report": report}).status_code == 200

    def case() -> list[dict]:
        return [c for c in api.get("/intake/v1/cases", headers=admin, params={"limit": 200}).json()["items"]
                if c["origin_ref"] == visit["id"]]

    until(case, timeout=15)
    [opened] = case()
    assert (opened["client_id"], opened["category"], opened["priority"], opened["assignee"]) == (
        visit["client_id"], "health_access", "high", subject)
    assert "лекарствата" not in json.dumps(opened)  # the observations stayed in scheduling


def test_the_demo_escalates_and_reminds_in_each_towns_language(system, api, auth):
    """Rakitovo's visit missed yesterday and the Lubny volunteer's two unanswered calls are
    escalated; with a week's lead time, Rakitovo's clients are reminded of their visits; all
    in the log channel of embedded mode, in Bulgarian and Ukrainian."""
    load_demo({name: runtime.database for name, runtime in system.runtimes.items()})
    admin = auth("network_admin", "*")

    def escalated() -> set[tuple[str, str]]:
        items = api.get("/notifications/v1/escalations", headers=admin).json()["items"]
        return {(e["kind"], e["municipality"]) for e in items}
    until(lambda: escalated() == {("visit_missed", "BG-RAK"), ("checkin_unanswered", "UA-LUB")}, timeout=15)
    assert api.put("/notifications/v1/municipalities/BG-RAK/timing", headers=admin, json={
        "reminder_lead_hours": 168, "quiet_from": "23:59", "quiet_until": "00:00", "day_plan_at": "00:00"},
    ).status_code == 200
    until(lambda: api.get("/notifications/v1/messages", params={"kind": "visit_reminder"}, headers=admin)
          .json()["total"] > 0, timeout=15, step=lambda: _beat(system, "queue_reminders"))
    log = Path(get_settings().message_log)
    before = len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0
    _beat(system, "send_due_messages")
    written = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()[before:]]
    subjects = {line["subject"] for line in written}
    assert {"Пропуснато посещение", "Немає відповіді", "Напомняне за посещение"} <= subjects
    assert not any("Мария" in line["body"] or "+359" in line["body"] for line in written)  # no one's details


def _beat(system, task: str) -> None:
    """A periodic task of notifications run now, as the in-process beat runs it."""
    system.runtimes["notifications"].celery().tasks[f"notifications.{task}"].delay()
    time.sleep(0.1)


def test_the_demo_has_a_believable_report_of_its_weeks_gone_by(system, api, auth):
    """Rakitovo's thirty users (seed 002): their plans ran since they began a month ago, their
    visits were made, and a report of the period says so in Bulgarian."""
    load_demo({name: runtime.database for name, runtime in system.runtimes.items()})
    coordinator = auth("coordinator", "BG-RAK")
    today = datetime.now(UTC).date()
    month = {"municipality": "BG-RAK", "from": (today - timedelta(days=35)).isoformat(),
             "to": (today - timedelta(days=1)).isoformat()}

    def figures() -> dict:
        return api.get("/reporting/v1/indicators", params=month, headers=coordinator).json()

    until(lambda: (indicator(figures(), "visits_delivered") or 0) > 100, timeout=30)
    shown = figures()
    assert indicator(shown, "care_plans_active") == 30 and indicator(shown, "agreements_signed") == 30
    assert indicator(shown, "hours_delivered") > 0.6 * indicator(shown, "hours_planned") > 50
    report = api.post("/reporting/v1/reports", json={**month, "programme": "patronage_plus_rakitovo"},
                      headers=coordinator).json()
    until(lambda: api.get(f"/reporting/v1/reports/{report['id']}", headers=coordinator).json()["status"] == "made",
          timeout=30)
    made = api.get(f"/reporting/v1/reports/{report['id']}/content", headers=coordinator).json()
    assert ("Програма", "Патронажна грижа + в община Ракитово") in [tuple(line) for line in made["heading"]]
    staff = dict(next(table for table in made["tables"] if table["code"] == "staff")["rows"])
    assert staff["Домашен помощник"] == [5]  # five home helpers and one medical specialist (seed 002)
