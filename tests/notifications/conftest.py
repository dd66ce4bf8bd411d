"""Notifications through its HTTP API, on SQLite and on PostgreSQL (the ``backend`` of tests/conftest.py)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def notifications(service_client) -> TestClient:
    return service_client("notifications")
