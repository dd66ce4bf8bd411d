"""The ``pipeline`` fixture: the same messaging cases on the in-process bus with
SQLite (fast) and on RabbitMQ with PostgreSQL (the real thing)."""
from __future__ import annotations

import pytest

from shared.db import Database
from tests.shared.messaging.support import Base, Pipeline


@pytest.fixture
def pipeline(empty_database, brokers) -> Pipeline:
    Base.metadata.create_all(empty_database.engine)
    return Pipeline(empty_database, brokers)


@pytest.fixture
def rabbit_pipeline(postgres_database, rabbit_brokers) -> Pipeline:
    """Only the real thing: for crashes, kills and broker restarts."""
    database = Database(postgres_database("pipeline"))
    Base.metadata.create_all(database.engine)
    yield Pipeline(database, rabbit_brokers)
    database.dispose()
