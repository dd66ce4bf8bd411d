from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.notifications.escalations.rules import LIFECYCLE
from shared.paging import PageQuery
from shared.types import MUNICIPALITY_CODE, ReadModel, RequestModel

Status = Literal[tuple(LIFECYCLE.statuses)]  # type: ignore[valid-type]


class EscalationFilters(PageQuery):
    municipality: str | None = Field(None, pattern=MUNICIPALITY_CODE)
    status: Status | None = None
    kind: Literal["visit_missed", "checkin_unanswered", "followup_overdue"] | None = None


class EscalationAction(RequestModel):
    action: Literal["acknowledge", "resolve"]


class EscalationRead(ReadModel):
    id: uuid.UUID
    kind: str
    municipality: str = Field(validation_alias="municipality_code")
    client_id: uuid.UUID | None
    about: str
    to: str
    status: str
    raised_at: datetime
    call_message_id: uuid.UUID | None
    handled_by: str | None
    handled_at: datetime | None
