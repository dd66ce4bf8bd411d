"""Events notifications consumes, one function per type: each translates the event
into a call of a feature's service function."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from services.notifications.catalogue import service as catalogue
from services.notifications.escalations import service as escalations
from services.notifications.messages import service as messages
from services.notifications.recipients import rules as recipients, service as people
from services.notifications.reminders import service as reminders
from shared.events import Envelope
from shared.events.intake import (
    CaseStatusChanged,
    ClientRegistered,
    ClientUpdated,
    FollowUpRecorded,
    MunicipalityRegistered,
    ServiceTypeChanged,
    ServiceTypeRegistered,
)
from shared.events.scheduling import (
    CheckInUnanswered,
    GroupMemberJoined,
    GroupMemberLeft,
    SessionsCancelled,
    SessionsPlanned,
    VisitCompleted,
    VisitMissed,
    VisitRescheduled,
    VisitsCancelled,
    VisitsPlanned,
)
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()
CLOSED_CASE = ("resolved", "closed")


@registry.on(MunicipalityRegistered)
def on_municipality_registered(event: MunicipalityRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_municipality(event, as_of=envelope.time, session=session)


@registry.on(ServiceTypeRegistered)
def on_service_type_registered(event: ServiceTypeRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_service_type(event, as_of=envelope.time, session=session)


@registry.on(ServiceTypeChanged)
def on_service_type_changed(event: ServiceTypeChanged, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_service_type(event, as_of=envelope.time, session=session)


@registry.on(ClientRegistered)
def on_client_registered(event: ClientRegistered, envelope: Envelope, *, session: Session) -> None:
    people.keep_client(event, as_of=envelope.time, session=session)


@registry.on(ClientUpdated)
def on_client_updated(event: ClientUpdated, envelope: Envelope, *, session: Session) -> None:
    """A client who left care (moved, died, inactive) is sent nothing more."""
    if people.keep_client(event, as_of=envelope.time, session=session):
        messages.cancel_queued(recipient=recipients.client(event.client_id), reason="not_in_care", session=session)


@registry.on(FollowUpRecorded)
def on_follow_up_recorded(event: FollowUpRecorded, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_follow_up(event, as_of=envelope.time, session=session)


@registry.on(CaseStatusChanged)
def on_case_status_changed(event: CaseStatusChanged, envelope: Envelope, *, session: Session) -> None:
    if event.status in CLOSED_CASE:
        reminders.keep_case_closed(event.case_id, session=session)


@registry.on(VisitsPlanned)
def on_visits_planned(event: VisitsPlanned, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_planned(event, as_of=envelope.time, session=session)


@registry.on(VisitsCancelled)
def on_visits_cancelled(event: VisitsCancelled, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_cancelled(event, as_of=envelope.time, now=datetime.now(UTC), session=session)


@registry.on(VisitRescheduled)
def on_visit_rescheduled(event: VisitRescheduled, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_rescheduled(event, as_of=envelope.time, now=datetime.now(UTC), session=session)


@registry.on(SessionsPlanned)
def on_sessions_planned(event: SessionsPlanned, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_sessions_planned(event, as_of=envelope.time, session=session)


@registry.on(SessionsCancelled)
def on_sessions_cancelled(event: SessionsCancelled, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_sessions_cancelled(event, as_of=envelope.time, session=session)


@registry.on(GroupMemberJoined)
def on_member_joined(event: GroupMemberJoined, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_membership(event, as_of=envelope.time, session=session)


@registry.on(GroupMemberLeft)
def on_member_left(event: GroupMemberLeft, envelope: Envelope, *, session: Session) -> None:
    reminders.keep_membership(event, as_of=envelope.time, session=session)


@registry.on(VisitMissed)
def on_visit_missed(event: VisitMissed, envelope: Envelope, *, session: Session) -> None:
    """The coordinator is told and a call to the client goes on the call list."""
    escalations.on_visit_missed(event, now=datetime.now(UTC), session=session)


@registry.on(CheckInUnanswered)
def on_checkin_unanswered(event: CheckInUnanswered, envelope: Envelope, *, session: Session) -> None:
    """The second unanswered call in a row: the coordinator is told, someone is to go and see."""
    escalations.on_checkin_unanswered(event, now=datetime.now(UTC), session=session)


@registry.on(VisitCompleted)
def on_visit_completed(event: VisitCompleted, envelope: Envelope, *, session: Session) -> None:
    escalations.on_visit_completed(event, session=session)
