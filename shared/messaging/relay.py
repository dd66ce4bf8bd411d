"""The outbox relay: publishes committed events, then marks them sent.

A crash anywhere re-sends, never loses: rows are marked only after the broker
confirmed them, in the transaction that locked them (``SKIP LOCKED`` lets
several relays share one outbox on PostgreSQL). Published rows are kept: they
are the service's record of what it published, served as its replay feed
(``shared.feed``).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update

from shared import metrics
from shared.db import Database
from shared.events import registered_types
from shared.messaging import heartbeat
from shared.messaging.broker import Broker, Message
from shared.messaging.periodic import Every, keep_turning
from shared.messaging.tables import outbox

log = logging.getLogger(__name__)

GAUGES_EVERY = 1.0  # seconds between outbox gauges, read from the database whether the broker answers or not


@dataclass
class Relay:
    service: str
    database: Database
    broker: Broker
    batch_size: int = 500
    poll_interval: float = 0.02
    retry_delays: list[float] = field(default_factory=lambda: [1.0, 5.0, 30.0])
    _beats: Every = field(default_factory=lambda: Every(heartbeat.BEAT_EVERY), init=False)
    _gauges: Every = field(default_factory=lambda: Every(GAUGES_EVERY), init=False)

    def publish_batch(self) -> int:
        """Publish up to one batch of pending events; returns how many were taken."""
        now = datetime.now(UTC)
        with self.database.unit_of_work() as session:
            rows = session.execute(
                select(outbox.c.seq, outbox.c.event_id, outbox.c.type, outbox.c.body, outbox.c.attempts)
                .where(outbox.c.published_at.is_(None))
                .where(or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now))
                .order_by(outbox.c.seq).limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            refused = self.broker.publish([Message(r.event_id, r.type, r.body.encode()) for r in rows])
            sent = [r.seq for r in rows if r.event_id not in refused]
            if sent:
                session.execute(update(outbox).where(outbox.c.seq.in_(sent)).values(published_at=now))
            for row in (r for r in rows if r.event_id in refused):
                self._postpone(session, row, now)
            session.commit()
        self._count(rows, refused)
        return len(rows)

    def _postpone(self, session, row, now: datetime) -> None:
        """The broker refused it (nobody bound yet?): keep it, try again later."""
        delay = self.retry_delays[min(row.attempts, len(self.retry_delays) - 1)]
        session.execute(update(outbox).where(outbox.c.seq == row.seq).values(
            attempts=row.attempts + 1, next_attempt_at=now + timedelta(seconds=delay)))
        log.warning("event refused by the broker, kept in the outbox",
                    extra={"event_id": row.event_id, "event_type": row.type, "attempt": row.attempts + 1})

    def _count(self, rows, refused: set[str]) -> None:
        for row in rows:
            counter = metrics.events_publish_failed if row.event_id in refused else metrics.events_published
            counter.labels(self.service, row.type).inc()

    def update_gauges(self) -> None:
        """How many events wait, and for how long the oldest has."""
        with self.database.unit_of_work(write=False) as session:
            pending, oldest = session.execute(
                select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None))
            ).one()
        metrics.outbox_pending.labels(self.service).set(pending)
        metrics.outbox_lag.labels(self.service).set(_age_seconds(oldest))

    def run(self, stop: threading.Event) -> None:
        log.info("outbox relay started", extra={"service": self.service})
        self._count_from_zero()
        keep_turning("relay", self._turn, stop)
        self.broker.close()

    def _turn(self) -> None:
        """One pass of the loop. Every call that can lose the broker or the
        database is in here, so that ``run`` survives it and tries again."""
        self._beats.run(lambda: heartbeat.beat(self.database, "relay"))
        # Before publishing: while the broker is away, the gauges show the events piling up.
        self._gauges.run(self.update_gauges)
        taken = self.publish_batch()
        if taken < self.batch_size:
            self.broker.idle(self.poll_interval)

    def _count_from_zero(self) -> None:
        """The counters of every type this service emits exist from the start."""
        emitted = [t for t, model in registered_types().items() if model.source() == self.service]
        for counter in (metrics.events_published, metrics.events_publish_failed):
            metrics.count_from_zero(counter, [(self.service, t) for t in emitted])


def _age_seconds(created_at: datetime | None) -> float:
    if created_at is None:
        return 0.0
    return max((datetime.now(UTC) - created_at).total_seconds(), 0.0)
