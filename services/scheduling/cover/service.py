"""Sickness cover: the planned visits of an absent member, each with who may take it
(ranked by ``rules``), given away on request through the same checks as any reassignment;
a visit no one is free for is listed unstaffed (``not_working``) for the coordinator."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import zone_of
from services.scheduling.cover import rules
from services.scheduling.cover.schemas import (
    AbsenceCover,
    CoverChoice,
    Covered,
    CoverRequest,
    RepairRequest,
    SubstituteRead,
    VisitCover,
)
from services.scheduling.models import RoutePlan, Staff, StaffAbsence, Visit
from services.scheduling.plans import service as plans
from services.scheduling.plans.schemas import PlanCreate
from services.scheduling.staff import service as staff_service
from services.scheduling.staff.schemas import AbsenceCreate, AbsenceRead
from services.scheduling.visits import bookings, service as visits
from services.scheduling.visits.assignment import NOT_WORKING, Point, distance_km, located_point
from services.scheduling.visits.rules import BOOKED, PLANNED
from services.scheduling.visits.schemas import VisitMove, VisitRead
from shared.auth import Principal
from shared.errors import Invalid, Problem, within


def record_absence(staff_id: uuid.UUID, data: AbsenceCreate, principal: Principal, *, now: datetime,
                   session: Session) -> AbsenceCover:
    """The absence recorded, with the member's visits it takes them from and who may cover each."""
    staff = staff_service.get_staff(staff_id, principal, session=session, for_update=True)
    absence = staff_service.record_absence(staff, data, recorded_by=principal.subject, session=session)
    session.flush()
    return cover_of(staff, absence, now=now, session=session)


def repair(staff_id: uuid.UUID, absence_id: uuid.UUID, request: RepairRequest, principal: Principal, *,
           now: datetime, session: Session) -> RoutePlan:
    """A plan of one day of the absence by the optimiser: the member is away, so their visits go
    to whoever fits best, and everyone else's stay with them where continuity is worth it."""
    staff, absence = find_absence(staff_id, absence_id, principal, session=session)
    if not absence.starts_on <= request.day <= absence.ends_on:
        raise Invalid("day", f"must be a day of the absence ({absence.starts_on} to {absence.ends_on})")
    return plans.ask(PlanCreate(municipality=staff.municipality_code, first_day=request.day, seconds=request.seconds),
                     principal, now=now, session=session)


def find_absence(staff_id: uuid.UUID, absence_id: uuid.UUID, principal: Principal, *,
                 session: Session) -> tuple[Staff, StaffAbsence]:
    staff = staff_service.get_staff(staff_id, principal, session=session)
    return staff, staff_service.absence_of(staff, absence_id, session=session)


def cover_of(staff: Staff, absence: StaffAbsence, *, now: datetime, session: Session) -> AbsenceCover:
    others = [member for member in bookings.staff_of(staff.municipality_code, session=session) if member.id != staff.id]
    return AbsenceCover(**AbsenceRead.model_validate(absence).model_dump(), affected_visits=[
        VisitCover(visit=VisitRead.of(visit), substitutes=_substitutes(visit, staff, others, session=session))
        for visit in affected(staff, absence, now=now, session=session)])


def give_away(staff_id: uuid.UUID, absence_id: uuid.UUID, request: CoverRequest, principal: Principal, *,
              now: datetime, session: Session) -> list[Covered]:
    """Each visit asked for (all) to the member named or else the best one free; unstaffed if none is."""
    staff, absence = find_absence(staff_id, absence_id, principal, session=session)
    visits.take_planning_turn(staff.municipality_code, session=session)
    planned = {visit.id: visit for visit in affected(staff, absence, now=now, session=session)}
    choices = request.visits if request.visits is not None else [CoverChoice(visit_id=key) for key in planned]
    wanted = [(planned.get(choice.visit_id), choice.staff_id) for choice in choices]
    for index, (visit, _) in enumerate(wanted):
        if visit is None:
            raise Invalid(f"visits.{index}.visit_id", "not a planned visit of the member during the absence")
    return [_give_or_say_which(index, visit, chosen, staff, principal, now=now, session=session)
            for index, (visit, chosen) in enumerate(wanted)]


def _give_or_say_which(index: int, visit: Visit, chosen: uuid.UUID | None, absent: Staff, principal: Principal, *,
                       now: datetime, session: Session) -> Covered:
    try:
        return _give(visit, chosen, absent, principal, now=now, session=session)
    except Problem as problem:  # the move's 422 or 409, naming the visit of the request
        raise within(f"visits.{index}", problem) from problem


def affected(staff: Staff, absence: StaffAbsence, *, now: datetime, session: Session) -> list[Visit]:
    """The member's planned visits on the absence's days (its municipality's calendar) still to come."""
    zone = ZoneInfo(zone_of(staff.municipality_code, session=session))
    first = max(now, datetime.combine(absence.starts_on, time(), zone))
    last = datetime.combine(absence.ends_on + timedelta(days=1), time(), zone)
    return list(session.scalars(select(Visit).where(
        Visit.staff_id == staff.id, Visit.status == PLANNED, Visit.starts_at >= first, Visit.starts_at < last)
        .order_by(Visit.starts_at)))


def _give(visit: Visit, chosen: uuid.UUID | None, absent: Staff, principal: Principal, *, now: datetime,
          session: Session) -> Covered:
    others = [m for m in bookings.staff_of(absent.municipality_code, session=session) if m.id != absent.id]
    staff_id = chosen or next((s.staff_id for s in _substitutes(visit, absent, others, session=session) if s.free),
                              None)
    if staff_id is None:
        visits.unstaff(visit, NOT_WORKING, now=now, session=session)
    else:
        visits.move_visit(visit.id, VisitMove(staff_id=staff_id), principal, now=now, session=session)
    return Covered(visit_id=visit.id, staff_id=staff_id)


def _substitutes(visit: Visit, absent: Staff, others: list[Staff], *, session: Session) -> list[SubstituteRead]:
    """Who may take the visit instead of ``absent``, best first."""
    wanted, members = bookings.seen_by_assignment(visit, others, session=session)
    known = _visits_with(visit.client_id, session=session)
    staff = {member.id: member for member in others}
    place = located_point(visit.latitude, visit.longitude)
    candidates = [rules.Substitute(
        staff_id=member.id, reason=member.reason_against(wanted), visits_with_client=known.get(member.id, 0),
        skills_in_common=len(set(absent.skills) & set(staff[member.id].skills)),
        distance_km=_distance(place, staff[member.id])) for member in members]
    return [_shown(substitute, staff[substitute.staff_id]) for substitute in rules.ranked(candidates)[:rules.SHOWN]]


def _shown(substitute: rules.Substitute, staff: Staff) -> SubstituteRead:
    return SubstituteRead(**asdict(substitute), display_name=staff.display_name, free=substitute.reason is None)


def _visits_with(client_id: uuid.UUID, *, session: Session) -> dict[uuid.UUID, int]:
    """Visits each member made or has planned to the client."""
    query = select(Visit.staff_id, func.count().label("visits")).where(
        Visit.client_id == client_id, Visit.status.in_(BOOKED), Visit.staff_id.is_not(None)).group_by(Visit.staff_id)
    return {row.staff_id: row.visits for row in session.execute(query)}


def _distance(place: Point | None, staff: Staff) -> float | None:
    """From the member's base to the place, in km (one decimal); None where either is unknown."""
    base = located_point(staff.base_latitude, staff.base_longitude)
    return None if place is None or base is None else round(distance_km(place, base), 1)
