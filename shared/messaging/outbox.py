"""Recording events in the same transaction as the change that caused them."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.events import Envelope, Event
from shared.messaging.tables import outbox


def record_event(session: Session, event: Event, *, subject: str | None = None,
                 municipality: str | None = None) -> Envelope:
    """Add ``event`` to the outbox; it is published only if the session commits."""
    envelope = Envelope.wrap(event, subject=subject, municipality=municipality)
    session.execute(insert(outbox).values(
        event_id=envelope.id, type=envelope.type, body=envelope.to_json().decode(),
        created_at=datetime.now(UTC),
    ))
    return envelope
