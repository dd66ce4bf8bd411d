from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.notifications.messages.rules import LIFECYCLE
from shared.paging import PageQuery
from shared.types import CODE, MUNICIPALITY_CODE, ReadModel, RequestModel

Status = Literal[tuple(LIFECYCLE.statuses)]  # type: ignore[valid-type]
Outcome = Literal["reached", "visited", "no_answer", "not_needed"]


class MessageFilters(PageQuery):
    municipality: str | None = Field(None, pattern=MUNICIPALITY_CODE)
    status: Status | None = None
    kind: str | None = Field(None, pattern=CODE)
    channel: str | None = Field(None, pattern=CODE)
    recipient: str | None = Field(None, max_length=250, description="client:<id>, staff:<subject>...")


class CallFilters(PageQuery):
    municipality: str | None = Field(None, pattern=MUNICIPALITY_CODE)
    open: bool = Field(True, description="Only calls still to make (else those done too)")


class MessageRead(ReadModel):
    id: uuid.UUID
    kind: str
    channel: str
    recipient: str
    municipality: str = Field(validation_alias="municipality_code")
    language: str
    status: str
    attempts: int
    next_attempt_at: datetime
    expires_at: datetime
    provider_id: str | None
    failure: str | None
    outcome: str | None
    created_at: datetime
    sent_at: datetime | None


class TaskRead(MessageRead):
    """A call to make or an inbox entry: the message with its text (no address: whoever calls
    looks the person up in intake, with the right to)."""

    subject: str
    body: str


class CallOutcome(RequestModel):
    outcome: Outcome = Field(description="reached or visited: done; no_answer: not reached; not_needed: dropped")
