"""Scheduling through its HTTP API, on SQLite and on PostgreSQL (the ``backend`` of tests/conftest.py).

``scheduling`` is a client of the scheduling app alone (its events stay in its outbox, where
tests read them with ``published``). ``catalogue`` makes intake's municipalities and staff
roles known as intake's events would (the handlers' service functions)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from services.scheduling.catalogue.service import keep_municipality, keep_service_type, keep_staff_role
from services.scheduling.visits import service as visits
from shared.bootstrap import Runtime
from shared.events.intake import (
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    CodeRegistered,
    MunicipalityRegistered,
    ServiceTypeRegistered,
)

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 08:00 in Rakitovo: when ``apply`` applies plans
MUNICIPALITIES = [("BG-RAK", "Ракитово", "bg", "Europe/Sofia"), ("BG-PER", "Перник", "bg", "Europe/Sofia"),
                  ("UA-LUB", "Лубни", "uk", "Europe/Kyiv")]
STAFF_ROLES = ["home_helper", "medical_specialist", "health_mediator", "volunteer", "psychologist"]
SERVICE_TYPES = [("home_help", "home_visit", ["home_helper"], 120, "hour"),
                 ("home_nursing", "home_visit", ["medical_specialist"], 60, "visit"),
                 ("telephone_friend", "phone", ["volunteer"], 20, "visit")]


@pytest.fixture
def scheduling(service_client) -> TestClient:
    return service_client("scheduling")


@pytest.fixture
def scheduling_runtime(service_runtime) -> Runtime:
    return service_runtime("scheduling")


@pytest.fixture
def catalogue(scheduling_runtime) -> None:
    """Rakitovo, Pernik and Lubny, the network's staff roles (retired: "driver"), home help,
    home nursing and telephone friend."""
    now = datetime.now(UTC)
    with scheduling_runtime.database.transaction() as session:
        for code, name, language, zone in MUNICIPALITIES:
            keep_municipality(MunicipalityRegistered(code=code, name=name, language=language, timezone=zone),
                              as_of=now, session=session)
        for role in [*STAFF_ROLES, "driver"]:
            keep_staff_role(CodeRegistered(kind="staff_role", code=role, names={"en": role}),
                            active=role != "driver", as_of=now, session=session)
        for code, mode, roles, minutes, unit in SERVICE_TYPES:
            keep_service_type(ServiceTypeRegistered(code=code, names={"en": code}, mode=mode, staff_roles=roles,
                                                    default_duration_minutes=minutes, unit=unit),
                              active=True, as_of=now, session=session)


@pytest.fixture
def apply(scheduling_runtime):
    """Applies an intake event as its handler does, at ``now`` (one transaction)."""
    def applied(event, *, now=NOW, seconds=0):
        as_of = NOW + timedelta(seconds=seconds)
        with scheduling_runtime.database.transaction() as session:
            if isinstance(event, CarePlanActivated | CarePlanChanged):
                visits.keep_plan_in_force(event, as_of=as_of, now=now, session=session)
            else:
                status = "ended" if isinstance(event, CarePlanEnded) else "suspended"
                visits.keep_plan_stopped(event, status=status, as_of=as_of, now=now, session=session)
        return event
    return applied
