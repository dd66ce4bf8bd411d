"""The idempotent consumer.

Every delivery's envelope is checked first, before any database work: one
that can never be applied (it does not parse, its id does not fit the inbox,
its payload breaks the contract) goes straight to the dead-letter queue. The
valid deliveries of a batch are applied in one transaction together with an inbox
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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared import metrics
from shared.db import Database, per_dialect, unavailable
from shared.events import Envelope
from shared.events.envelope import UnknownEventType
from shared.logging import where_raised
from shared.messaging import heartbeat
from shared.messaging.broker import Broker, Delivery
from shared.messaging.handlers import HandlerRegistry
from shared.messaging.periodic import Every, keep_turning
from shared.messaging.tables import inbox
from shared.tracing import traced

log = logging.getLogger(__name__)

# The inbox claim: the primary key decides which ids are new (see _claim).
_CLAIM = per_dialect(lambda insert: insert(inbox).on_conflict_do_nothing(
    index_elements=[inbox.c.consumer, inbox.c.event_id]).returning(inbox.c.event_id))

PURGE_EVERY = 600.0  # seconds between inbox purges

Checked = tuple[Delivery, Envelope]  # a delivery whose envelope may be applied


# Retrying cannot mend a message that does not parse or validate.
PERMANENT_ERRORS = (ValidationError, UnknownEventType)


def failure_reason(exc: Exception) -> str:
    """Why an event failed, for its dead letter and the log, without the values it
    may quote (personal data): of a validation error the fields and what is wrong
    with them, of any other the exception type and where it was raised."""
    if isinstance(exc, UnknownEventType):
        return f"UnknownEventType: {exc}"  # the type: a code, and what an operator must see
    if not isinstance(exc, ValidationError):
        return where_raised(exc)
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}"
                         for e in exc.errors(include_url=False, include_context=False, include_input=False))
    return f"ValidationError ({exc.title}): {problems}"


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
    _declared: bool = field(default=False, init=False)
    _beats: Every = field(default_factory=lambda: Every(heartbeat.BEAT_EVERY), init=False)
    _purges: Every = field(default_factory=lambda: Every(PURGE_EVERY), init=False)

    def declare(self) -> None:
        self.broker.declare(self.name, self.handlers.patterns, self.policy.delays)

    def run(self, stop: threading.Event) -> None:
        log.info("consumer started", extra={"consumer": self.name})
        self._count_from_zero()
        keep_turning("consumer", self._turn, stop, lost=self._forget_declared)
        self.broker.close()

    def _forget_declared(self) -> None:
        self._declared = False

    def _turn(self) -> None:
        """One pass of the loop. Every call that can lose the broker or the
        database is in here, so that ``run`` survives it and tries again."""
        self._beats.run(lambda: heartbeat.beat(self.database, "consumer"))
        if not self._declared:  # again after a reconnect: the broker may have lost non-durable state
            self.declare()
            self._declared = True
        self.process_batch()
        self._purges.run(self.purge_inbox)

    def _count_from_zero(self) -> None:
        """Every series this consumer may increment exists from the start."""
        types = self.handlers.types
        metrics.count_from_zero(metrics.events_consumed,
                                [(self.name, t, outcome) for t in types for outcome in metrics.CONSUMED_OUTCOMES])
        for counter in (metrics.events_failed, metrics.events_dead_lettered):
            metrics.count_from_zero(counter, [(self.name, t) for t in types])

    def process_batch(self) -> int:
        """Fetch, apply and acknowledge one batch; returns how many deliveries it had."""
        deliveries = self.broker.fetch(self.name, self.batch_size, self.batch_wait, self.idle_wait)
        if not deliveries:
            return 0
        valid, invalid = self._check(deliveries)
        outcomes = self._apply_or_give_back(deliveries, valid)
        # After the valid ones: had the database failed, every delivery would have come again.
        outcomes += [(delivery, self._fail(delivery, error)) for delivery, error in invalid]
        self.broker.ack(deliveries)
        self._count(outcomes)
        return len(deliveries)

    def _check(self, deliveries: Sequence[Delivery]) -> tuple[list[Checked], list[tuple[Delivery, Exception]]]:
        """Sorts the deliveries into envelopes fit to apply and those that never will be."""
        valid: list[Checked] = []
        invalid: list[tuple[Delivery, Exception]] = []
        for delivery in deliveries:
            try:
                valid.append((delivery, self._envelope(delivery)))
            except PERMANENT_ERRORS as exc:
                invalid.append((delivery, exc))
        return valid, invalid

    def _envelope(self, delivery: Delivery) -> Envelope:
        envelope = Envelope.from_json(delivery.message.body)
        # The payload against its contract, whether handled here or not: a type the
        # catalogue does not know (a newer producer during an upgrade, a stray
        # publisher) waits in the dead-letter queue to be replayed, never silently dropped.
        envelope.event()
        return envelope

    def _apply_or_give_back(self, deliveries: Sequence[Delivery], valid: list[Checked]) -> list[tuple[Delivery, str]]:
        if not valid:
            return []
        try:
            outcomes = self._apply_batch(valid)
        except DBAPIError as exc:
            if not unavailable(exc):
                raise
            self.broker.requeue(deliveries)  # no event is at fault: all come again once it answers
            raise
        return [(delivery, outcomes[envelope.id]) for delivery, envelope in valid]

    def _apply_batch(self, valid: list[Checked]) -> dict[str, str]:
        try:
            return self.apply([envelope for _, envelope in valid])
        except Exception as exc:  # a failing batch is retried one delivery at a time
            if unavailable(exc):
                raise
            log.info("batch of %d failed, applying one at a time", len(valid), exc_info=True)
            outcomes = {}
            for delivery, envelope in valid:
                outcomes.update(self._apply_alone(delivery, envelope))
            return outcomes

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

    # -- applying -----------------------------------------------------------
    def apply(self, envelopes: list[Envelope]) -> dict[str, str]:
        """Applies ``envelopes`` in one transaction, each once (the inbox): what each came to."""
        with self.database.unit_of_work() as session:
            outcomes = self._apply_in(session, envelopes)
            session.commit()
        return outcomes

    def _apply_alone(self, delivery: Delivery, envelope: Envelope) -> dict[str, str]:
        try:
            return self.apply([envelope])
        except Exception as exc:  # every failure is retried or dead-lettered
            if unavailable(exc):
                raise
            return {envelope.id: self._fail(delivery, exc)}

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
        self.handlers.finish(session)
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
            reason = failure_reason(exc)
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

    def _count(self, outcomes: list[tuple[Delivery, str]]) -> None:
        for delivery, outcome in outcomes:
            metrics.events_consumed.labels(self.name, delivery.message.type, outcome).inc()
