"""The four services in one process on SQLite and the in-process bus,
called through their HTTP API."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.embedded import EmbeddedSystem
from shared.auth import issue_token
from shared.settings import Settings
from shared.web import mount_services


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(environment="test", jwt_secret="s" * 32, database_url=f"sqlite:///{tmp_path}/{{service}}.db",
                    broker_url="memory://", retry_delays=[0.05])


@pytest.fixture
def system(settings):
    system = EmbeddedSystem.build(settings)
    system.migrate()
    system.start_background()
    yield system
    system.shutdown()


@pytest.fixture
def api(system) -> TestClient:
    with TestClient(mount_services(system.apps())) as client:
        yield client


@pytest.fixture
def auth(settings):
    """``auth("coordinator", "BG-RAK")`` -> headers with a bearer token."""
    def headers(role: str, *municipalities: str) -> dict:
        token = issue_token(settings, roles=[role], municipalities=list(municipalities))
        return {"Authorization": f"Bearer {token}"}
    return headers
