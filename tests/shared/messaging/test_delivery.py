"""Nothing lost, nothing twice: the same cases on both transports."""
from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.exc import DBAPIError

from shared import metrics, testing
from shared.db import Database
from shared.events import Envelope, registered_types
from shared.events.intake import ClientRegistered
from shared.messaging.broker import Message
from shared.messaging.tables import inbox, outbox
from shared.testing import until
from tests.shared.messaging.support import Pipeline, running


def test_outbox_events_reach_the_consumer_once_each(pipeline: Pipeline):
    consumer = pipeline.consumer()
    written = pipeline.write(120)

    pipeline.relay_all(pipeline.relay(batch_size=50))
    until(lambda: len(pipeline.effects()) >= 120, step=consumer.process_batch)

    assert sorted(pipeline.effects()) == sorted(written)
    assert pipeline.unpublished() == 0


def test_an_event_delivered_twice_has_one_effect(pipeline: Pipeline):
    consumer = pipeline.consumer()
    pipeline.write(5)
    with pipeline.database.unit_of_work() as session:
        rows = session.execute(outbox.select()).all()
    messages = [Message(r.event_id, r.type, r.body.encode()) for r in rows]
    publisher = pipeline.brokers()

    assert publisher.publish(messages) == set()
    assert publisher.publish(messages) == set()  # a relay that crashed before marking sends again
    until(lambda: len(pipeline.effects()) == 5, step=consumer.process_batch)
    for _ in range(5):
        consumer.process_batch()

    assert Counter(pipeline.effects()) == Counter({r.event_id: 1 for r in rows})


def test_poison_event_is_dead_lettered_while_others_flow_and_replays(pipeline: Pipeline):
    consumer = pipeline.consumer()
    written = pipeline.write(20, poisoned=1)
    poisoned, healthy = written[0], written[1:]
    pipeline.relay_all()

    until(lambda: len(pipeline.effects()) == 19 and pipeline.brokers().dead_letters("reporting"),
          step=consumer.process_batch)
    [letter] = pipeline.brokers().dead_letters("reporting")

    assert sorted(pipeline.effects()) == sorted(healthy)
    assert letter.message.event_id == poisoned
    assert letter.attempts == pipeline.policy.max_attempts
    assert letter.reason.startswith("RuntimeError at ") and letter.reason.endswith("in record_effect")  # no message

    pipeline.poison.clear()  # the bug is fixed
    assert pipeline.brokers().replay("reporting") == 1
    until(lambda: len(pipeline.effects()) == 20, step=consumer.process_batch)
    assert pipeline.brokers().dead_letters("reporting") == []
    assert sorted(pipeline.effects()) == sorted(written)


def test_event_nobody_is_bound_to_stays_in_the_outbox(pipeline: Pipeline):
    """With mandatory publishing an unroutable event is refused, not lost."""
    pipeline.write(3)  # no consumer has declared its queue yet
    relay = pipeline.relay(retry_delays=[60.0])

    assert relay.publish_batch() == 3
    assert pipeline.unpublished() == 3
    assert relay.publish_batch() == 0  # postponed, not retried in a tight loop


def test_the_inbox_forgets_only_events_older_than_its_retention(pipeline: Pipeline):
    consumer = pipeline.consumer()
    pipeline.write(4)
    pipeline.relay_all()
    until(lambda: len(pipeline.effects()) == 4, step=consumer.process_batch)
    oldest = _backdate_oldest(pipeline, inbox.c.event_id, inbox.c.processed_at, timedelta(days=31))

    assert consumer.purge_inbox() == 1
    remaining = _event_ids(pipeline, inbox)
    assert len(remaining) == 3 and oldest not in remaining


def test_a_database_outage_gives_the_batch_back_instead_of_dead_lettering(pipeline: Pipeline, tmp_path):
    """No event is at fault when the database is gone: none uses up its attempts."""
    consumer = pipeline.consumer()
    written = pipeline.write(6)
    pipeline.relay_all()
    working = consumer.database
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/gone" if working.dialect == "postgresql" \
        else f"sqlite:///{tmp_path}/no/such/folder/x.db"
    consumer.database = Database(unreachable)

    for _ in range(pipeline.policy.max_attempts + 1):
        with pytest.raises(DBAPIError):
            until(lambda: False, step=consumer.process_batch, timeout=10)

    consumer.database = working
    until(lambda: len(pipeline.effects()) == 6, step=consumer.process_batch)
    assert sorted(pipeline.effects()) == sorted(written)
    assert pipeline.brokers().dead_letters("reporting") == []


