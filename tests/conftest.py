"""Fixtures shared by all tests.

Tests marked ``servers`` need PostgreSQL, RabbitMQ and Redis. Locally they
skip with the reason when a server is down; with ``CI=true`` they fail instead.
"""
from __future__ import annotations

import os
import secrets

import pytest

from shared import testing

# Tests never use the development secret: the settings refuse it outside development.
os.environ.setdefault("CARECIRCLE_ENVIRONMENT", "test")
os.environ.setdefault("CARECIRCLE_JWT_SECRET", secrets.token_hex(32))
os.environ.setdefault("CARECIRCLE_LOG_JSON", "false")


def pytest_collection_modifyitems(config, items):
    servers_tests = [item for item in items if "servers" in item.keywords]
    if not servers_tests:
        return
    missing = testing.missing_servers()
    if not missing:
        return
    reason = f"needs {', '.join(missing)} on 127.0.0.1"
    if testing.servers_required():
        raise pytest.UsageError(f"CI=true: {len(servers_tests)} tests must run but {reason}")
    for item in servers_tests:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def run_id() -> str:
    return testing.run_id()


@pytest.fixture(scope="session")
def vhost_url(run_id):
    """One RabbitMQ vhost for this test run, deleted at the end."""
    name = f"carecircle-test-{run_id}"
    url = testing.create_vhost(name)
    yield url
    testing.delete_vhost(name)


@pytest.fixture
def namespace() -> str:
    """Exchange and queue names of one test, inside the run's vhost."""
    return "t" + testing.run_id()


@pytest.fixture
def postgres_database(run_id):
    """A fresh PostgreSQL database per test; returns a factory of more if needed."""
    created = []

    def make(label: str = "db") -> str:
        name = f"cc_test_{run_id}_{label}_{testing.run_id()}"
        created.append(name)
        return testing.create_database(name)

    yield make
    for name in created:
        testing.drop_database(name)
