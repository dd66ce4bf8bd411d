"""Recording events in the same transaction as the change that caused them."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.events import Envelope, Event
from shared.messaging.tables import outbox


def record_event(session: Session, event: Event, *, subject: str | None = None,
                 municipality: str | None = None) -> Envelope:
    """Add ``event`` to the outbox; it is published only if the session commits."""
    [envelope] = record_events(session, [(event, subject, municipality)])
    return envelope


def record_events(session: Session, events: Sequence[tuple[Event, str | None, str | None]]) -> list[Envelope]:
    """Add each ``(event, subject, municipality)`` to the outbox in one statement, in order:
    a change that announces thousands of things (a day's planning) does not pay a round trip each."""
    envelopes = [Envelope.wrap(event, subject=subject, municipality=municipality)
                 for event, subject, municipality in events]
    if envelopes:
        now = datetime.now(UTC)
        session.execute(_INSERT, [{"event_id": e.id, "type": e.type, "body": e.to_json().decode(),
                                   "created_at": now} for e in envelopes])
    return envelopes


_INSERT = insert(outbox)  # built once: it runs for every message sent
