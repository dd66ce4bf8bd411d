"""Crashes, kills and broker restarts, against the real RabbitMQ and PostgreSQL."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from shared import testing
from shared.messaging.broker import BrokerUnavailable
from shared.messaging.rabbit import RabbitBroker
from shared.messaging.relay import Relay
from shared.messaging.tables import outbox
from shared.testing import until
from tests.shared.messaging.support import Pipeline, close_connection, connections, running

pytestmark = pytest.mark.servers


class SimulatedCrash(Exception):
    pass


def test_crash_after_commit_before_ack_has_one_effect(rabbit_pipeline: Pipeline, monkeypatch):
    pipeline = rabbit_pipeline
    written = pipeline.write(10)
    first = pipeline.consumer()
    pipeline.relay_all()

    def crash(_deliveries):
        first.broker.close()  # the process dies: its connection drops with nothing acked
        raise SimulatedCrash

    monkeypatch.setattr(first.broker, "ack", crash)
    with pytest.raises(SimulatedCrash):
        until(lambda: False, step=first.process_batch, timeout=10)
    committed_before_crash = pipeline.effects()
    assert committed_before_crash  # the effects were committed...

    second = pipeline.consumer()  # ...and the redelivered events find their inbox rows
    until(lambda: len(pipeline.effects()) == 10, step=second.process_batch)
    for _ in range(3):
        second.process_batch()

    assert Counter(pipeline.effects()) == Counter(dict.fromkeys(written, 1))


def _cli_environment(pipeline: Pipeline, vhost_url: str, namespace: str) -> dict:
    return {
        **os.environ,
        "CARECIRCLE_DATABASE_URL": pipeline.database.url,  # one database stands in for every service
        "CARECIRCLE_BROKER_URL": vhost_url,
        "CARECIRCLE_NAMESPACE": namespace,
        "CARECIRCLE_RELAY_BATCH_SIZE": "50",
    }


def _published(pipeline: Pipeline) -> int:
    with pipeline.database.unit_of_work() as session:
        return session.scalar(select(func.count()).where(outbox.c.published_at.is_not(None)))


def test_relay_killed_mid_batch_loses_nothing(rabbit_pipeline: Pipeline, vhost_url, namespace):
    pipeline = rabbit_pipeline
    consumer = pipeline.consumer()
    written = pipeline.write(3000)
    env = _cli_environment(pipeline, vhost_url, namespace)
    command = [sys.executable, "-m", "services.cli", "relay", "intake"]

    relay = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    until(lambda: _published(pipeline) > 0, timeout=30)
    relay.send_signal(signal.SIGKILL)  # no chance to finish the batch or mark it
    relay.wait()
    assert 0 < _published(pipeline) < 3000

    restarted = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        until(lambda: len(pipeline.effects()) >= 3000, step=consumer.process_batch, timeout=60)
    finally:
        restarted.terminate()
        restarted.wait(10)

    assert Counter(pipeline.effects()) == Counter(dict.fromkeys(written, 1))
    assert pipeline.unpublished() == 0


def test_dlq_commands_list_and_replay_a_dead_letter(rabbit_pipeline: Pipeline, vhost_url, namespace):
    pipeline = rabbit_pipeline
    consumer = pipeline.consumer()
    poisoned = pipeline.write(3, poisoned=1)[0]
    pipeline.relay_all()
    until(lambda: pipeline.brokers().dead_letters("reporting"), step=consumer.process_batch)
    env = _cli_environment(pipeline, vhost_url, namespace)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "services.cli", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    [line] = cli("dlq", "list", "reporting").splitlines()
    listed = json.loads(line)
    assert listed["event_id"] == poisoned
    assert listed["attempts"] == 3
    assert listed["reason"].endswith("in record_effect")

    pipeline.poison.clear()
    assert "replayed 1" in cli("dlq", "replay", "reporting")
    until(lambda: poisoned in pipeline.effects(), step=consumer.process_batch)
    assert cli("dlq", "list", "reporting") == ""


@pytest.mark.serial
def test_consumer_reconnects_after_rabbitmq_restarts(rabbit_pipeline: Pipeline):
    pipeline = rabbit_pipeline
    consumer = pipeline.consumer()
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    relay = pipeline.relay()
    try:
        before = pipeline.write(5)
        pipeline.relay_all(relay)
        until(lambda: len(pipeline.effects()) == 5)

        testing.restart_rabbitmq_app()

        after = pipeline.write(5)
        until(lambda: _relay_once(relay) is None and pipeline.unpublished() == 0, timeout=60)
        until(lambda: len(pipeline.effects()) == 10, timeout=60)
    finally:
        stop.set()
        thread.join(10)

    assert sorted(pipeline.effects()) == sorted(before + after)
    assert not thread.is_alive()


def _relay_once(relay) -> None:
    """One relay pass that tolerates the broker still coming back."""
    with contextlib.suppress(BrokerUnavailable):
        relay.publish_batch()


def test_relay_and_consumer_survive_their_idle_connections_being_closed(rabbit_pipeline: Pipeline, vhost_url,
                                                                         namespace):
    """An operator's close_connection, or a broker restart with no traffic, finds both waiting for work."""
    pipeline = rabbit_pipeline
    names = [f"{namespace}-consumer", f"{namespace}-relay"]
    consumer = pipeline.consumer(RabbitBroker(vhost_url, namespace, connection_name=names[0]))
    relay = pipeline.relay(RabbitBroker(vhost_url, namespace, connection_name=names[1]))
    with running(consumer.run, relay.run) as threads:
        first = pipeline.write(1)
        until(lambda: pipeline.effects() == first)  # both are connected, and now idle
        before = connections()
        closed = set().union(*(before.get(name, set()) for name in names))
        assert len(closed) == 2, before

        for pid in closed:
            close_connection(pid)
        until(lambda: not closed & set().union(*connections().values()))
        second = pipeline.write(1)
        until(lambda: sorted(pipeline.effects()) == sorted(first + second))

        assert all(thread.is_alive() for thread in threads)
        after = connections()
        assert all(after.get(name) for name in names)  # each opened a connection of its own again


def test_outbox_gauges_show_events_waiting_while_the_broker_is_unreachable(rabbit_pipeline: Pipeline):
    pipeline = rabbit_pipeline
    pipeline.write(7)
    nowhere = RabbitBroker(f"amqp://guest:guest@127.0.0.1:{testing.free_port()}/", "nowhere")
    relay = Relay(service="lag" + testing.run_id(), database=pipeline.database, broker=nowhere)  # gauges of its own

    def gauge(name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"service": relay.service})

    with running(relay.run) as [thread]:
        until(lambda: gauge("carecircle_outbox_pending") == 7)
        first_lag = gauge("carecircle_outbox_lag_seconds")
        until(lambda: gauge("carecircle_outbox_lag_seconds") > first_lag)  # measured again, still waiting
        assert thread.is_alive()

    assert first_lag > 0
    assert pipeline.unpublished() == 7
