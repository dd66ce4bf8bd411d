"""iCalendar (RFC 5545) feeds: a worker's visits with the sessions of the groups they run,
and a group's sessions, behind a secret URL that coordinators issue and rotate (calendar
apps cannot send a token). A feed names no client and no address: calendar apps keep it
on servers outside the network. The visit's link leads to the details, behind a token."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, time, timedelta

from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.groups.rules import CANCELLED as SESSION_CANCELLED
from services.scheduling.models import Group, GroupFacilitator, GroupSession, ServiceType, Staff, Visit
from services.scheduling.visits.rules import CANCELLED
from services.scheduling.visits.service import horizon_end
from shared.errors import NotFound

PAST = timedelta(days=30)  # how far back a feed goes
PRODID = "-//CareCircle//scheduling//EN"


def issue_token(owner: Staff | Group) -> str:
    """A new secret for the owner's feed: the URL given before stops working."""
    owner.calendar_token = secrets.token_urlsafe(32)
    return owner.calendar_token


def staff_feed(token: str, *, now: datetime, session: Session) -> bytes:
    staff = _owner(Staff, token, session=session)
    visits = session.scalars(select(Visit).where(Visit.staff_id == staff.id, *_window(Visit.starts_at, now))
                             .order_by(Visit.starts_at))
    names = {row.code: _name(row.names) for row in session.scalars(select(ServiceType))}
    run = select(GroupFacilitator.group_id).where(GroupFacilitator.staff_id == staff.id)
    sessions = session.execute(select(GroupSession, Group).join(Group).where(
        Group.id.in_(run), *_window(GroupSession.starts_at, now)).order_by(GroupSession.starts_at))
    return _calendar(f"CareCircle: {staff.display_name}", [
        *(_visit_event(visit, names.get(visit.service_type, visit.service_type), now) for visit in visits),
        *(_session_event(meeting, group, now) for meeting, group in sessions)])


def group_feed(token: str, *, now: datetime, session: Session) -> bytes:
    group = _owner(Group, token, session=session)
    sessions = session.scalars(select(GroupSession).where(
        GroupSession.group_id == group.id, *_window(GroupSession.starts_at, now)).order_by(GroupSession.starts_at))
    return _calendar(group.name, [_session_event(meeting, group, now) for meeting in sessions])


def _owner(model: type[Staff] | type[Group], token: str, *, session: Session):
    owner = session.scalar(select(model).where(model.calendar_token == token))
    if owner is None:
        raise NotFound("calendar", "of this address")  # never echo the secret
    return owner


def _window(column, now: datetime) -> list:
    return [column >= now - PAST, column < datetime.combine(horizon_end(now.date()) + timedelta(days=2), time(), UTC)]


def _calendar(name: str, events: list[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(name))  # escaped as SUMMARY is
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def _visit_event(visit: Visit, service: str, now: datetime) -> Event:
    return _event(f"visit-{visit.id}@carecircle", service, visit.starts_at, visit.ends_at, now,
                  cancelled=visit.status == CANCELLED, description=f"Visit {visit.id} ({visit.status})")


def _session_event(meeting: GroupSession, group: Group, now: datetime) -> Event:
    event = _event(f"session-{meeting.id}@carecircle", group.name, meeting.starts_at, meeting.ends_at, now,
                   cancelled=meeting.status == SESSION_CANCELLED, description=meeting.topic or group.topic)
    event.add("location", group.venue_name)
    return event


def _event(uid: str, summary: str, starts_at: datetime, ends_at: datetime, now: datetime, *, cancelled: bool,
           description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _name(names: dict[str, str]) -> str:
    return names.get("en") or next(iter(names.values()), "")
