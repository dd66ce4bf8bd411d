"""The demo data of ``make run``, across the services in the order their events allow:
intake's catalogue; once scheduling has learnt its municipalities and staff roles, the
staff; once intake has learnt the staff, the people (whose plans and cases name them);
then scheduling's groups, activities, centre and rounds, which name intake's clients by id."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.intake.demo import data as intake_data, load_demo_catalogue, load_demo_people
from services.intake.models import Client, StaffMember
from services.scheduling.demo import DATA as SCHEDULING_DATA, load_demo_activity, load_demo_staff
from services.scheduling.models import CarePlan, Municipality, ServiceType, StaffRole
from shared.db import Database


def load_demo(databases: dict[str, Database], *, timeout: float = 60) -> bool:
    """Loads what is not loaded yet; waits for the events between the parts (the relays and
    consumers must run). Returns whether anything loaded."""
    intake, scheduling = databases["intake"], databases["scheduling"]
    loaded = load_demo_catalogue(database=intake)
    _wait(lambda: _count(scheduling, Municipality) >= len(intake_data.MUNICIPALITIES)
          and _count(scheduling, StaffRole) >= len(intake_data.CODE_LISTS["staff_role"]),
          "scheduling to learn intake's municipalities and staff roles", timeout)
    loaded = load_demo_staff(database=scheduling, now=datetime.now(UTC)) or loaded
    _wait(lambda: _count(intake, StaffMember) >= len(SCHEDULING_DATA["staff"]), "intake to learn the staff", timeout)
    loaded = load_demo_people(database=intake) or loaded
    _wait(lambda: _count(scheduling, ServiceType) >= len(intake_data.SERVICE_TYPES)
          and _count(scheduling, CarePlan) >= len(intake_data.CARE_PLANS) + len(intake_data.CALL_PLANS),
          "scheduling to learn intake's service types and care plans", timeout)
    return load_demo_activity(database=scheduling, clients=_clients_by_municipality(intake),
                              now=datetime.now(UTC)) or loaded


def _clients_by_municipality(intake: Database) -> dict[str, list[uuid.UUID]]:
    """Intake's demo clients by municipality, by id only: groups, appointments and rounds name them so."""
    found: dict[str, list[uuid.UUID]] = {}
    with intake.unit_of_work(write=False) as session:
        for client_id, municipality in session.execute(select(Client.id, Client.municipality_code)
                                                       .order_by(Client.registered_at, Client.id)):
            found.setdefault(municipality, []).append(client_id)
    return found


def _count(database: Database, model: type) -> int:
    with database.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _wait(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"demo data: waited {timeout:.0f} s for {what}; are the relays and consumers running?")
        time.sleep(0.1)
