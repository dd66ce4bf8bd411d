"""Events published by scheduling."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

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
    staff_id: str  # the subject of the worker's token
    started_at: AwareDatetime
    ended_at: AwareDatetime
    services_delivered: list[Annotated[str, Field(pattern=CODE)]] = []
    concern_raised: bool = False
    concern_category: str | None = Field(None, pattern=CODE)
    concern_priority: Priority = "normal"


class PlannedVisit(BaseModel):
    """One visit as planned: when, which service, by whom (the worker's subject; none while unstaffed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    visit_id: uuid.UUID
    service_type: str = Field(pattern=CODE)
    staff_id: str | None = Field(None, pattern=SUBJECT)
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class VisitsPlanned(Event):
    """Visits to one client were planned (a plan's horizon, a booked appointment, a client seen
    at a round): one event for the lot, so that planning a month announces a client's visits
    at once. Notifications reminds the client of each; reporting counts them."""

    type = "scheduling.visits.planned.v1"
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    careplan_id: uuid.UUID | None = None
    visits: list[PlannedVisit]


class VisitsCancelled(Event):
    """Planned visits to one client that will not take place: cancelled by a coordinator
    (``reason`` theirs: client_request, weather...), re-planned after the plan changed
    (``plan_changed``: new visits are announced in their place) or stopped with the plan
    (``plan_stopped``)."""

    type = "scheduling.visits.cancelled.v1"
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    careplan_id: uuid.UUID | None = None
    visit_ids: list[uuid.UUID]
    reason: str = Field(pattern=CODE)


class VisitRescheduled(Event):
    """A planned visit has another time or worker (a coordinator's move, sickness cover, no
    one left to take it): the visit as it is now, and when and by whom it was before."""

    type = "scheduling.visit.rescheduled.v1"
    visit_id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    service_type: str = Field(pattern=CODE)
    staff_id: str | None = Field(None, pattern=SUBJECT)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    previous_starts_at: AwareDatetime
    previous_staff_id: str | None = Field(None, pattern=SUBJECT)


class VisitMissed(Event):
    """A visit did not take place: no one checked in in time (``not_checked_in``), no worker
    could be given it (``unstaffed``), or the worker found no one (``client_absent``,
    ``client_refused``, ``worker_unable``). Notifications escalates it."""

    type = "scheduling.visit.missed.v1"
    visit_id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    careplan_id: uuid.UUID | None = None
    service_type: str = Field(pattern=CODE)
    staff_id: str | None = Field(None, pattern=SUBJECT)  # the worker's subject; none if unstaffed
    starts_at: AwareDatetime
    reason: str = Field(pattern=CODE)


class CheckInUnanswered(Event):
    """A check-in call ("telephone friend") found no one: the person may need help.
    Notifications escalates it."""

    type = "scheduling.checkin.unanswered.v1"
    visit_id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    careplan_id: uuid.UUID | None = None
    staff_id: str = Field(pattern=SUBJECT)
    called_at: AwareDatetime


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


class _StaffMember(Event):
    """A member of staff as scheduling knows them, ids and codes only (their name stays in
    scheduling): ``subject`` is who they are in tokens, as ``ClientAssigned.staff_id`` and
    intake's case assignees name them; ``staff_id`` is the id care plans name them by."""

    staff_id: uuid.UUID
    subject: str = Field(pattern=SUBJECT)
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    roles: list[Annotated[str, Field(pattern=CODE)]]
    joined_on: date | None = None  # their first working day, where given (else: when registered)
    left_on: date | None = None  # their last working day, once they leave


class StaffRegistered(_StaffMember):
    type = "scheduling.staff.registered.v1"


class StaffChanged(_StaffMember):
    """Their roles or leaving day changed: the member as they are now."""

    type = "scheduling.staff.changed.v1"


class StaffLeft(_StaffMember):
    """They left the network's staff on ``left_on``: no new work goes to them."""

    type = "scheduling.staff.left.v1"
    left_on: date


def has_left(left_on: date | None, *, on: date) -> bool:
    """Whether a member whose last working day is ``left_on`` (``StaffLeft``) no longer works on ``on``."""
    return left_on is not None and on > left_on


class _Group(Event):
    """A self-help group, club or circle as reporting counts it: its topic area, capacity,
    facilitators (staff ids) and dates; its name and venue stay in scheduling."""

    group_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    topic: str = Field(pattern=CODE)
    capacity: int
    facilitator_ids: list[uuid.UUID]
    starts_on: date
    ends_on: date | None = None


class GroupRegistered(_Group):
    type = "scheduling.group.registered.v1"


class GroupChanged(_Group):
    """The group as it is now."""

    type = "scheduling.group.changed.v1"


class _Membership(Event):
    group_id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    on: date


class GroupMemberJoined(_Membership):
    type = "scheduling.group.member_joined.v1"


class GroupMemberLeft(_Membership):
    type = "scheduling.group.member_left.v1"


class PlannedSession(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    session_id: uuid.UUID
    starts_at: AwareDatetime


class SessionsPlanned(Event):
    """A group's sessions were planned over the horizon (its recurrence, as it is now).
    Notifications reminds the members of each."""

    type = "scheduling.sessions.planned.v1"
    group_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    sessions: list[PlannedSession]


class SessionsCancelled(Event):
    """Planned sessions of a group that will not take place: cancelled by its facilitator
    (``cancelled``) or planned again after the group changed (``group_changed``)."""

    type = "scheduling.sessions.cancelled.v1"
    group_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    session_ids: list[uuid.UUID]
    reason: str = Field(pattern=CODE)


class SessionHeld(Event):
    """A group's session took place: who of its members came (client ids) and how many
    others. Recorded again (corrected), it is published again: keep the latest per session."""

    type = "scheduling.session.held.v1"
    session_id: uuid.UUID
    group_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    topic: str = Field(pattern=CODE)  # the group's topic area
    held_at: AwareDatetime
    present: list[uuid.UUID]
    anonymous_participants: int


class ActivityHeld(Event):
    """A one-off event took place (a health campaign, a training, a public discussion, a
    coalition meeting) with so many participants. Recorded again: keep the latest."""

    type = "scheduling.activity.held.v1"
    activity_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
    kind: str = Field(pattern=CODE)
    held_at: AwareDatetime
    participants: int
