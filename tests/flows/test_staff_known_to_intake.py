"""A member of staff registered in scheduling becomes someone intake's plans and cases may
name, and stops being one when they leave: catalogue events one way, staff events the other,
through the outbox, relay, bus and consumers of the embedded system."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.intake.models import StaffMember
from services.intake.staff.service import keep_staff_member
from shared.events.scheduling import StaffLeft, StaffRegistered
from shared.testing import until

RAKITOVO = {"code": "BG-RAK", "name": "Ракитово", "language": "bg", "timezone": "Europe/Sofia"}
HELPER = {"municipality": "BG-RAK", "subject": "helper-ivanka", "display_name": "Иванка Петрова",
          "roles": ["health_mediator"], "contracted_hours_per_week": 40}


def test_a_member_registered_in_scheduling_may_be_named_by_a_case(api, auth):
    admin = auth("network_admin", "*")
    for path, body in [("/intake/v1/municipalities", RAKITOVO),
                       ("/intake/v1/code-lists/staff_role", {"code": "health_mediator", "names": {"en": "Mediator"}}),
                       ("/intake/v1/code-lists/case_category", {"code": "health_access", "names": {"en": "Health"}})]:
        assert api.post(path, json=body, headers=admin).status_code == 201
    # Scheduling learns the municipality and the role from intake's events.
    until(lambda: api.post("/scheduling/v1/staff", json=HELPER, headers=admin).status_code == 201, timeout=10)
    [member] = api.get("/scheduling/v1/staff", headers=admin).json()["items"]
    client = api.post("/intake/v1/clients", json={"municipality": "BG-RAK", "given_name": "Фатме",
                                                  "family_name": "Ахмедова"}, headers=admin).json()
    case = {"municipality": "BG-RAK", "client_id": client["id"], "origin": "visit", "category": "health_access",
            "priority": "normal", "title": "Няма личен лекар", "assignee": "helper-ivanka"}
    # Intake learns the member from scheduling's.
    until(lambda: api.post("/intake/v1/cases", json=case, headers=admin).status_code == 201, timeout=10)

    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    left = api.post(f"/scheduling/v1/staff/{member['id']}/leaving", json={"left_on": yesterday}, headers=admin)
    assert left.status_code == 200, left.text
    until(lambda: api.post("/intake/v1/cases", json=case, headers=admin).json().get("field") == "assignee",
          timeout=10)


def test_an_older_staff_event_never_overwrites_a_newer_one(system):
    """A retried ``registered`` can arrive after the ``left`` that followed it."""
    now = datetime.now(UTC)
    facts = {"staff_id": "6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5", "subject": "helper-ivanka",
             "municipality": "BG-RAK", "roles": ["home_helper"]}
    with system.runtimes["intake"].database.transaction() as session:
        keep_staff_member(StaffLeft(**facts, left_on=now.date()), as_of=now, session=session)
    with system.runtimes["intake"].database.transaction() as session:
        keep_staff_member(StaffRegistered(**facts), as_of=now - timedelta(seconds=1), session=session)
    with system.runtimes["intake"].database.unit_of_work() as session:
        assert session.get(StaffMember, uuid.UUID(facts["staff_id"])).left_on == now.date()
