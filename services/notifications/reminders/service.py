"""Reminders: replicas of scheduling's planned visits and group sessions (with the groups'
members) and of intake's case follow-ups, ids and times only, and the sweeps that queue
messages from them when due: a visit reminder to the client and a session reminder to each
member the municipality's lead time before, each worker's day plan in the morning, a
follow-up reminder to its assignee on the day it is due. A visit moved or cancelled by a
coordinator tells the client at once; its old reminder is cancelled."""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.notifications.catalogue.service import reminder_kind, timing_of, unreminded_service_types, zone_of
from services.notifications.messages import service as messages
from services.notifications.messages.service import Draft
from services.notifications.models import FollowUp, GroupMembership, GroupSession, Municipality, Visit
from services.notifications.recipients import rules as recipients
from shared.events.intake import FollowUpRecorded
from shared.events.scheduling import (
    GroupMemberJoined,
    GroupMemberLeft,
    SessionsCancelled,
    SessionsPlanned,
    VisitRescheduled,
    VisitsCancelled,
    VisitsPlanned,
)
from shared.localtime import at, day_of
from shared.replicas import is_news, keep_latest

PLANNED, CANCELLED = "planned", "cancelled"
NOTICE_LIFETIME = timedelta(hours=12)  # a notice not sent by then is stale
COORDINATORS_CANCEL = frozenset({"client_request", "client_in_hospital", "worker_unavailable", "weather", "other"})


# -- the replica ---------------------------------------------------------------------------------


def keep_planned(event: VisitsPlanned, *, as_of: datetime, session: Session) -> None:
    for visit in event.visits:
        keep_latest(session, Visit(id=visit.visit_id, client_id=event.client_id, municipality_code=event.municipality,
                                   service_type=visit.service_type, staff_subject=visit.staff_id,
                                   starts_at=visit.starts_at, status=PLANNED, reminded_for=None, as_of=as_of))


def keep_cancelled(event: VisitsCancelled, *, as_of: datetime, now: datetime, session: Session) -> None:
    """Cancelled visits are reminded of no more; a coordinator's cancellation tells the client."""
    for visit_id in event.visit_ids:
        visit = session.get(Visit, visit_id)
        if visit is None or not is_news(visit, as_of) or visit.status == CANCELLED:
            continue
        visit.status, visit.as_of = CANCELLED, as_of
        messages.cancel_queued(key_prefix=_visit_reminder(visit.id), reason="visit_cancelled", session=session)
        if event.reason in COORDINATORS_CANCEL and visit.starts_at > now:
            _notice(visit, "visit_cancelled", now=now, session=session)


def keep_rescheduled(event: VisitRescheduled, *, as_of: datetime, now: datetime, session: Session) -> None:
    """A visit at another time: the client is told and reminded of the new time instead."""
    visit = session.get(Visit, event.visit_id)
    if visit is not None and not is_news(visit, as_of):
        return
    moved = visit is not None and visit.starts_at != event.starts_at
    visit = session.merge(Visit(id=event.visit_id, client_id=event.client_id, municipality_code=event.municipality,
                                service_type=event.service_type, staff_subject=event.staff_id,
                                starts_at=event.starts_at, status=PLANNED,
                                reminded_for=visit.reminded_for if visit else None, as_of=as_of))
    if moved and event.starts_at > now:
        messages.cancel_queued(key_prefix=_visit_reminder(visit.id), reason="visit_moved", session=session)
        _notice(visit, "visit_changed", now=now, session=session)


def _notice(visit: Visit, kind: str, *, now: datetime, session: Session) -> None:
    messages.queue(Draft(key=f"{kind}:{visit.id}:{visit.starts_at.isoformat()}", kind=kind,
                         recipient=recipients.client(visit.client_id), municipality=visit.municipality_code,
                         params=_visit_params(visit), due_at=now,
                         expires_at=min(visit.starts_at, now + NOTICE_LIFETIME)), now=now, session=session)


