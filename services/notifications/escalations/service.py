"""Escalations: something a coordinator (or a case's supervising expert) must act on, raised
once per thing: a missed visit, a person who did not answer two check-in calls in a row,
an overdue follow-up. Each tells whoever must act (a message of its kind) and, for a
client, opens a call task on the call list (``channel`` call). Publishes
``notifications.escalation.raised.v1``."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notifications.catalogue.service import language_of, zone_of
from services.notifications.escalations import rules
from services.notifications.escalations.schemas import EscalationAction, EscalationFilters
from services.notifications.messages import service as messages
from services.notifications.messages.service import Draft
from services.notifications.models import CheckInStreak, Escalation, FollowUp
from services.notifications.recipients import rules as recipients
from shared.auth import Principal
from shared.events.notifications import EscalationRaised
from shared.events.scheduling import CheckInUnanswered, VisitCompleted, VisitMissed
from shared.localtime import day_of
from shared.messaging.outbox import record_event
from shared.paging import Page, equal_to_given, paginate
from shared.scope import get_in_scope, scope_filter

LIFETIME = timedelta(days=2)  # an escalation's messages not sent by then are stale


@dataclass(frozen=True)
class Raise:
    key: str
    kind: str
    municipality: str
    client_id: uuid.UUID | None
    about: str
    to: str  # who must act
    params: dict[str, str]


def on_visit_missed(event: VisitMissed, *, now: datetime, session: Session) -> Escalation:
    return raise_escalation(Raise(
        key=f"visit_missed:{event.visit_id}", kind="visit_missed", municipality=event.municipality,
        client_id=event.client_id, about=f"visit:{event.visit_id}", to=recipients.coordinators(event.municipality),
        params={"starts_at": event.starts_at.isoformat(), "service": event.service_type, "reason": event.reason}),
        now=now, session=session)


def on_checkin_unanswered(event: CheckInUnanswered, *, now: datetime, session: Session) -> Escalation | None:
    """Counts the call into the client's streak; the second in a row escalates."""
    streak = session.get(CheckInStreak, event.client_id, with_for_update=True)
    if streak is None:
        streak = CheckInStreak(client_id=event.client_id, unanswered=0, last_called_at=event.called_at)
        session.add(streak)
    elif event.called_at <= streak.last_called_at:
        return None  # an older call, arriving late
    streak.unanswered, streak.last_called_at = streak.unanswered + 1, event.called_at
    if streak.unanswered != rules.UNANSWERED_IN_A_ROW:
        return None
    return raise_escalation(Raise(
        key=f"checkin_unanswered:{event.visit_id}", kind="checkin_unanswered", municipality=event.municipality,
        client_id=event.client_id, about=f"visit:{event.visit_id}", to=recipients.coordinators(event.municipality),
        params={"called_at": event.called_at.isoformat()}), now=now, session=session)


def on_visit_completed(event: VisitCompleted, *, session: Session) -> None:
    """Someone saw or spoke with the client: their streak of unanswered calls ends."""
    streak = session.get(CheckInStreak, event.client_id, with_for_update=True)
    if streak is not None and event.ended_at > streak.last_called_at:
        streak.unanswered, streak.last_called_at = 0, event.ended_at


def escalate_overdue_follow_ups(*, now: datetime, session: Session) -> int:
    """Open follow-ups whose due day has passed (local day): escalated once, to the case's
    supervising expert, or to the coordinators when it has none."""
    overdue = session.scalars(select(FollowUp).where(FollowUp.done.is_(False), FollowUp.escalated.is_(False),
                                                     FollowUp.due_on <= now.date())  # east of UTC: a day on
                                .with_for_update(skip_locked=True))
    count = 0
    for follow_up in overdue:
        if follow_up.due_on >= day_of(now, zone_of(follow_up.municipality_code, session=session)):
            continue
        to = recipients.staff(follow_up.supervising_expert) if follow_up.supervising_expert else \
            recipients.coordinators(follow_up.municipality_code)
        raise_escalation(Raise(key=f"followup_overdue:{follow_up.id}", kind="followup_overdue",
                               municipality=follow_up.municipality_code, client_id=None,
                               about=f"case:{follow_up.case_id}", to=to,
                               params={"due_on": follow_up.due_on.isoformat(), "case": str(follow_up.case_id)[:8]}),
                         now=now, session=session)
        follow_up.escalated, count = True, count + 1
    return count


def raise_escalation(wanted: Raise, *, now: datetime, session: Session) -> Escalation:
    """The escalation of ``wanted.key``: raised now, with its message and call task, or the one raised before."""
    found = session.scalar(select(Escalation).where(Escalation.key == wanted.key))
    if found is not None:
        return found
    escalation = Escalation(id=uuid.uuid4(), key=wanted.key, kind=wanted.kind, municipality_code=wanted.municipality,
                            client_id=wanted.client_id, about=wanted.about, to=wanted.to, status=rules.OPEN,
                            raised_at=now)
    try:
        with session.begin_nested():
            session.add(escalation)
    except IntegrityError:  # raised a moment ago by another transaction
        return session.scalars(select(Escalation).where(Escalation.key == wanted.key)).one()
    _tell(wanted, now=now, session=session)
    escalation.call_message_id = _call_task(wanted, now=now, session=session)
    record_event(session, EscalationRaised(
        escalation_id=escalation.id, municipality=wanted.municipality, kind=wanted.kind, client_id=wanted.client_id,
        about=wanted.about, call_task_id=escalation.call_message_id), subject=str(escalation.id),
        municipality=wanted.municipality)
    return escalation


def _tell(wanted: Raise, *, now: datetime, session: Session) -> None:
    messages.queue(Draft(key=f"{wanted.key}:tell", kind=wanted.kind, recipient=wanted.to,
                         municipality=wanted.municipality, params=wanted.params, due_at=now,
                         expires_at=now + LIFETIME), now=now, session=session)


def _call_task(wanted: Raise, *, now: datetime, session: Session) -> uuid.UUID | None:
    """A task on the call list about the client, in the language of the municipality's staff."""
    kind = rules.CALL_TASKS.get(wanted.kind)
    if kind is None or wanted.client_id is None:
        return None
    return messages.queue(Draft(key=f"{wanted.key}:call", kind=kind, recipient=recipients.client(wanted.client_id),
                                municipality=wanted.municipality, params=wanted.params, due_at=now,
                                expires_at=now + LIFETIME, channel="call",
                                language=language_of(wanted.municipality, session=session)),
                          now=now, session=session).id


# -- reading and handling ---------------------------------------------------------------------------


def list_escalations(filters: EscalationFilters, principal: Principal, *, session: Session) -> Page[Escalation]:
    query = select(Escalation).where(
        scope_filter(principal, Escalation.municipality_code, only=filters.municipality),
        *equal_to_given((Escalation.status, filters.status), (Escalation.kind, filters.kind)))
    return paginate(session, query, filters, order=(Escalation.raised_at.desc(), Escalation.id))


def handle(escalation_id: uuid.UUID, change: EscalationAction, principal: Principal, *, now: datetime,
           session: Session) -> Escalation:
    escalation = get_in_scope(session, Escalation, escalation_id, principal, what="escalation", for_update=True)
    escalation.status = rules.LIFECYCLE.next(escalation.status, change.action)
    escalation.handled_by, escalation.handled_at = principal.subject, now
    return escalation
