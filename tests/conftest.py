"""Fixtures shared by all tests: servers, databases, any service by name, tokens,
the events a test published, and the four services embedded in one process.

Tests marked ``servers`` need PostgreSQL, RabbitMQ and Redis. Locally they
skip with the reason when a server is down; with ``CI=true`` they fail instead.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.embedded import EmbeddedSystem
from services.registry import all_specs, service_spec
from shared import testing
from shared.bootstrap import Runtime, broker_factory
from shared.db import Database
from shared.messaging.memory import InMemoryBroker
from shared.messaging.rabbit import RabbitBroker
from shared.migrations import upgrade
from shared.web import mount_services

# Tests never use the development secret: the settings refuse it outside development.
os.environ.setdefault("CARECIRCLE_ENVIRONMENT", "test")
os.environ.setdefault("CARECIRCLE_JWT_SECRET", secrets.token_hex(32))
os.environ.setdefault("CARECIRCLE_LOG_JSON", "false")
# What the log channel writes goes to this run's own file, never the checkout's var/.
os.environ.setdefault("CARECIRCLE_MESSAGE_LOG", os.path.join(tempfile.mkdtemp(prefix="carecircle-tests-"),
                                                             "messages.jsonl"))

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.servers)]


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


# -- servers ----------------------------------------------------------------------------------


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


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """What the test runs on: SQLite with the in-process bus, then PostgreSQL (with RabbitMQ
    where it asks for ``brokers``)."""
    return request.param


@pytest.fixture
def migrated_postgres(postgres_database) -> Callable[[str], Database]:
    """``migrated_postgres("reporting")``: a PostgreSQL database of that service's tables (for
    its worker processes), disposed at the end of the test."""
    opened: list[Database] = []

    def make(service: str) -> Database:
        database = Database(postgres_database(service))
        spec = service_spec(service)
        upgrade(str(spec.migrations), database, spec.metadata)
        opened.append(database)
        return database

    yield make
    for database in opened:
        database.dispose()


@pytest.fixture
def empty_database(backend, tmp_path, postgres_database) -> Database:
    """An empty database on the test's backend."""
    database = Database(f"sqlite:///{tmp_path}/empty.db" if backend == "sqlite" else postgres_database("empty"))
    yield database
    database.dispose()


@pytest.fixture
def rabbit_brokers(vhost_url, namespace) -> Callable[[], RabbitBroker]:
    """RabbitMQ connections in a fresh namespace of the run's vhost: one per caller, as in production."""
    opened: list[RabbitBroker] = []

    def connect() -> RabbitBroker:
        opened.append(RabbitBroker(vhost_url, namespace, prefetch=100))
        return opened[-1]

    yield connect
    for broker in opened:
        broker.close()


@pytest.fixture
def brokers(backend, request):
    """Broker connections of the transport matching the backend: the in-process bus with SQLite,
    RabbitMQ with PostgreSQL."""
    if backend == "postgresql":
        return request.getfixturevalue("rabbit_brokers")
    bus = InMemoryBroker()
    return lambda: bus


# -- any service, by name ---------------------------------------------------------------------


class Migrated:
    """Each service migrated once per run and backend; every test starts from a copy
    (of an SQLite file, or of a PostgreSQL template database)."""

    def __init__(self, run_id: str, folder: Path) -> None:
        self.run_id, self.folder = run_id, folder
        self.templates: dict[tuple[str, str], str] = {}

    def copy_to(self, url: str, service: str, backend: str) -> None:
        template = self._template(service, backend)
        if backend == "sqlite":
            shutil.copyfile(template, url.split("///", 1)[1])
        else:
            testing.create_database(url.rsplit("/", 1)[1], template)

    def _template(self, service: str, backend: str) -> str:
        if (service, backend) not in self.templates:
            self.templates[service, backend] = self._migrate(service, backend)
        return self.templates[service, backend]

    def _migrate(self, service: str, backend: str) -> str:
        if backend == "sqlite":
            template = str(self.folder / f"{service}.db")
            url = f"sqlite:///{template}"
        else:
            template = f"cc_test_{self.run_id}_template_{service}"
            url = testing.create_database(template)
        database, spec = Database(url), service_spec(service)
        upgrade(str(spec.migrations), database, spec.metadata)
        database.dispose()  # a template takes no connections; SQLite folds its log into the file
        return template

    def drop(self) -> None:
        for (_service, backend), template in self.templates.items():
            if backend == "postgresql":
                testing.drop_database(template)


