"""Events published by scheduling."""
from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from shared.events.base import Event
from shared.events.intake import Priority
from shared.types import CODE, MUNICIPALITY_CODE, SUBJECT


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


class _Assignment(Event):
    """Who serves whom: ``staff_id`` is the subject of the worker's token, as intake's
    tokens name them. Intake lets a worker read only the clients they serve once the
    municipality's first assignment event arrived; ids and codes only."""

    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    staff_id: str = Field(pattern=SUBJECT)


class ClientAssigned(_Assignment):
    """A worker now serves the client (a visit, a round, a group they run was given to them).
    Consumers keep the latest of assigned and unassigned per (client, worker), by the envelope's time."""

    type = "scheduling.client.assigned.v1"


class ClientUnassigned(_Assignment):
    """The worker no longer serves the client (their visits were reassigned, the plan ended)."""

    type = "scheduling.client.unassigned.v1"
