"""Self-help groups, clubs and circles: where and when they meet, who runs them, who
belongs (clients by id); their sessions planned from the recurrence over the horizon, and
who came. Events carry ids, codes and counts: a group's name and venue stay here."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import local_day, require_municipality, zone_of
from services.scheduling.groups import rules
from services.scheduling.groups.schemas import Attendance, GroupCreate, GroupFilters, GroupUpdate, MemberJoin
from services.scheduling.models import Group, GroupFacilitator, GroupMember, GroupSession, SessionAttendance, Staff
from services.scheduling.visits.service import horizon_end
from shared.auth import Principal, serves_only_assigned
from shared.errors import Conflict, Invalid, NotFound
from shared.events.scheduling import (
    GroupChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupRegistered,
    PlannedSession,
    SessionHeld,
    SessionsCancelled,
    SessionsPlanned,
)
from shared.localtime import moment
from shared.messaging.outbox import record_event
from shared.paging import Page, equal_to_given, paginate, starting_within
from shared.scope import get_in_scope, scope_filter
from shared.types import coordinates
from shared.week import minutes

# What changes when a group meets: sessions not yet held are planned again.
_WHEN = ("starts_on", "ends_on", "start_time", "duration_minutes", "recurrence")


# -- groups --------------------------------------------------------------------------------------


def register_group(data: GroupCreate, *, now: datetime, session: Session) -> Group:
    require_municipality(data.municipality, session=session)
    group = Group(id=uuid.uuid4(), municipality_code=data.municipality, created_at=now,
                  **data.model_dump(include={"name", "topic", "venue_name", "capacity", *_WHEN}))
    group.venue_latitude, group.venue_longitude = coordinates(data.venue_location)
    group.facilitator_rows = _facilitators(data.facilitator_ids, data.municipality, session=session)
    _check_meets(group)
    session.add(group)
    session.flush()
    plan_sessions(group, now=now, session=session)
    _publish(group, GroupRegistered, session=session)
    return group


def update_group(group: Group, data: GroupUpdate, *, now: datetime, session: Session) -> Group:
    sent = data.model_dump(exclude_unset=True)
    for name in ("name", "venue_name", "capacity", *_WHEN):
        if name in sent:
            setattr(group, name, sent[name])
    if "venue_location" in sent:
        group.venue_latitude, group.venue_longitude = coordinates(data.venue_location)
    if "facilitator_ids" in sent:
        group.facilitator_rows = _facilitators(data.facilitator_ids, group.municipality_code, session=session)
    if "capacity" in sent and (members := member_count(group, session=session)) > group.capacity:
        raise Conflict(f"the group has {members} members, more than {group.capacity}", field="capacity")
    if set(sent) & set(_WHEN):
        _check_meets(group)
        _replan(group, now=now, session=session)
    _publish(group, GroupChanged, session=session)
    return group


def list_groups(filters: GroupFilters, principal: Principal, *, session: Session) -> Page[Group]:
    """Groups in the caller's scope by name; a worker sees those they run."""
    query = select(Group).where(scope_filter(principal, Group.municipality_code, only=filters.municipality),
                                *equal_to_given((Group.topic, filters.topic)))
    if filters.facilitator_id is not None:
        query = query.where(Group.id.in_(select(GroupFacilitator.group_id).where(
            GroupFacilitator.staff_id == filters.facilitator_id)))
    if serves_only_assigned(principal.roles):
        query = query.where(Group.id.in_(select(GroupFacilitator.group_id).join(Staff).where(
            Staff.subject == principal.subject)))
    return paginate(session, query, filters, order=(Group.name, Group.id))