def keep_sessions_planned(event: SessionsPlanned, *, as_of: datetime, session: Session) -> None:
    for planned in event.sessions:
        keep_latest(session, GroupSession(id=planned.session_id, group_id=event.group_id,
                                          municipality_code=event.municipality, starts_at=planned.starts_at,
                                          status=PLANNED, reminded=False, as_of=as_of))


def keep_sessions_cancelled(event: SessionsCancelled, *, as_of: datetime, session: Session) -> None:
    for session_id in event.session_ids:
        kept = session.get(GroupSession, session_id)
        if kept is not None and is_news(kept, as_of):
            kept.status, kept.as_of = CANCELLED, as_of
            messages.cancel_queued(key_prefix=_session_reminder(session_id), reason="session_cancelled",
                                   session=session)


def keep_membership(event: GroupMemberJoined | GroupMemberLeft, *, as_of: datetime, session: Session) -> None:
    kept = session.get(GroupMembership, (event.group_id, event.client_id))
    joined = isinstance(event, GroupMemberJoined)
    keep_latest(session, GroupMembership(group_id=event.group_id, client_id=event.client_id,
                                         joined_on=event.on if joined else (kept.joined_on if kept else None),
                                         left_on=None if joined else event.on, as_of=as_of))


def keep_follow_up(event: FollowUpRecorded, *, as_of: datetime, session: Session) -> None:
    """A follow-up with a due day is reminded of until it is done."""
    if event.due_on is None:
        return
    kept = session.get(FollowUp, event.follow_up_id)
    keep_latest(session, FollowUp(id=event.follow_up_id, case_id=event.case_id, municipality_code=event.municipality,
                                  due_on=event.due_on, done=event.done_on is not None, assignee=event.assignee,
                                  supervising_expert=event.supervising_expert,
                                  escalated=bool(kept and kept.escalated and kept.due_on == event.due_on), as_of=as_of))
    if event.done_on is not None:
        messages.cancel_queued(key_prefix=_follow_up_reminder(event.case_id, event.follow_up_id), reason="done",
                               session=session)


def keep_case_closed(case_id: uuid.UUID, *, session: Session) -> None:
    """A resolved or closed case: its follow-ups are reminded of and escalated no more."""
    session.execute(update(FollowUp).where(FollowUp.case_id == case_id).values(done=True)
                    .execution_options(synchronize_session=False))
    messages.cancel_queued(key_prefix=_follow_up_reminder(case_id), reason="case_closed", session=session)


# -- the sweeps ----------------------------------------------------------------------------------


def queue_visit_reminders(*, now: datetime, session: Session) -> int:
    """Each planned visit starting within its municipality's lead time, not yet reminded of
    at that start: a reminder to the client, due now, stale once the visit begins."""
    count = 0
    for code, until in _lead_times(now, session=session):
        due = session.scalars(select(Visit).where(
            Visit.municipality_code == code, Visit.status == PLANNED, Visit.starts_at > now,
            Visit.starts_at <= until, Visit.service_type.not_in(unreminded_service_types()),
            or_(Visit.reminded_for.is_(None), Visit.reminded_for != Visit.starts_at)).with_for_update(skip_locked=True))
        for visit in due:
            kind = reminder_kind(visit.service_type, session=session)
            messages.queue(Draft(key=_visit_reminder(visit.id) + visit.starts_at.isoformat(), kind=kind,
                                 recipient=recipients.client(visit.client_id), municipality=code,
                                 params=_visit_params(visit), due_at=now, expires_at=visit.starts_at),
                           now=now, session=session)
            visit.reminded_for, count = visit.starts_at, count + 1
    return count


def queue_session_reminders(*, now: datetime, session: Session) -> int:
    """Each planned group session starting within its municipality's lead time: a reminder
    to each member then (joined by its day, not left before it), once."""
    count = 0
    for code, until in _lead_times(now, session=session):
        for meeting in session.scalars(select(GroupSession).where(
                GroupSession.municipality_code == code, GroupSession.status == PLANNED,
                GroupSession.reminded.is_(False), GroupSession.starts_at > now,
                GroupSession.starts_at <= until).with_for_update(skip_locked=True)):
            count += _remind_members(meeting, now=now, session=session)
            meeting.reminded = True
    return count


