"""Messages on SQLite and PostgreSQL: queued once per key, sent when due in the text of their
kind and language, retried after transient errors, failed or expired, sent once when two
tasks race; and the sweep and its send tasks in a real Celery worker on Redis."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.catalogue.service import keep_municipality
from services.notifications.channels import ChannelError, Outgoing, Sent
from services.notifications.channels.log import LogChannel
from services.notifications.messages import rules, service as messages
from services.notifications.messages.service import Draft
from services.notifications.models import Message
from services.registry import service_spec
from shared import testing
from shared.db import Database
from shared.events.intake import MunicipalityRegistered
from shared.migrations import upgrade
from shared.settings import Settings
from shared.testing import at_once, published_events, until
from shared.worker import make_celery

NOW = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
VISIT_AT = "2026-12-07T08:00:00+00:00"  # Monday 10:00 in Rakitovo
LEASE = timedelta(minutes=2)


def draft(key: str = "visit_reminder:v1", channel: str = "log", **changes) -> Draft:
    return Draft(**{"key": key, "kind": "visit_reminder", "channel": channel, "recipient": "client:c1",
                    "municipality": "BG-RAK", "language": "bg",
                    "params": {"starts_at": VISIT_AT, "service": "home_help"}, "due_at": NOW - timedelta(minutes=1),
                    "expires_at": NOW + timedelta(hours=12), **changes})


class Recording:
    """A channel that remembers what it sent, or raises the errors it is given, in turn."""

    kind = "log"
    needs_address = True

    def __init__(self, *errors: ChannelError) -> None:
        self.errors, self.sent = list(errors), []
        self.lock = threading.Lock()

    def send(self, message: Outgoing) -> Sent:
        with self.lock:
            if self.errors:
                raise self.errors.pop(0)
            self.sent.append(message)
        return Sent(provider_id=f"p-{len(self.sent)}")


@pytest.fixture
def database(service_runtime) -> Database:
    database = service_runtime("notifications").database
    with database.transaction() as session:
        keep_municipality(MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg",
                                                 timezone="Europe/Sofia"), as_of=NOW, session=session)
    return database


def queued(database: Database, *drafts: Draft) -> list[str]:
    with database.transaction() as session:
        return [str(messages.queue(each, now=NOW, session=session).id) for each in drafts]


def send(database: Database, message_id: str, channel, *, now: datetime = NOW) -> str:
    with database.transaction() as session:
        return messages.send(uuid.UUID(message_id), now=now, channels={"log": channel, "sms": channel},
                             address=_address, session=session)


def _address(message: Message) -> str:
    """The log channel's recipient; intake down for any other (the message waits)."""
    if message.channel != "log":
        raise ChannelError("intake unreachable: ConnectError", transient=True)
    return message.recipient


def row(database: Database, message_id: str) -> Message:
    with database.unit_of_work(write=False) as session:
        found = session.get(Message, uuid.UUID(message_id))
        session.expunge(found)
        return found


def test_the_same_message_asked_for_twice_is_queued_once(database):
    first, again = queued(database, draft(), draft(params={"starts_at": VISIT_AT, "service": "other"}))
    assert first == again
    with database.unit_of_work(write=False) as session:
        assert session.query(Message).count() == 1