def group_in_reach(group_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Group:
    """The group, or 404 outside the caller's municipalities or, for a worker, one they do not run."""
    group = get_in_scope(session, Group, group_id, principal, what="group", for_update=for_update)
    if serves_only_assigned(principal.roles) and not session.scalar(select(Staff.id).where(
            Staff.subject == principal.subject, Staff.id.in_(group.facilitator_ids))):
        raise NotFound("group", group_id)
    return group


def member_count(group: Group, *, session: Session) -> int:
    """Its members now: those who joined and have not left (a capacity counts them)."""
    return session.scalar(select(func.count()).select_from(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.left_on.is_(None))) or 0


# -- members -----------------------------------------------------------------------------------------


def join(group: Group, data: MemberJoin, *, now: datetime, session: Session) -> GroupMember:
    """A client joins, or joins again (the caller holds the group's lock): 409 if they belong
    already or the group is full; 422 for a day before the group began or after today."""
    today = local_day(group.municipality_code, now, session=session)
    on = data.joined_on or today
    if not group.starts_on <= on <= today:
        raise Invalid("joined_on", f"must be from the group's first day ({group.starts_on}) to today")
    member = session.get(GroupMember, (group.id, data.client_id))
    if member is not None and member.left_on is None:
        raise Conflict(f"client {data.client_id} is already a member of the group", field="client_id")
    if member_count(group, session=session) >= group.capacity:
        raise Conflict(f"the group is full ({group.capacity} members)", field="capacity")
    if member is None:
        member = GroupMember(group_id=group.id, client_id=data.client_id)
        session.add(member)
    member.joined_on, member.left_on = on, None
    _publish_membership(group, GroupMemberJoined, data.client_id, on, session=session)
    return member


def leave(group: Group, client_id: uuid.UUID, *, now: datetime, session: Session) -> GroupMember:
    member = session.get(GroupMember, (group.id, client_id))
    if member is None or member.left_on is not None:
        raise NotFound("member", client_id)
    member.left_on = local_day(group.municipality_code, now, session=session)
    _publish_membership(group, GroupMemberLeft, client_id, member.left_on, session=session)
    return member


def list_members(group: Group, *, session: Session) -> list[GroupMember]:
    return list(session.scalars(select(GroupMember).where(GroupMember.group_id == group.id)
                                .order_by(GroupMember.joined_on, GroupMember.client_id)))


# -- sessions ----------------------------------------------------------------------------------------


def plan_sessions(group: Group, *, now: datetime, session: Session, after: datetime | None = None) -> int:
    """The group's sessions from the day after the last planned (today) to the horizon, those
    starting after ``after`` if given; returns how many."""
    today = local_day(group.municipality_code, now, session=session)
    first = max(today, group.starts_on, group.planned_until + timedelta(days=1) if group.planned_until else today)
    last = min(horizon_end(today), group.ends_on or date.max)
    zone, start = zone_of(group.municipality_code, session=session), minutes(group.start_time)
    rows = [{"id": uuid.uuid4(), "group_id": group.id, "starts_at": moment(day, start, zone),
             "ends_at": moment(day, start + group.duration_minutes, zone), "status": rules.PLANNED, "materials": [],
             "anonymous_participants": 0}
            for day in rules.meeting_days(group.recurrence, group.starts_on, first, last)
            if after is None or moment(day, start, zone) > after]
    if rows:
        session.execute(insert(GroupSession), rows)
        record_event(session, SessionsPlanned(group_id=group.id, municipality=group.municipality_code, sessions=[
            PlannedSession(session_id=row["id"], starts_at=row["starts_at"]) for row in rows]),
            subject=str(group.id), municipality=group.municipality_code)
    group.planned_until = max(group.planned_until or last, last)
    return len(rows)


def extend_group_horizons(*, now: datetime, session: Session) -> int:
    """Every group's sessions to the horizon, a group at a time (locked); returns how many."""
    ids = session.scalars(select(Group.id).where(Group.ends_on.is_(None) | (Group.ends_on >= now.date()))
                          .order_by(Group.id)).all()
    return sum(plan_sessions(session.get(Group, group_id, with_for_update=True), now=now, session=session)
               for group_id in ids)


def list_sessions(group: Group, filters, *, session: Session) -> Page[GroupSession]:
    query = select(GroupSession).where(
        GroupSession.group_id == group.id, *equal_to_given((GroupSession.status, filters.status)),
        *starting_within(GroupSession.starts_at, filters.starts_from, filters.starts_before))
    return paginate(session, query, filters, order=(GroupSession.starts_at, GroupSession.id))


def session_of(group: Group, session_id: uuid.UUID, *, session: Session, for_update: bool = False) -> GroupSession:
    found = session.get(GroupSession, session_id, with_for_update=for_update)
    if found is None or found.group_id != group.id:
        raise NotFound("session", session_id)
    return found


def record_attendance(group: Group, meeting: GroupSession, data: Attendance, *, by: str, now: datetime,
                      session: Session) -> GroupSession:
    """Who came (members on the session's day, by client id) and how many others: the session
    is held. ``scheduling.session.held.v1`` tells it, again only when who came changed."""
    _check_present(group, meeting, data, now=now, session=session)
    told = meeting.status == rules.HELD and (present_at(meeting, session=session), meeting.anonymous_participants) \
        == (sorted(data.present), data.anonymous_participants)
    meeting.status = rules.MEETING_LIFECYCLE.next(meeting.status, "record")
    meeting.topic, meeting.materials, meeting.notes = data.topic, data.materials, data.notes
    meeting.anonymous_participants, meeting.recorded_by, meeting.recorded_at = data.anonymous_participants, by, now
    session.execute(delete(SessionAttendance).where(SessionAttendance.session_id == meeting.id))
    session.add_all(SessionAttendance(session_id=meeting.id, client_id=client_id) for client_id in data.present)
    if not told:
        record_event(session, SessionHeld(
            session_id=meeting.id, group_id=group.id, municipality=group.municipality_code, topic=group.topic,
            held_at=meeting.starts_at, present=sorted(data.present),
            anonymous_participants=data.anonymous_participants), subject=str(group.id),
            municipality=group.municipality_code)
    return meeting


def _check_present(group: Group, meeting: GroupSession, data: Attendance, *, now: datetime, session: Session) -> None:
    """409 for a session not begun; 422 naming each client present who was not a member that day."""
    if meeting.starts_at > now:
        raise Conflict("the session has not begun yet", field="starts_at")
    day = local_day(group.municipality_code, meeting.starts_at, session=session)
    members = set(session.scalars(select(GroupMember.client_id).where(GroupMember.group_id == group.id,
                                                                      *_member_on(day))))
    strangers = [(f"present.{i}", "not a member of the group on the session's day")
                 for i, client_id in enumerate(data.present) if client_id not in members]
    if strangers:
        raise Invalid.fields(strangers)


def cancel_session(group: Group, meeting: GroupSession, *, session: Session) -> GroupSession:
    meeting.status = rules.MEETING_LIFECYCLE.next(meeting.status, "cancel")
    _announce_cancelled(group, [meeting.id], "cancelled", session=session)
    return meeting


def present_at(meeting: GroupSession, *, session: Session) -> list[uuid.UUID]:
    return sorted(session.scalars(select(SessionAttendance.client_id).where(
        SessionAttendance.session_id == meeting.id)))


# -- helpers -----------------------------------------------------------------------------------------


def _replan(group: Group, *, now: datetime, session: Session) -> None:
    """Sessions not yet begun and not recorded are planned again from the new rule."""
    dropped = list(session.scalars(delete(GroupSession).where(
        GroupSession.group_id == group.id, GroupSession.status == rules.PLANNED, GroupSession.starts_at > now)
        .returning(GroupSession.id)))
    if dropped:
        _announce_cancelled(group, dropped, "group_changed", session=session)
    group.planned_until = None
    plan_sessions(group, now=now, after=now, session=session)


def _announce_cancelled(group: Group, session_ids: list[uuid.UUID], reason: str, *, session: Session) -> None:
    record_event(session, SessionsCancelled(group_id=group.id, municipality=group.municipality_code,
                                            session_ids=sorted(session_ids), reason=reason),
                 subject=str(group.id), municipality=group.municipality_code)


def _check_meets(group: Group) -> None:
    """422 for a group whose days (first and last) and recurrence never meet."""
    if group.ends_on is not None and group.ends_on < group.starts_on:
        raise Invalid("ends_on", f"must be on or after starts_on ({group.starts_on})")
    if rules.first_meeting(group.recurrence, group.starts_on, group.ends_on) is None:
        raise Invalid("recurrence", "the group would not meet in the two years from its first day (or by its last)")


def _facilitators(staff_ids: list[uuid.UUID], municipality: str, *, session: Session) -> list[GroupFacilitator]:
    known = set(session.scalars(select(Staff.id).where(Staff.id.in_(staff_ids), Staff.municipality_code == municipality,
                                                       Staff.left_on.is_(None))))
    unknown = [(f"facilitator_ids.{i}", f"no member of staff {staff_id} in {municipality}")
               for i, staff_id in enumerate(staff_ids) if staff_id not in known]
    if unknown:
        raise Invalid.fields(unknown)
    return [GroupFacilitator(staff_id=staff_id) for staff_id in staff_ids]


def _member_on(day: date) -> list:
    return [GroupMember.joined_on <= day, GroupMember.left_on.is_(None) | (GroupMember.left_on >= day)]


def _publish(group: Group, event_type: type[GroupRegistered], *, session: Session) -> None:
    record_event(session, event_type(
        group_id=group.id, municipality=group.municipality_code, topic=group.topic, capacity=group.capacity,
        facilitator_ids=group.facilitator_ids, starts_on=group.starts_on, ends_on=group.ends_on,
    ), subject=str(group.id), municipality=group.municipality_code)


def _publish_membership(group: Group, event_type: type[GroupMemberJoined], client_id: uuid.UUID, on: date, *,
                        session: Session) -> None:
    record_event(session, event_type(group_id=group.id, client_id=client_id, municipality=group.municipality_code,
                                     on=on), subject=str(client_id), municipality=group.municipality_code)
