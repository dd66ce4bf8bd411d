"""Events published by notifications: which message, of what kind, by which channel, and
how it ended; never the text, the address or the person beyond a reference."""
from __future__ import annotations

import uuid

from pydantic import Field

from shared.events.base import Event
from shared.types import CODE, MUNICIPALITY_CODE


class _MessageOutcome(Event):
    message_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    kind: str = Field(pattern=CODE)
    channel: str = Field(pattern=CODE)
    attempts: int


class MessageSent(_MessageOutcome):
    """The channel took the message (the provider's receipt may follow)."""

    type = "notifications.message.sent.v1"


class MessageFailed(_MessageOutcome):
    """The message will not go out: refused by the channel, or out of attempts. ``reason`` is a code."""

    type = "notifications.message.failed.v1"
    reason: str = Field(pattern=CODE)


class EscalationRaised(Event):
    """Someone must act: a visit was missed (``visit_missed``), a person did not answer two
    check-in calls in a row (``checkin_unanswered``), a case's follow-up is overdue
    (``followup_overdue``). ``about`` names what, by reference (``visit:<id>``, ``case:<id>``)."""

    type = "notifications.escalation.raised.v1"
    escalation_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    kind: str = Field(pattern=CODE)
    client_id: uuid.UUID | None = None
    about: str = Field(pattern=r"^[a-z]+:[0-9a-f-]{36}$")
    call_task_id: uuid.UUID | None = None  # the message on the call list, when one was made