def test_a_due_message_goes_out_once_in_its_language_and_zone(database, tmp_path):
    [message_id] = queued(database, draft())
    channel = LogChannel(Settings(environment="test", jwt_secret="s" * 32, message_log=str(tmp_path / "m.jsonl")))
    assert send(database, message_id, channel) == "sent"
    assert send(database, message_id, channel) == "sent"  # a task that runs twice sends once
    [line] = (tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()
    written = json.loads(line)
    assert written["to"] == "client:c1" and "понеделник 7 декември, 10:00" in written["body"]
    assert written["subject"] == "Напомняне за посещение"
    sent = row(database, message_id)
    assert (sent.status, sent.attempts, sent.provider_id) == ("sent", 1, f"log:{message_id}")
    [event] = published_events(database, "notifications.message.sent.v1")
    assert event["data"] == {"message_id": message_id, "municipality": "BG-RAK", "kind": "visit_reminder",
                             "channel": "log", "attempts": 1}


def test_a_transient_error_waits_longer_each_time_then_fails(database):
    [message_id] = queued(database, draft())
    channel = Recording(*[ChannelError("provider answered 503", transient=True)] * rules.MAX_ATTEMPTS)
    now = NOW
    for attempt in range(1, rules.MAX_ATTEMPTS):
        assert send(database, message_id, channel, now=now) == "queued"
        waiting = row(database, message_id)
        assert (waiting.attempts, waiting.next_attempt_at) == (attempt, now + rules.wait_after(attempt))
        assert send(database, message_id, channel, now=now) == "queued"  # not due again yet: untouched
        now = waiting.next_attempt_at
    assert send(database, message_id, channel, now=now) == "failed"
    assert row(database, message_id).failure == "provider answered 503"
    [event] = published_events(database, "notifications.message.failed.v1")
    assert (event["data"]["reason"], event["data"]["attempts"]) == ("out_of_attempts", rules.MAX_ATTEMPTS)
    assert channel.sent == []


def test_a_refused_message_fails_and_a_late_one_expires(database):
    refused, late = queued(database, draft("k1"), draft("k2"))
    assert send(database, refused, Recording(ChannelError("provider refused: 21211", transient=False))) == "failed"
    assert row(database, refused).failure == "provider refused: 21211"
    assert send(database, late, Recording(), now=NOW + timedelta(hours=13)) == "expired"
    reasons = {e["data"]["message_id"]: e["data"]["reason"]
               for e in published_events(database, "notifications.message.failed.v1")}
    assert reasons == {refused: "refused", late: "expired"}


def test_a_message_not_due_yet_or_whose_address_cannot_be_asked_waits(database):
    later, sms = queued(database, draft("k1", due_at=NOW + timedelta(hours=1)), draft("k2", channel="sms"))
    channel = Recording()
    assert send(database, later, channel) == "queued" and row(database, later).attempts == 0
    assert send(database, sms, channel) == "queued"
    assert (row(database, sms).attempts, row(database, sms).failure) == (1, "intake unreachable: ConnectError")
    assert channel.sent == []
    with database.transaction() as session:
        assert messages.hand_out(now=NOW, lease=LEASE, session=session) == []  # both wait


def test_a_message_handed_out_to_a_task_is_handed_out_again_only_once_its_lease_is_over(database):
    [message_id] = queued(database, draft())
    with database.transaction() as session:
        assert messages.hand_out(now=NOW, lease=LEASE, session=session) == [uuid.UUID(message_id)]
    with database.transaction() as session:
        assert messages.hand_out(now=NOW + timedelta(seconds=30), lease=LEASE, session=session) == []  # queued
    with database.transaction() as session:  # its worker died with the task: a later sweep makes another
        assert messages.hand_out(now=NOW + LEASE, lease=LEASE, session=session) == [uuid.UUID(message_id)]


def test_two_tasks_sending_one_message_at_once_send_it_once(database):
    [message_id] = queued(database, draft())
    channel = Recording()
    answers = at_once([lambda: send(database, message_id, channel)] * 4)
    assert len(channel.sent) == 1 and "sent" in answers


@pytest.mark.servers
def test_the_sweep_hands_each_due_message_to_a_task_in_a_real_worker(postgres_database, namespace, tmp_path):
    url = postgres_database("notifications")
    spec_database = Database(url)
    spec = service_spec("notifications")
    upgrade(str(spec.migrations), spec_database, spec.metadata)
    log = tmp_path / "messages.jsonl"
    env = {**os.environ, "CARECIRCLE_DATABASE_URL": url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
           "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace, "CARECIRCLE_MESSAGE_LOG": str(log)}
    worker = subprocess.Popen([sys.executable, "-m", "services.cli", "worker", "notifications", "--concurrency", "2"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        now = datetime.now(UTC)
        queued(spec_database, *[draft(f"k{i}", due_at=now - timedelta(seconds=1), expires_at=now + timedelta(hours=1))
                                for i in range(5)])
        settings = Settings(environment="test", jwt_secret="s" * 32, redis_url=testing.REDIS_URL,
                            celery_eager=False, namespace=namespace)
        app = make_celery("notifications", settings, spec_database)
        assert app.send_task("notifications.send_due_messages").get(timeout=60) == 1  # one batch of five
        until(lambda: log.exists() and len(log.read_text(encoding="utf-8").splitlines()) == 5, timeout=60)
        assert app.send_task("notifications.send_due_messages").get(timeout=60) == 0
        ids = [json.loads(line)["message_id"] for line in log.read_text(encoding="utf-8").splitlines()]
        assert len(set(ids)) == 5
    finally:
        worker.terminate()
        worker.wait(30)
        spec_database.dispose()


def test_a_sweep_hands_out_at_most_its_limit_a_chunk_at_a_time(database):
    queued(database, *[draft(f"k{i}") for i in range(5)])
    with database.transaction() as session:
        first = messages.hand_out(now=NOW, lease=LEASE, session=session, limit=3, chunk=2)
    with database.transaction() as session:
        rest = messages.hand_out(now=NOW, lease=LEASE, session=session, limit=3, chunk=2)
    assert (len(first), len(rest), len(set(first) | set(rest))) == (3, 2, 5)


def test_a_send_task_asks_intake_for_the_clients_it_is_about_to_message(database):
    """Only queued messages due now, to clients, by a channel that needs an address: each client and channel once."""
    client, other = f"client:{uuid.uuid4()}", f"client:{uuid.uuid4()}"
    ids = queued(database, draft("a", channel="sms", recipient=client), draft("b", channel="sms", recipient=client),
                 draft("c", channel="email", recipient=client), draft("d", channel="log", recipient=other),
                 draft("e", channel="sms", recipient="staff:gergana"),
                 draft("f", channel="sms", recipient=other, due_at=NOW + timedelta(hours=1)),
                 draft("g", channel="sms", recipient=other, expires_at=NOW))
    channels = {"sms": Recording(), "email": Recording(), "log": LogChannel(testing.make_settings())}
    with database.transaction() as session:
        wanted = messages.wanted_addresses([uuid.UUID(each) for each in ids], channels=channels, now=NOW,
                                           session=session)
    assert wanted == sorted([(client, "sms"), (client, "email")])
