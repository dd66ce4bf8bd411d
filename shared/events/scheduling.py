"""Events published by scheduling."""
from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from shared.events.base import Event
from shared.events.intake import Priority
from shared.types import CODE, MUNICIPALITY_CODE


class VisitCompleted(Event):
    """A visit took place. A worker who saw a problem raises a concern, and
    intake opens a case for it (once per visit)."""

    type = "scheduling.visit.completed.v1"
    visit_id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    careplan_id: uuid.UUID | None = None
    service_type: str = Field(pattern=CODE)
    staff_id: str
    started_at: AwareDatetime
    ended_at: AwareDatetime
    concern_raised: bool = False
    concern_category: str | None = Field(None, pattern=CODE)
    concern_priority: Priority = "normal"
