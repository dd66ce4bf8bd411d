"""Events reporting consumes: each is kept in a read model (services/reporting/facts) by
the function this table names, at the envelope's time; a step of a history (a care plan's,
a case's) also by the event's id."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from services.reporting.facts import care, cases, catalogue, contact, groups, people
from shared.events import Envelope, Event, intake as i, notifications as n, scheduling as s
from shared.messaging.handlers import Handler, HandlerRegistry
from shared.replicas import write_later

# Reporting reads every event (DESIGN.md section 2): binding "#" also makes
# every event routable, so none waits in an outbox for a consumer to appear.
registry = HandlerRegistry(bind=["#"])


def kept(keep: Callable[..., None]) -> Handler:
    def handle(event: Event, envelope: Envelope, *, session: Session) -> None:
        keep(event, session=session)
    return handle


def kept_at(keep: Callable[..., None], **fixed: Any) -> Handler:
    def handle(event: Event, envelope: Envelope, *, session: Session) -> None:
        keep(event, at=envelope.time, session=session, **fixed)
    return handle


def kept_as_step(keep: Callable[..., None]) -> Handler:
    def handle(event: Event, envelope: Envelope, *, session: Session) -> None:
        keep(event, at=envelope.time, event_id=envelope.id, session=session)
    return handle


HANDLERS: dict[type[Event], Handler] = {
    i.MunicipalityRegistered: kept_at(catalogue.keep_municipality),
    i.SettlementRegistered: kept_at(catalogue.keep_settlement),
    i.ServiceTypeRegistered: kept_at(catalogue.keep_service_type),
    i.ServiceTypeChanged: kept_at(catalogue.keep_service_type),
    i.ProgrammeRegistered: kept_at(catalogue.keep_programme),
    i.CodeRegistered: kept_at(catalogue.keep_code),
    i.CodeChanged: kept_at(catalogue.keep_code),
    i.ClientRegistered: kept_at(people.keep_client),
    i.ClientUpdated: kept_at(people.keep_client),
    i.AssessmentRecorded: kept(people.keep_assessment),
    i.AgreementSigned: kept(people.keep_agreement),
    i.CarePlanActivated: kept_as_step(care.keep_plan),
    i.CarePlanChanged: kept_as_step(care.keep_plan),
    i.CarePlanSuspended: kept_as_step(care.keep_stop),
    i.CarePlanEnded: kept_as_step(care.keep_stop),
    i.CaseOpened: kept_as_step(cases.keep_opened),
    i.CaseStatusChanged: kept_as_step(cases.keep_status),
    i.FollowUpRecorded: kept_at(cases.keep_follow_up),
    s.StaffRegistered: kept_at(people.keep_staff, registered=True),
    s.StaffChanged: kept_at(people.keep_staff, registered=False),
    s.StaffLeft: kept_at(people.keep_staff, registered=False),
    s.VisitsPlanned: kept_at(care.keep_planned),
    s.VisitRescheduled: kept_at(care.keep_rescheduled),
    s.VisitsCancelled: kept_at(care.keep_cancelled),
    s.VisitCompleted: kept_at(care.keep_completed),
    s.VisitMissed: kept_at(care.keep_missed),
    s.CheckInUnanswered: kept_at(care.keep_unanswered),
    s.GroupRegistered: kept_at(groups.keep_group),
    s.GroupChanged: kept_at(groups.keep_group),
    s.SessionHeld: kept_at(groups.keep_session),
    s.ActivityHeld: kept_at(groups.keep_activity),
    n.MessageSent: kept_at(contact.keep_message),
    n.MessageFailed: kept_at(contact.keep_message),
    n.EscalationRaised: kept_at(contact.keep_escalation),
}
for model, handler in HANDLERS.items():
    registry.on(model)(handler)
registry.finishing(write_later)
