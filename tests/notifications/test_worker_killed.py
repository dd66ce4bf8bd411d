"""A notifications worker killed with SIGKILL in the middle of sending, on PostgreSQL and Redis
with a real Celery worker: every message still goes out, and each is recorded sent once."""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, time as clock, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from services.notifications.catalogue.service import keep_municipality
from services.notifications.models import Message, MunicipalityTiming
from shared import testing
from shared.db import Database
from shared.events.intake import MunicipalityRegistered
from shared.settings import Settings
from shared.standins import sms_stand_in
from shared.testing import published_events, until
from shared.worker import make_celery

MESSAGES = 120


@pytest.fixture
def database(migrated_postgres):
    database = migrated_postgres("notifications")
    now = datetime.now(UTC)
    with database.transaction() as session:
        keep_municipality(MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg",
                                                 timezone="Europe/Sofia"), as_of=now, session=session)
        session.add(MunicipalityTiming(code="BG-RAK", reminder_lead_hours=24, quiet_from=clock(), quiet_until=clock(),
                                       day_plan_at=clock(), updated_at=now, updated_by="test"))  # never quiet
    return database


def queue(database: Database, count: int) -> set[str]:
    now = datetime.now(UTC)
    rows = [{"id": uuid.uuid4(), "key": f"test:{i}", "kind": "visit_reminder", "channel": "sms",
             "recipient": f"client:{uuid.uuid4()}", "municipality_code": "BG-RAK", "language": "bg",
             "params": {"starts_at": (now + timedelta(hours=20)).isoformat()}, "status": "queued", "attempts": 0,
             "next_attempt_at": now, "expires_at": now + timedelta(hours=1), "created_at": now}
            for i in range(count)]
    with database.transaction() as session:
        session.execute(insert(Message), rows)
    return {str(row["id"]) for row in rows}


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return testing.start_worker("notifications", env, log)


@pytest.mark.servers
def test_a_worker_killed_mid_run_loses_nothing_and_records_each_message_sent_once(database, namespace, tmp_path):
    log = tmp_path / "worker.log"
    with sms_stand_in() as provider:
        env = {**os.environ, "CARECIRCLE_DATABASE_URL": database.url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
               "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace,
               "CARECIRCLE_SMS_URL": provider.url, "CARECIRCLE_INTAKE_URL": f"{provider.url}/intake/v1",
               "CARECIRCLE_SEND_LEASE_SECONDS": "3"}
        worker = start_worker(env, log)
        celery = make_celery("notifications", Settings(environment="test", jwt_secret="s" * 32,
                                                       redis_url=testing.REDIS_URL, celery_eager=False,
                                                       namespace=namespace), database)
        ids = queue(database, MESSAGES)
        try:
            celery.send_task("notifications.send_due_messages").get(timeout=60)
            until(lambda: provider.count(ids) >= MESSAGES // 10, timeout=60)
            os.killpg(worker.pid, signal.SIGKILL)  # the main process and its pool, mid-run
            worker.wait(30)
            worker = start_worker(env, log)
            until(lambda: provider.count(ids) == MESSAGES, timeout=90,
                  step=lambda: _sweep(celery))
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
    with database.unit_of_work(write=False) as session:
        statuses = {row.id: row.status for row in session.execute(select(Message.id, Message.status))}
    assert {str(message_id) for message_id, status in statuses.items() if status == "sent"} == ids
    sent = [event["data"]["message_id"] for event in published_events(database, "notifications.message.sent.v1")]
    assert sorted(sent) == sorted(ids)  # each recorded sent once, whatever the provider was asked again


def _sweep(celery) -> None:
    """What beat does every half minute, every half second."""
    celery.send_task("notifications.send_due_messages").get(timeout=60)
    time.sleep(0.5)


@pytest.mark.servers
def test_a_provider_outage_makes_messages_wait_and_go_out_when_it_is_over(database, namespace, tmp_path):
    log = tmp_path / "worker.log"
    with sms_stand_in() as provider:
        provider.outage = 1_000  # every request refused with 503 until it is over
        env = {**os.environ, "CARECIRCLE_DATABASE_URL": database.url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
               "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace,
               "CARECIRCLE_SMS_URL": provider.url, "CARECIRCLE_INTAKE_URL": f"{provider.url}/intake/v1"}
        worker = start_worker(env, log)
        celery = make_celery("notifications", Settings(environment="test", jwt_secret="s" * 32,
                                                       redis_url=testing.REDIS_URL, celery_eager=False,
                                                       namespace=namespace), database)
        ids = queue(database, 3)
        try:
            celery.send_task("notifications.send_due_messages").get(timeout=60)
            until(lambda: _attempted(database) == {1}, timeout=60)
            with database.unit_of_work(write=False) as session:
                waiting = session.scalars(select(Message)).all()
            assert {(m.status, m.failure) for m in waiting} == {("queued", "provider answered 503")}
            assert all(m.next_attempt_at > datetime.now(UTC) for m in waiting)  # backing off
            provider.outage = 0
            with database.transaction() as session:  # the minute of back-off, passed
                session.execute(update(Message).values(next_attempt_at=datetime.now(UTC)))
            celery.send_task("notifications.send_due_messages").get(timeout=60)
            until(lambda: provider.count(ids) == len(ids), timeout=60)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(30)
    assert _attempted(database) == {2}


def _attempted(database: Database) -> set[int]:
    with database.unit_of_work(write=False) as session:
        return set(session.scalars(select(Message.attempts)))