@pytest.fixture(scope="session")
def migrated(run_id, tmp_path_factory) -> Migrated:
    templates = Migrated(run_id, tmp_path_factory.mktemp("migrated"))
    yield templates
    templates.drop()


@pytest.fixture
def service_runtime(backend, migrated, tmp_path, run_id) -> Callable[[str], Runtime]:
    """``service_runtime("scheduling")``: that service wired on the test's backend, its database
    migrated, on an in-process bus that the test's services share."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/{{service}}.db"
    else:
        url = testing.database_url(f"cc_test_{run_id}_{testing.run_id()}_{{service}}")
    settings = testing.make_settings(url)
    bus = broker_factory(settings)
    runtimes: dict[str, Runtime] = {}

    def runtime(name: str) -> Runtime:
        if name not in runtimes:
            migrated.copy_to(settings.database_url_for(name), name, backend)
            runtimes[name] = Runtime(service_spec(name), settings, bus)
        return runtimes[name]

    yield runtime
    for made in runtimes.values():
        made.database.dispose()
        if backend == "postgresql":
            testing.drop_database(made.database.url.rsplit("/", 1)[1])


@pytest.fixture
def service_client(service_runtime) -> Callable[[str], TestClient]:
    """``service_client("scheduling")``: a client of that service's app, mounted under
    ``/scheduling`` as in production, with ``http://testserver/scheduling/v1`` as base URL."""
    clients: dict[str, TestClient] = {}
    with ExitStack() as opened:
        def client(name: str) -> TestClient:
            if name not in clients:
                app = mount_services({name: service_runtime(name).app()})
                clients[name] = opened.enter_context(TestClient(app, base_url=f"http://testserver/{name}/v1"))
            return clients[name]

        yield client


@pytest.fixture
def served_service(service_runtime) -> Callable[[str], str]:
    """``served_service("intake")`` -> the base URL (``http://127.0.0.1:PORT/intake/v1``) of that
    service's app served by uvicorn on a socket: for requests that really run at the same time."""
    urls: dict[str, str] = {}
    with ExitStack() as opened:
        def url(name: str) -> str:
            if name not in urls:
                root = opened.enter_context(testing.served(mount_services({name: service_runtime(name).app()})))
                urls[name] = f"{root}/{name}/v1"
            return urls[name]

        yield url


@pytest.fixture
def published(service_runtime) -> Callable[[str], list[dict]]:
    """``published("intake.client.registered.v1")`` -> the envelopes of that type in the outbox
    of the service that publishes it (the first word of the type), oldest first."""
    def read(event_type: str) -> list[dict]:
        return testing.published_events(service_runtime(event_type.split(".", 1)[0]).database, event_type)
    return read


@pytest.fixture
def auth() -> Callable[..., dict]:
    """``auth("coordinator", "BG-RAK", subject="coord-1")`` -> headers with a bearer token."""
    return testing.bearer


@pytest.fixture
def admin() -> dict:
    return testing.bearer("network_admin", "*", subject="admin")


# -- the four services in one process ---------------------------------------------------------


@pytest.fixture
def system(migrated, tmp_path) -> EmbeddedSystem:
    """Embedded mode: every service on its SQLite file, the in-process bus, consumers and relays running."""
    settings = testing.make_settings(f"sqlite:///{tmp_path}/{{service}}.db", retry_delays=[0.05])
    for spec in all_specs():
        migrated.copy_to(settings.database_url_for(spec.name), spec.name, "sqlite")
    system = EmbeddedSystem.build(settings)
    system.start_background()
    yield system
    system.shutdown()


@pytest.fixture
def api(system) -> TestClient:
    """A client of the embedded system: paths start with the service, ``/intake/v1/...``."""
    with TestClient(mount_services(system.apps())) as client:
        yield client