def test_invalid_envelopes_are_dead_lettered_at_once_and_the_rest_of_the_batch_applied(pipeline: Pipeline):
    consumer = pipeline.consumer()
    pipeline.write(3)
    with pipeline.database.unit_of_work() as session:
        valid = [Message(r.event_id, r.type, r.body.encode()) for r in session.execute(outbox.select())]
    sound = Envelope.wrap(ClientRegistered(client_id=uuid.uuid4(), municipality="BG-RAK"))
    too_long = sound.model_copy(update={"id": "x" * 37})  # wider than the inbox's event_id
    personal = sound.model_copy(update={"id": str(uuid.uuid4()), "data": {
        "client_id": str(uuid.uuid4()), "municipality": "Maria Petrova", "name": "Maria Petrova"}})
    unnamed = b'{"specversion": "1.0", "name": "Maria Petrova"}'  # neither an envelope nor a message id
    unknown = sound.model_copy(update={"id": str(uuid.uuid4()), "type": "intake.client.teleported.v1"})
    invalid = [Message(e.id, ClientRegistered.type, e.to_json()) for e in (too_long, personal, unknown)] + [
        Message("", ClientRegistered.type, unnamed)]

    assert pipeline.brokers().publish(valid + invalid) == set()  # one batch, valid and invalid mixed
    until(lambda: len(pipeline.effects()) == 3 and len(pipeline.brokers().dead_letters("reporting")) == 4,
          step=consumer.process_batch)
    letters = {letter.message.event_id: letter for letter in pipeline.brokers().dead_letters("reporting")}
    unnamed_id = hashlib.sha256(unnamed).hexdigest()[:36]

    assert sorted(pipeline.effects()) == sorted(m.event_id for m in valid)
    assert set(letters) == {too_long.id, personal.id, unknown.id, unnamed_id}
    assert letters[unknown.id].reason == "UnknownEventType: intake.client.teleported.v1"
    assert {letter.attempts for letter in letters.values()} == {1}  # no retries
    assert "id: String should have at most 36 characters" in letters[too_long.id].reason
    assert "municipality" in letters[personal.id].reason and "name" in letters[personal.id].reason
    assert not [letter.reason for letter in letters.values() if "Maria" in letter.reason]

    assert pipeline.brokers().replay("reporting", [unnamed_id]) == 1  # the id the listing showed
    assert unnamed_id not in {letter.message.event_id for letter in pipeline.brokers().dead_letters("reporting")}


def test_a_started_consumer_shows_every_counter_at_zero(pipeline: Pipeline):
    """Alerts use increase(), which cannot see the step from no series to the first dead letter."""
    consumer = pipeline.consumer(name="zero" + testing.run_id())
    labels = {"service": consumer.name, "type": ClientRegistered.type}

    with running(consumer.run):
        until(lambda: REGISTRY.get_sample_value("carecircle_events_dead_lettered_total", labels) is not None)

    assert REGISTRY.get_sample_value("carecircle_events_dead_lettered_total", labels) == 0
    assert REGISTRY.get_sample_value("carecircle_events_failed_total", labels) == 0
    for outcome in metrics.CONSUMED_OUTCOMES:
        assert REGISTRY.get_sample_value("carecircle_events_consumed_total", labels | {"outcome": outcome}) == 0


def test_a_started_relay_shows_its_counters_of_every_type_its_service_emits(pipeline: Pipeline):
    relay = pipeline.relay()
    emitted = [t for t in registered_types() if t.startswith("intake.")]
    counters = {"carecircle_events_published_total": metrics.events_published,
                "carecircle_events_publish_failed_total": metrics.events_publish_failed}
    for counter in counters.values():  # as in a process just started
        for event_type in emitted:
            with suppress(KeyError):
                counter.remove(relay.service, event_type)

    def shown() -> dict[tuple[str, str], float | None]:
        return {(name, t): REGISTRY.get_sample_value(name, {"service": "intake", "type": t})
                for name in counters for t in emitted}

    with running(relay.run):
        until(lambda: None not in shown().values())

    assert set(shown().values()) == {0}


def _backdate_oldest(pipeline: Pipeline, key, moment, age: timedelta) -> str:
    """Moves the ``moment`` of the first row by ``key`` back by ``age``; returns its event id."""
    with pipeline.database.transaction() as session:
        oldest = session.execute(key.table.select().order_by(key).limit(1)).first()
        session.execute(key.table.update().where(key == oldest._mapping[key])
                        .values({moment: datetime.now(UTC) - age}))
    return oldest.event_id


def _event_ids(pipeline: Pipeline, table) -> set[str]:
    with pipeline.database.unit_of_work() as session:
        return {row.event_id for row in session.execute(table.select())}
