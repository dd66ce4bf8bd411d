"""Mobile-unit rounds: a unit's stop at a settlement on a date books its team for it; each
client seen there is recorded as a completed visit of the round, with its report, and
``scheduling.visit.completed.v1`` tells intake (a concern opens a case) and reporting."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import duration_of, mode_of, require_municipality, roles_for, zone_of
from services.scheduling.delivery import service as delivery
from services.scheduling.groups.rules import MEETING_LIFECYCLE, PLANNED
from services.scheduling.models import MobileRound, RoundTeam, Staff, Visit
from services.scheduling.rounds.schemas import RoundCreate, RoundFilters, Seen
from services.scheduling.visits import bookings, service as visits
from services.scheduling.visits.assignment import NO_STAFF_IN_ROLE
from shared.auth import Principal
from shared.errors import Conflict, Invalid
from shared.paging import Page, paginate, starting_within
from shared.scope import get_in_scope, scope_filter
from shared.types import coordinates

MOBILE_UNIT = "mobile_unit"  # the service mode of rounds
RECORDED_LATE, AHEAD = timedelta(weeks=2), timedelta(days=366)


def plan_round(data: RoundCreate, *, now: datetime, session: Session) -> MobileRound:
    """The stop, its team booked: 422 for a member elsewhere or without a role for the service,
    409 for one away or booked then."""
    require_municipality(data.municipality, session=session)
    if mode_of(data.service_type, session=session) != MOBILE_UNIT:
        raise Invalid("service_type", f"{data.service_type} is not a service of a mobile unit")
    if not now - RECORDED_LATE <= data.starts_at <= now + AHEAD:
        raise Invalid("starts_at", "must be from two weeks ago (a round recorded late) to a year ahead")
    visits.take_planning_turn(data.municipality, session=session)
    latitude, longitude = coordinates(data.location)
    stop = MobileRound(id=uuid.uuid4(), municipality_code=data.municipality, unit=data.unit,
                       service_type=data.service_type, stop_name=data.stop_name, latitude=latitude,
                       longitude=longitude, starts_at=data.starts_at,
                       ends_at=data.starts_at + timedelta(minutes=data.duration_minutes), status=PLANNED,
                       team_rows=[RoundTeam(staff_id=staff_id) for staff_id in data.team])
    _check_team(stop, data.team, session=session)
    session.add(stop)
    return stop


def list_rounds(filters: RoundFilters, principal: Principal, *, session: Session) -> Page[MobileRound]:
    query = select(MobileRound).where(
        scope_filter(principal, MobileRound.municipality_code, only=filters.municipality),
        *starting_within(MobileRound.starts_at, filters.starts_from, filters.starts_before))
    return paginate(session, query, filters, order=(MobileRound.starts_at, MobileRound.id))


def get_round(round_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> MobileRound:
    return get_in_scope(session, MobileRound, round_id, principal, what="round", for_update=for_update)


def seen_count(stop: MobileRound, *, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Visit).where(Visit.round_id == stop.id)) or 0


def record_seen(stop: MobileRound, data: Seen, principal: Principal, *, now: datetime, session: Session) -> Visit:
    """A client seen at the round (the caller holds the round's lock): once per client; the
    round is held from the first."""
    if stop.starts_at > now:
        raise Conflict("the round has not begun yet", field="starts_at")
    if session.scalar(select(Visit.id).where(Visit.round_id == stop.id, Visit.client_id == data.client_id)):
        raise Conflict(f"client {data.client_id} is already recorded at this round", field="client_id")
    stop.status = MEETING_LIFECYCLE.next(stop.status, "record")
    staff_id = _seen_by(stop, data.staff_id, principal, session=session)
    length = timedelta(minutes=data.minutes or duration_of(stop.service_type, session=session))
    at = delivery.when(data.at, min(now, stop.ends_at))  # recorded after the round: at its end
    if not stop.starts_at <= at <= stop.ends_at:
        raise Invalid("at", f"must be within the round's time ({stop.starts_at.isoformat()} to "
                            f"{stop.ends_at.isoformat()})")
    visit = visits.add_visit(Visit(
        client_id=data.client_id, municipality_code=stop.municipality_code, service_type=stop.service_type,
        staff_id=staff_id, starts_at=at, ends_at=at + length, latitude=stop.latitude, longitude=stop.longitude,
        round_id=stop.id), now=now, session=session)
    return delivery.deliver(visit, data.report, at=at, length=length, by=principal.subject, now=now, session=session)


def cancel_round(stop: MobileRound) -> MobileRound:
    stop.status = MEETING_LIFECYCLE.next(stop.status, "cancel")
    return stop


def _check_team(stop: MobileRound, team: list[uuid.UUID], *, session: Session) -> None:
    staff = session.scalars(select(Staff).where(Staff.id.in_(team),
                                                Staff.municipality_code == stop.municipality_code)).all()
    zone = ZoneInfo(zone_of(stop.municipality_code, session=session))
    wanted = bookings.as_assignment(stop, zone, roles_for(stop.service_type, session=session),
                                    client_id=bookings.NO_CLIENT)
    members = {m.id: m for m in bookings.members(staff, wanted.day, wanted.day, zone.key, session=session)}
    for index, staff_id in enumerate(team):
        member = members.get(staff_id)  # none: not of the municipality's staff
        reason = member.reason_against(wanted) if member else NO_STAFF_IN_ROLE
        if reason == NO_STAFF_IN_ROLE:
            raise Invalid(f"team.{index}", f"no member of staff {staff_id} in {stop.municipality_code} who "
                                           f"delivers {stop.service_type}")
        if reason is not None:
            raise Conflict(f"staff member {staff_id} cannot be on the round: {reason}", field=f"team.{index}",
                           reason=reason)


def _seen_by(stop: MobileRound, chosen: uuid.UUID | None, principal: Principal, *, session: Session) -> uuid.UUID:
    """The member who saw the client: the one named, else the caller if on the team, else the team's first."""
    if chosen is not None and chosen not in stop.team:
        raise Invalid("staff_id", "not on the round's team")
    caller = session.scalar(select(Staff.id).where(Staff.subject == principal.subject))
    return chosen or (caller if caller in stop.team else stop.team[0])