def _remind_members(meeting: GroupSession, *, now: datetime, session: Session) -> int:
    day = day_of(meeting.starts_at, zone_of(meeting.municipality_code, session=session))
    members = session.scalars(select(GroupMembership.client_id).where(
        GroupMembership.group_id == meeting.group_id, GroupMembership.joined_on <= day,
        or_(GroupMembership.left_on.is_(None), GroupMembership.left_on >= day)))
    count = 0
    for client_id in members:
        messages.queue(Draft(key=_session_reminder(meeting.id) + str(client_id), kind="session_reminder",
                             recipient=recipients.client(client_id), municipality=meeting.municipality_code,
                             params={"starts_at": meeting.starts_at.isoformat()}, due_at=now,
                             expires_at=meeting.starts_at), now=now, session=session)
        count += 1
    return count


def queue_day_plans(*, now: datetime, session: Session) -> int:
    """Once the municipality's day-plan hour has come: each worker with visits today hears how many."""
    count = 0
    for code, zone, today in _mornings(now, session=session):
        day_end = at(today + timedelta(days=1), time(), zone)
        workers = Counter(session.scalars(select(Visit.staff_subject).where(
            Visit.municipality_code == code, Visit.status == PLANNED, Visit.staff_subject.is_not(None),
            Visit.starts_at >= at(today, time(), zone), Visit.starts_at < day_end)))
        for subject, visits in sorted(workers.items()):
            messages.queue(Draft(key=f"day_plan:{subject}:{today.isoformat()}", kind="day_plan",
                                 recipient=recipients.staff(subject), municipality=code,
                                 params={"day": today.isoformat(), "visits": str(visits)}, due_at=now,
                                 expires_at=day_end), now=now, session=session)
            count += 1
    return count


def queue_follow_up_reminders(*, now: datetime, session: Session) -> int:
    """Open follow-ups due today (local day) with an assignee: a reminder in the day-plan hour."""
    count = 0
    for code, zone, today in _mornings(now, session=session):
        for follow_up in session.scalars(select(FollowUp).where(
                FollowUp.municipality_code == code, FollowUp.due_on == today, FollowUp.done.is_(False),
                FollowUp.assignee.is_not(None))):
            key = _follow_up_reminder(follow_up.case_id, follow_up.id) + today.isoformat()
            messages.queue(Draft(key=key, kind="followup_due",
                                 recipient=recipients.staff(follow_up.assignee or ""), municipality=code,
                                 params={"due_on": today.isoformat(), "case": str(follow_up.case_id)[:8]},
                                 due_at=now, expires_at=at(today + timedelta(days=1), time(), zone)),
                           now=now, session=session)
            count += 1
    return count


def _lead_times(now: datetime, *, session: Session) -> Iterator[tuple[str, datetime]]:
    """Each municipality with the latest start reminded of now (its lead time from now)."""
    for code in _municipalities(session):
        yield code, now + timing_of(code, session=session).reminder_lead


def _mornings(now: datetime, *, session: Session) -> Iterator[tuple[str, str, date]]:
    """Each municipality whose day-plan hour has come today (local time): its code, zone and day."""
    for code in _municipalities(session):
        zone = zone_of(code, session=session)
        today = day_of(now, zone)
        if now >= at(today, timing_of(code, session=session).day_plan_at, zone):
            yield code, zone, today


def _municipalities(session: Session) -> list[str]:
    return list(session.scalars(select(Municipality.code).order_by(Municipality.code)))


# The keys of reminders, up to what varies: what queues them and what cancels them agree.
def _visit_reminder(visit_id: uuid.UUID) -> str:
    return f"visit_reminder:{visit_id}:"


def _session_reminder(session_id: uuid.UUID) -> str:
    return f"session_reminder:{session_id}:"


def _follow_up_reminder(case_id: uuid.UUID, follow_up_id: uuid.UUID | None = None) -> str:
    return f"followup_due:{case_id}:" + (f"{follow_up_id}:" if follow_up_id else "")


def _visit_params(visit: Visit) -> dict[str, str]:
    return {"starts_at": visit.starts_at.isoformat(), "service": visit.service_type}

