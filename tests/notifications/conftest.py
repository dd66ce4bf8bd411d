"""Notifications through its HTTP API, on SQLite and on PostgreSQL (the ``backend`` of tests/conftest.py),
and its database with a municipality, a service type and a client it has heard of."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, time

import pytest
from fastapi.testclient import TestClient

from services.notifications.handlers import registry
from services.notifications.models import MunicipalityTiming
from shared.db import Database
from shared.events import Envelope
from shared.events.intake import ClientRegistered, MunicipalityRegistered, ServiceTypeRegistered

CLIENT = uuid.uuid4()


@pytest.fixture
def notifications(service_client) -> TestClient:
    return service_client("notifications")


@pytest.fixture
def database(service_runtime) -> Database:
    database = service_runtime("notifications").database
    deliver(database, MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg", timezone="Europe/Sofia"),
            ServiceTypeRegistered(code="home_help", names={"bg": "Домашна помощ", "en": "Home help"},
                                  mode="home_visit", staff_roles=["home_helper"], default_duration_minutes=60,
                                  unit="hour"),
            ClientRegistered(client_id=CLIENT, municipality="BG-RAK", language="bg"))
    return database


@pytest.fixture
def awake(database) -> Database:
    """The database, with Rakitovo's quiet hours set aside: an SMS or call of the test goes out
    at any hour the test runs (by default they wait from 21:00 to 08:00 in Sofia)."""
    with database.transaction() as session:
        session.add(MunicipalityTiming(code="BG-RAK", reminder_lead_hours=24, quiet_from=time(), quiet_until=time(),
                                       day_plan_at=time(7), updated_at=datetime.now(UTC), updated_by="test"))
    return database


def deliver(database: Database, *events) -> None:
    """Each event through the handlers, in a transaction of its own, as the consumer does."""
    for event in events:
        with database.transaction() as session:
            registry.dispatch(Envelope.wrap(event, municipality="BG-RAK"), session=session)
