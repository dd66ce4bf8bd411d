"""The idempotent consumer.

A batch of deliveries is applied in one transaction together with an inbox
row per event id, and acknowledged only after the commit: a duplicate or a
redelivery after a crash finds its inbox row and has no second effect. If
anything in the batch fails, the batch is rolled back and each delivery is
applied alone, so one poison message is retried with back-off and finally
dead-lettered while the others go through.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from shared import metrics
from shared.db import Database
from shared.events import Envelope
from shared.events.envelope import UnknownEventType
from shared.messaging.broker import Broker, BrokerUnavailable, Delivery, reconnect_pause
from shared.messaging.handlers import HandlerRegistry
from shared.messaging.tables import inbox
from shared.tracing import traced

log = logging.getLogger(__name__)

# The inbox claim: the primary key decides which ids are new (see _claim).
_CLAIM = {
    name: dialect_insert(inbox).on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
    .returning(inbox.c.event_id)
    for name, dialect_insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}

PURGE_EVERY = 600.0  # seconds between inbox purges


def database_unreachable(exc: BaseException) -> bool:
    """A lost or refused database connection: the event is not at fault, so it
    must not use up its attempts and end in the dead-letter queue."""
    return isinstance(exc, OperationalError | InterfaceError) or getattr(exc, "connection_invalidated", False)


# Retrying cannot mend a message that does not parse or validate.
PERMANENT_ERRORS = (ValidationError, UnknownEventType)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)

    def delay(self, attempt: int) -> float:
        """Back-off after failed ``attempt``; the last step repeats."""
        return self.delays[min(attempt, len(self.delays)) - 1]


@dataclass
class Consumer:
    name: str
    database: Database
    broker: Broker
    handlers: HandlerRegistry
    policy: RetryPolicy = RetryPolicy()
    batch_size: int = 200
    batch_wait: float = 0.02
    idle_wait: float = 0.5
    inbox_retention: timedelta = timedelta(days=30)
    _last_purge: float = field(default=0.0, init=False)

    def declare(self) -> None:
        self.broker.declare(self.name, self.handlers.patterns, self.policy.delays)

    def process_batch(self) -> int:
        """Fetch, apply and acknowledge one batch; returns how many deliveries it had."""
        deliveries = self.broker.fetch(self.name, self.batch_size, self.batch_wait, self.idle_wait)
        if not deliveries:
            return 0
        try:
            outcomes = self._apply_batch(deliveries)
        except DBAPIError as exc:
            if not database_unreachable(exc):
                raise
            self.broker.requeue(deliveries)  # no event is at fault: all come again once it answers
            raise
        self.broker.ack(deliveries)
        self._count(deliveries, outcomes)
        return len(deliveries)

    def _apply_batch(self, deliveries: Sequence[Delivery]) -> dict[str, str]:
        try:
            return self._apply(deliveries)
        except Exception as exc:  # a failing batch is retried one delivery at a time
            if database_unreachable(exc):
                raise
            log.info("batch of %d failed, applying one at a time", len(deliveries), exc_info=True)
            outcomes = {}
            for delivery in deliveries:
                outcomes.update(self._apply_alone(delivery))
            return outcomes

    def run(self, stop: threading.Event) -> None:
        log.info("consumer started", extra={"consumer": self.name})
        failures, declared = 0, False
        while not stop.is_set():
            try:
                if not declared:  # again after a reconnect: the broker may have lost non-durable state
                    self.declare()
                    declared = True
                self.process_batch()
                self._maybe_purge_inbox()
                failures = 0
            except (BrokerUnavailable, DBAPIError) as exc:
                failures, declared = failures + 1, False
                pause = reconnect_pause(failures)
                log.warning("consumer cannot go on now, retrying in %.1fs: %s", pause, exc)
                stop.wait(pause)
        self.broker.close()

    def purge_inbox(self) -> int:
        """Forget events processed long ago: a duplicate older than the
        retention (far beyond any redelivery) is no longer recognised."""
        cutoff = datetime.now(UTC) - self.inbox_retention
        with self.database.unit_of_work() as session:
            # On the session's connection: a Core statement, whose result counts the rows.
            purged = session.connection().execute(
                delete(inbox).where(inbox.c.consumer == self.name, inbox.c.processed_at < cutoff)).rowcount
            session.commit()
        return purged

    def _maybe_purge_inbox(self) -> None:
        if time.monotonic() - self._last_purge >= PURGE_EVERY:
            self._last_purge = time.monotonic()
            self.purge_inbox()

    # -- applying -----------------------------------------------------------
    def _apply(self, deliveries: Sequence[Delivery]) -> dict[str, str]:
        envelopes = [Envelope.from_json(d.message.body) for d in deliveries]
        with self.database.unit_of_work() as session:
            outcomes = self._apply_in(session, envelopes)
            session.commit()
        return outcomes

    def _apply_alone(self, delivery: Delivery) -> dict[str, str]:
        try:
            return self._apply([delivery])
        except Exception as exc:  # every failure is retried or dead-lettered
            if database_unreachable(exc):
                raise
            return {delivery.message.event_id: self._fail(delivery, exc)}

    def _apply_in(self, session: Session, envelopes: list[Envelope]) -> dict[str, str]:
        fresh = self._claim(session, [e.id for e in envelopes])
        outcomes: dict[str, str] = {}
        for envelope in envelopes:
            if envelope.id not in fresh:
                outcomes.setdefault(envelope.id, "duplicate")
            elif not self.handlers.handles(envelope.type):
                outcomes[envelope.id] = "ignored"
            else:
                self._dispatch(session, envelope)
                outcomes[envelope.id] = "processed"
            fresh.discard(envelope.id)  # the same event twice in one batch has one effect
        return outcomes

    def _claim(self, session: Session, event_ids: list[str]) -> set[str]:
        """Write the inbox rows; returns the ids not seen before.

        ``INSERT .. ON CONFLICT DO NOTHING RETURNING``, executemany: the
        primary key decides, in one statement that stays cached and costs the
        same however large the inbox grows.
        """
        unique = list(dict.fromkeys(event_ids))
        now = datetime.now(UTC)
        claim = _CLAIM[session.get_bind().dialect.name]
        return set(session.scalars(claim, [{"consumer": self.name, "event_id": i, "processed_at": now}
                                           for i in unique]))

    def _dispatch(self, session: Session, envelope: Envelope) -> None:
        started = time.perf_counter()
        with traced(envelope.traceparent):
            self.handlers.dispatch(envelope, session=session)
        metrics.handler_duration.labels(self.name, envelope.type).observe(time.perf_counter() - started)

    def _fail(self, delivery: Delivery, exc: Exception) -> str:
        event_type = delivery.message.type
        metrics.events_failed.labels(self.name, event_type).inc()
        permanent = isinstance(exc, PERMANENT_ERRORS)
        if permanent or delivery.attempt >= self.policy.max_attempts:
            reason = f"{type(exc).__name__}: {exc}"
            self.broker.dead_letter(self.name, delivery, reason)
            metrics.events_dead_lettered.labels(self.name, event_type).inc()
            log.error("event dead-lettered after %d attempts", delivery.attempt,
                      extra={"event_id": delivery.message.event_id, "event_type": event_type, "error": reason})
            return "dead_lettered"
        delay = self.policy.delay(delivery.attempt)
        self.broker.retry(self.name, delivery, delay)
        log.warning("event failed, retrying in %.1fs", delay, exc_info=exc,
                    extra={"event_id": delivery.message.event_id, "event_type": event_type,
                           "attempt": delivery.attempt})
        return "retried"

    def _count(self, deliveries: Sequence[Delivery], outcomes: dict[str, str]) -> None:
        for delivery in deliveries:
            outcome = outcomes.get(delivery.message.event_id, "processed")
            metrics.events_consumed.labels(self.name, delivery.message.type, outcome).inc()
