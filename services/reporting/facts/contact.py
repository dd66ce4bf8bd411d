"""Messages and how they ended, and escalations raised: kinds, channels and counts only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.reporting.models import Escalation, Message
from shared.events.notifications import EscalationRaised, MessageFailed, MessageSent
from shared.replicas import add_once, keep_latest_values


def keep_message(event: MessageSent | MessageFailed, *, at: datetime, session: Session) -> None:
    """The latest outcome of a message (a send that failed and then went out is sent)."""
    outcome = "sent" if isinstance(event, MessageSent) else "failed"
    keep_latest_values(session, Message.__table__, {
        "message_id": event.message_id, "municipality": event.municipality, "kind": event.kind,
        "channel": event.channel, "outcome": outcome, "as_of": at})


def keep_escalation(event: EscalationRaised, *, at: datetime, session: Session) -> None:
    add_once(session, Escalation.__table__, [{
        "escalation_id": event.escalation_id, "municipality": event.municipality, "kind": event.kind, "raised_at": at}])
