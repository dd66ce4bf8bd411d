"""Who is booked when, read from the database as assignment sees it: a municipality's staff
as members with their absences and everything that takes their time (visits, the sessions
of the groups they run, the mobile rounds they are on). Planning, moves, cover, centre
slots and rounds all ask through here, so that they agree on who is free."""
from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.scheduling.catalogue.lookups import roles_for, zone_of
from services.scheduling.groups.rules import CANCELLED  # of a session or round: it takes no one's time
from services.scheduling.models import (
    Group,
    GroupFacilitator,
    GroupSession,
    MobileRound,
    RoundTeam,
    Staff,
    StaffAbsence,
    Visit,
)
from services.scheduling.visits import assignment, rules

NO_CLIENT = uuid.UUID(int=0)  # a booking that is no client's: a group session, a round


def members(staff: Sequence[Staff], first: date, last: date, zone: str, *, session: Session,
            besides: Collection[uuid.UUID] = ()) -> list[assignment.Member]:
    """The members with what is booked for them from ``first`` to ``last`` (but the visits ``besides``)."""
    found = {member.id: _member(member, order) for order, member in enumerate(staff)}
    for absence in session.scalars(select(StaffAbsence).where(
            StaffAbsence.staff_id.in_(found), StaffAbsence.starts_on <= last, StaffAbsence.ends_on >= first)):
        found[absence.staff_id].away.append((absence.starts_on, absence.ends_on))
    window = (datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=1),
              datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=2))
    local = ZoneInfo(zone)
    for row in session.execute(_visits(found, window, besides)):
        found[row.staff_id].book(as_assignment(row, local))
    for query in (group_sessions(found, window), _rounds(found, window)):
        for row in session.execute(query):
            found[row.staff_id].book(as_assignment(row, local, client_id=NO_CLIENT))
    return list(found.values())


def staff_of(municipality: str, *, session: Session) -> Sequence[Staff]:
    return session.scalars(select(Staff).where(Staff.municipality_code == municipality)
                           .options(selectinload(Staff.role_rows), selectinload(Staff.availability_rows))).all()


def seen_by_assignment(visit: Visit, staff: Sequence[Staff], *, session: Session, starts_at: datetime | None = None,
                       ) -> tuple[assignment.Visit, list[assignment.Member]]:
    """The visit (moved to ``starts_at``) as assignment reads it, and ``staff`` with what is
    booked for them around its day, the visit itself left out."""
    zone = zone_of(visit.municipality_code, session=session)
    starts_at = starts_at or visit.starts_at
    moved = Visit(client_id=visit.client_id, starts_at=starts_at, ends_at=starts_at + (visit.ends_at - visit.starts_at),
                  latitude=visit.latitude, longitude=visit.longitude)
    wanted = as_assignment(moved, ZoneInfo(zone), roles_for(visit.service_type, session=session))
    return wanted, members(staff, wanted.day, wanted.day, zone, session=session, besides=[visit.id])


def as_assignment(row, zone: ZoneInfo, roles: frozenset[str] = frozenset(), *,
                  client_id: uuid.UUID | None = None) -> assignment.Visit:
    """A visit or booking (a row with its times and place) as assignment reads it."""
    local = row.starts_at.astimezone(zone)
    start = local.hour * 60 + local.minute
    length = rules.whole_minutes(row.ends_at - row.starts_at)
    return assignment.Visit(client_id=client_id or row.client_id, roles=roles, starts_at=row.starts_at,
                            ends_at=row.ends_at, day=local.date(), start=start, end=start + length,
                            place=assignment.located_point(row.latitude, row.longitude))


def _member(staff: Staff, order: int) -> assignment.Member:
    return assignment.Member(
        id=staff.id, order=order, roles=frozenset(staff.roles),
        contracted_minutes=round(staff.contracted_hours_per_week * 60),
        week=assignment.weekly((row.weekday, rules.minutes(row.start), rules.minutes(row.end))
                               for row in staff.availability_rows), left_on=staff.left_on)


def _visits(found: dict, window: tuple[datetime, datetime], besides: Collection[uuid.UUID]):
    query = select(Visit.staff_id, Visit.client_id, Visit.starts_at, Visit.ends_at, Visit.latitude,
                   Visit.longitude).where(Visit.staff_id.in_(found), Visit.status.in_(rules.BOOKED),
                                          Visit.starts_at >= window[0], Visit.starts_at < window[1],
                                          Visit.round_id.is_(None))  # a round books its team whole
    return (query.where(Visit.id.not_in(besides)) if besides else query).order_by(Visit.starts_at)


def group_sessions(staff_ids: Iterable[uuid.UUID], window: tuple[datetime, datetime]) -> Select:
    """The sessions (not cancelled) of the groups the members run, starting in ``window``, a row a
    facilitator: staff_id, starts_at, ends_at, status, and the venue's latitude and longitude."""
    return (select(GroupFacilitator.staff_id, GroupSession.starts_at, GroupSession.ends_at, GroupSession.status,
                   Group.venue_latitude.label("latitude"), Group.venue_longitude.label("longitude"))
            .select_from(GroupSession).join(Group, Group.id == GroupSession.group_id)
            .join(GroupFacilitator, GroupFacilitator.group_id == Group.id)
            .where(GroupFacilitator.staff_id.in_(staff_ids), GroupSession.status != CANCELLED,
                   GroupSession.starts_at >= window[0], GroupSession.starts_at < window[1]))


def _rounds(found: dict, window: tuple[datetime, datetime]):
    return (select(RoundTeam.staff_id, MobileRound.starts_at, MobileRound.ends_at, MobileRound.latitude,
                   MobileRound.longitude).join(MobileRound, MobileRound.id == RoundTeam.round_id)
            .where(RoundTeam.staff_id.in_(found), MobileRound.status != CANCELLED,
                   MobileRound.starts_at >= window[0], MobileRound.starts_at < window[1]))
