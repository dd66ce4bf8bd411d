"""The ``pipeline`` fixture: the same messaging cases on the in-process bus with
SQLite (fast) and on RabbitMQ with PostgreSQL (the real thing)."""
from __future__ import annotations

import pytest

from shared.db import Database
from shared.messaging.memory import InMemoryBroker
from shared.messaging.rabbit import RabbitBroker
from tests.messaging.support import Base, Pipeline


def _memory_pipeline(request) -> Pipeline:
    bus = InMemoryBroker()
    tmp_path = request.getfixturevalue("tmp_path")
    return Pipeline(Database(f"sqlite:///{tmp_path}/pipeline.db"), lambda: bus)


def _rabbit_pipeline(request) -> Pipeline:
    database = Database(request.getfixturevalue("postgres_database")("pipeline"))
    url, namespace = request.getfixturevalue("vhost_url"), request.getfixturevalue("namespace")
    opened: list[RabbitBroker] = []

    def brokers() -> RabbitBroker:  # one connection per component, as in production
        opened.append(RabbitBroker(url, namespace, prefetch=100))
        return opened[-1]

    request.addfinalizer(lambda: [broker.close() for broker in opened])
    return Pipeline(database, brokers)


def _ready(pipeline: Pipeline, request) -> Pipeline:
    Base.metadata.create_all(pipeline.database.engine)
    request.addfinalizer(pipeline.database.dispose)
    return pipeline


@pytest.fixture(params=["memory", pytest.param("rabbit", marks=pytest.mark.servers)])
def pipeline(request) -> Pipeline:
    make = _memory_pipeline if request.param == "memory" else _rabbit_pipeline
    return _ready(make(request), request)


@pytest.fixture
def rabbit_pipeline(request) -> Pipeline:
    """Only the real thing: for crashes, kills and broker restarts."""
    return _ready(_rabbit_pipeline(request), request)
