"""Heartbeats of the relay and consumer, as a service's /readyz reads them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from shared.db import Database
from shared.messaging import heartbeat
from shared.messaging.heartbeat import STALE_AFTER, beat, liveness
from shared.messaging.tables import heartbeat as heartbeat_table
from shared.testing import until
from tests.shared.messaging.support import Base, Pipeline, running


@pytest.fixture
def database(empty_database) -> Database:
    Base.metadata.create_all(empty_database.engine)
    return empty_database


def test_a_process_that_just_beat_is_ok_and_one_that_never_did_is_said_so(database):
    beat(database, "relay")
    beat(database, "relay")  # again: the same row, newer

    assert liveness(database) == {"relay": "ok", "consumer": "never seen"}
    assert _rows(database) == 1


def test_a_process_silent_longer_than_the_limit_is_stale(database):
    beat(database, "consumer")
    later = datetime.now(UTC) + timedelta(seconds=42)

    assert STALE_AFTER < 42
    assert liveness(database, ["consumer"], now=later) == {"consumer": "stale: last beat 42s ago"}


def test_one_live_copy_of_a_process_is_enough(database, monkeypatch):
    monkeypatch.setattr(heartbeat, "instance", lambda: "host-a:1")
    beat(database, "consumer")
    monkeypatch.setattr(heartbeat, "instance", lambda: "host-b:2")
    beat(database, "consumer")
    _backdate(database, "host-a:1", timedelta(minutes=10))

    assert _rows(database) == 2
    assert liveness(database, ["consumer"]) == {"consumer": "ok"}
    assert liveness(database, ["consumer"], now=datetime.now(UTC) + timedelta(minutes=1)) == {
        "consumer": "stale: last beat 60s ago"}  # the newest beat counts


def test_a_beat_forgets_instances_silent_for_more_than_a_day(database, monkeypatch):
    monkeypatch.setattr(heartbeat, "instance", lambda: "gone:1")
    beat(database, "relay")
    _backdate(database, "gone:1", timedelta(days=1, minutes=1))
    monkeypatch.setattr(heartbeat, "instance", lambda: "here:2")
    beat(database, "relay")

    assert _rows(database) == 1
    assert liveness(database) == {"relay": "ok", "consumer": "never seen"}


def test_the_relay_and_the_consumer_beat_while_they_run(pipeline: Pipeline):
    consumer, relay = pipeline.consumer(), pipeline.relay()
    with running(consumer.run, relay.run):
        until(lambda: liveness(pipeline.database) == {"relay": "ok", "consumer": "ok"})


def _backdate(database: Database, instance: str, age: timedelta) -> None:
    with database.transaction() as session:
        session.execute(heartbeat_table.update().where(heartbeat_table.c.instance == instance)
                        .values(beat_at=datetime.now(UTC) - age))


def _rows(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(heartbeat_table))

