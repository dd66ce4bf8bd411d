"""A small pipeline for testing the messaging mechanics on either transport:
an outbox to write to, a relay, and a consumer whose handler writes one
effect row per event (or fails for the client ids listed as poison)."""
from __future__ import annotations

import re
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import Database
from shared.events import Envelope
from shared.events.intake import ClientRegistered
from shared.messaging.broker import Broker
from shared.messaging.consumer import Consumer, RetryPolicy
from shared.messaging.handlers import HandlerRegistry
from shared.messaging.outbox import record_event
from shared.messaging.relay import Relay
from shared.messaging.tables import outbox
from shared.models import service_base

Base = service_base()
CONSUMER = "reporting"  # a real service name, so that `carecircle dlq` can address its queues


class Effect(Base):
    __tablename__ = "effect"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))


def effect_handlers(poison: set[str]) -> HandlerRegistry:
    registry = HandlerRegistry()

    @registry.on(ClientRegistered)
    def record_effect(event: ClientRegistered, envelope: Envelope, *, session: Session) -> None:
        if str(event.client_id) in poison:
            raise RuntimeError(f"cannot handle client {event.client_id}")
        session.add(Effect(event_id=envelope.id, client_id=str(event.client_id)))

    return registry


@dataclass
class Pipeline:
    database: Database
    brokers: Callable[[], Broker]
    poison: set[str] = field(default_factory=set)
    policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=3, delays=(0.05, 0.1)))

    def relay(self, broker: Broker | None = None, **options) -> Relay:
        return Relay(service="intake", database=self.database, broker=broker or self.brokers(), **options)

    def consumer(self, broker: Broker | None = None, name: str = CONSUMER) -> Consumer:
        consumer = Consumer(name=name, database=self.database, broker=broker or self.brokers(),
                            handlers=effect_handlers(self.poison), policy=self.policy,
                            batch_size=50, batch_wait=0.01, idle_wait=0.05)
        consumer.declare()
        return consumer

    def write(self, count: int, *, poisoned: int = 0) -> list[str]:
        """Records ``count`` events in one transaction; the first ``poisoned`` fail in the handler."""
        client_ids = [str(uuid.uuid4()) for _ in range(count)]
        self.poison.update(client_ids[:poisoned])
        with self.database.transaction() as session:
            return [record_event(session, ClientRegistered(client_id=c, municipality="BG-RAK"),
                                 subject=c, municipality="BG-RAK").id for c in client_ids]

    def effects(self) -> list[str]:
        with self.database.unit_of_work() as session:
            return list(session.scalars(select(Effect.event_id)))

    def unpublished(self) -> int:
        with self.database.unit_of_work() as session:
            return session.scalar(select(func.count()).where(outbox.c.published_at.is_(None)))

    def relay_all(self, relay: Relay | None = None) -> None:
        relay = relay or self.relay()
        while relay.publish_batch():
            pass


@contextmanager
def running(*loops: Callable[[threading.Event], None]) -> Iterator[list[threading.Thread]]:
    """Runs relay and consumer loops in threads, as their processes do; stops them at the end."""
    stop = threading.Event()
    threads = [threading.Thread(target=loop, args=(stop,), daemon=True) for loop in loops]
    for thread in threads:
        thread.start()
    try:
        yield threads
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)


# -- RabbitMQ connections, by the name a RabbitBroker gives them ------------------------------
_NAMED = re.compile(r'^(<[^>]+>)\t.*\{"connection_name","([^"]*)"\}', re.MULTILINE)


def connections() -> dict[str, set[str]]:
    """The pids of the broker's open connections, by connection name."""
    named: dict[str, set[str]] = {}
    for pid, name in _NAMED.findall(_rabbitmqctl("list_connections", "pid", "client_properties")):
        named.setdefault(name, set()).add(pid)
    return named


def close_connection(pid: str) -> None:
    """As an operator or a broker restart would: the client only learns it from the broker."""
    _rabbitmqctl("close_connection", pid, "closed by a test")


def _rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True,
                          timeout=60).stdout
