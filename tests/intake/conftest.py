"""Intake through its HTTP API, on SQLite and on PostgreSQL.

``intake`` is a client of the intake app alone (its events stay in its outbox,
where tests read them with ``published``); ``auth`` makes bearer headers."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.registry import service_spec
from shared.auth import issue_token
from shared.bootstrap import Runtime, broker_factory
from shared.db import Database
from shared.messaging.tables import outbox
from shared.migrations import upgrade
from shared.settings import Settings
from shared.web import mount_services

SECRET = "intake-tests-secret-of-32-bytes-at-least"


def _settings(database_url: str) -> Settings:
    return Settings(environment="test", jwt_secret=SECRET, database_url=database_url, broker_url="memory://")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.servers)])
def intake_runtime(request, tmp_path) -> Runtime:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/intake.db"
    else:
        url = request.getfixturevalue("postgres_database")("intake")
    settings = _settings(url)
    runtime = Runtime(service_spec("intake"), settings, broker_factory(settings))
    upgrade(str(runtime.spec.migrations), runtime.database, runtime.spec.metadata)
    yield runtime
    runtime.database.dispose()


@pytest.fixture
def intake(intake_runtime) -> TestClient:
    with TestClient(mount_services({"intake": intake_runtime.app()}), base_url="http://testserver/intake/v1") as client:
        yield client


@pytest.fixture
def auth():
    """``auth("coordinator", "BG-RAK")`` -> headers with a bearer token."""
    settings = _settings("sqlite://")

    def headers(role: str, *municipalities: str, subject: str | None = None) -> dict:
        token = issue_token(settings, roles=[role], municipalities=list(municipalities), subject=subject)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def admin(auth) -> dict:
    return auth("network_admin", "*", subject="admin")


@pytest.fixture
def published(intake_runtime):
    """``published("intake.client.registered.v1")`` -> the envelopes of that type in the outbox."""
    def read(event_type: str) -> list[dict]:
        with intake_runtime.database.unit_of_work() as session:
            rows = session.scalars(select(outbox.c.body).where(outbox.c.type == event_type).order_by(outbox.c.seq))
            return [json.loads(body) for body in rows]
    return read
