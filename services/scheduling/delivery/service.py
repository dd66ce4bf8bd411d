"""Delivering visits: the worker checks in and out with a report, records a phone check-in
or a visit that could not happen; a sweep marks the visits no one checked in as missed; a
member's day lists their visits in order. Publishes ``scheduling.visit.completed|missed.v1``
and ``scheduling.checkin.unanswered.v1``: ids and codes, never the report's observations."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import mode_of, zone_of
from services.scheduling.delivery import rules
from services.scheduling.delivery.schemas import (
    Call,
    CheckIn,
    CheckOut,
    Concern,
    Day,
    DayVisit,
    Missed,
    Report,
    ReportRead,
)
from services.scheduling.models import ServiceType, Staff, Visit, VisitReport
from services.scheduling.visits.assignment import Point, located_point, travel
from services.scheduling.visits.rules import CANCELLED, CHECKED_IN, PLANNED, whole_minutes
from services.scheduling.visits.schemas import VisitRead
from services.scheduling.visits.transitions import move, subject_of, visit_in_reach
from shared.auth import Principal, serves_only_assigned
from shared.errors import Conflict, Invalid, NotFound
from shared.events.scheduling import CheckInUnanswered, VisitCompleted, VisitMissed
from shared.messaging.outbox import record_event
from shared.scope import get_in_scope
from shared.types import coordinates

CLIENT_URL = "/intake/v1/clients/{}"  # who the client is: names and addresses stay in intake
PHONE = "phone"  # the service mode of check-in calls
# The concern of a call that found someone needing help, where the caller named none.
NEEDS_HELP = Concern(category="other", priority="high")


def check_in(visit_id: uuid.UUID, data: CheckIn, principal: Principal, *, now: datetime, far_metres: int,
             session: Session) -> Visit:
    """The worker is at the visit: when, and whether their device was far from its place."""
    visit = _staffed(visit_in_reach(visit_id, principal, session=session, for_update=True))
    at = _at_visit(visit, data.at, now)
    move(visit, "check_in", at=at)
    visit.checked_in_at = at
    visit.checkin_latitude, visit.checkin_longitude = coordinates(data.location)
    visit.checkin_far = rules.is_far(_place(visit), _device(visit), metres=far_metres)
    return visit


def check_out(visit_id: uuid.UUID, data: CheckOut, principal: Principal, *, now: datetime,
              session: Session) -> Visit:
    """The visit is over: its report kept, ``scheduling.visit.completed.v1`` published."""
    visit = visit_in_reach(visit_id, principal, session=session, for_update=True)
    at = when(data.at, now)
    if visit.status == CHECKED_IN and not visit.checked_in_at <= at <= visit.checked_in_at + rules.LONGEST:
        raise Invalid("at", f"must be from the check-in at {visit.checked_in_at.isoformat()} to "
                            f"{rules.LONGEST.total_seconds() / 3600:.0f} hours later")
    move(visit, "check_out", at=at)
    visit.checked_out_at = at
    _complete(visit, data.report, by=principal.subject, now=now, session=session)
    return visit


def record_call(visit_id: uuid.UUID, data: Call, principal: Principal, *, now: datetime, session: Session) -> Visit:
    """A phone check-in made: answered (or the person needs help, a concern) completes it; no
    answer misses it and publishes ``scheduling.checkin.unanswered.v1`` for escalation."""
    visit = _staffed(visit_in_reach(visit_id, principal, session=session, for_update=True))
    if mode_of(visit.service_type, session=session) != PHONE:
        raise Conflict(f"visit {visit.id} is not a phone check-in: check in and out instead", field="outcome")
    at = _at_visit(visit, data.at, now)
    if data.outcome == "no_answer":
        move(visit, "miss", at=at, reason=rules.NO_ANSWER)
        _publish(visit, CheckInUnanswered(**_ids(visit, session), called_at=at), session=session)
        return visit
    move(visit, "record_call", at=at)
    visit.checked_in_at = at
    visit.checked_out_at = at + (timedelta(minutes=data.minutes) if data.minutes else visit.ends_at - visit.starts_at)
    report = data.report
    if data.outcome == "needs_help" and report.concern is None:
        report = report.model_copy(update={"concern": NEEDS_HELP})
    _complete(visit, report, by=principal.subject, now=now, call_outcome=data.outcome, session=session)
    return visit


def deliver(visit: Visit, report: Report, *, at: datetime, length: timedelta, by: str, now: datetime,
            session: Session) -> Visit:
    """A visit recorded once over (a client seen at a round): checked in at ``at``, out ``length`` later."""
    move(visit, "check_in", at=at)
    move(visit, "check_out", at=at + length)
    visit.checked_in_at, visit.checked_out_at = at, at + length
    _complete(visit, report, by=by, now=now, session=session)
    return visit


def record_missed(visit_id: uuid.UUID, data: Missed, principal: Principal, *, now: datetime,
                  session: Session) -> Visit:
    """The visit could not happen (no one at home, refused, the worker could not come)."""
    visit = visit_in_reach(visit_id, principal, session=session, for_update=True)
    move(visit, "miss", at=_at_visit(visit, None, now), reason=data.reason)
    _publish_missed(visit, session=session)
    return visit


def sweep_missed(*, now: datetime, after_minutes: int, session: Session, batch: int = 500) -> int:
    """Visits still planned ``after_minutes`` after their start are missed (``not_checked_in``,
    or ``unstaffed`` where no one had them); returns how many. Rows another sweep or a check-in
    holds are skipped (they are theirs), so copies of the sweep never publish one twice."""
    query = (select(Visit).where(Visit.status == PLANNED,
                                 Visit.starts_at < rules.missed_before(now, after_minutes=after_minutes))
             .order_by(Visit.starts_at).limit(batch).with_for_update(skip_locked=True))
    missed = 0
    while visits := session.scalars(query).all():
        for visit in visits:
            move(visit, "miss", at=now, reason=rules.NOT_CHECKED_IN if visit.staff_id else rules.UNSTAFFED)
            _publish_missed(visit, session=session)
        session.flush()
        missed += len(visits)
    return missed


def get_report(visit_id: uuid.UUID, principal: Principal, *, session: Session) -> VisitReport:
    visit = visit_in_reach(visit_id, principal, session=session)
    report = session.get(VisitReport, visit.id)
    if report is None:
        raise NotFound("report of visit", visit_id)
    return report


# -- a member's day --------------------------------------------------------------------------------


def member_of(principal: Principal, *, session: Session) -> Staff:
    """The caller as a member of staff (404 for one who is not)."""
    staff = session.scalar(select(Staff).where(Staff.subject == principal.subject))
    if staff is None:
        raise NotFound("staff member", principal.subject)
    return staff


def member_in_reach(staff_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Staff:
    """A member in the caller's municipalities; a worker reaches only themself."""
    staff = get_in_scope(session, Staff, staff_id, principal, what="staff member", for_update=for_update)
    if serves_only_assigned(principal.roles) and staff.subject != principal.subject:
        raise NotFound("staff member", staff_id)
    return staff


def day(staff: Staff, on: date | None, *, now: datetime, session: Session) -> Day:
    """The member's visits of ``on`` (today) in their municipality's calendar, by start (not the
    cancelled ones), each with the travel to it and the client's latest report before it."""
    zone = ZoneInfo(zone_of(staff.municipality_code, session=session))
    on = on or now.astimezone(zone).date()
    start = datetime.combine(on, datetime.min.time(), zone)
    visits = list(session.scalars(select(Visit).where(
        Visit.staff_id == staff.id, Visit.status != CANCELLED, Visit.starts_at >= start,
        Visit.starts_at < start + timedelta(days=1)).order_by(Visit.starts_at)))
    names = _service_type_names(visits, session=session)
    origins = [located_point(staff.base_latitude, staff.base_longitude), *map(_place, visits)]
    shown = [_day_visit(visit, origin, names, session=session) for visit, origin in zip(visits, origins, strict=False)]
    return Day(staff_id=staff.id, day=on, visits=shown, travel_minutes=sum(item.travel_minutes for item in shown),
               visit_minutes=sum(whole_minutes(visit.ends_at - visit.starts_at) for visit in visits))


def _day_visit(visit: Visit, origin: Point | None, names: dict[str, dict[str, str]], *, session: Session) -> DayVisit:
    return DayVisit(visit=VisitRead.of(visit), service_type_names=names.get(visit.service_type, {}),
                    travel_minutes=whole_minutes(travel(origin, _place(visit))),
                    client_url=CLIENT_URL.format(visit.client_id), last_report=_last_report(visit, session=session))


def _last_report(visit: Visit, *, session: Session) -> ReportRead | None:
    """The latest report on the visit's client before it."""
    report = session.scalar(select(VisitReport).join(Visit, VisitReport.visit_id == Visit.id).where(
        Visit.client_id == visit.client_id, Visit.starts_at < visit.starts_at)
        .order_by(Visit.starts_at.desc()).limit(1))
    return ReportRead.model_validate(report) if report else None


def _service_type_names(visits: list[Visit], *, session: Session) -> dict[str, dict[str, str]]:
    codes = {visit.service_type for visit in visits}
    return {row.code: row.names for row in session.scalars(select(ServiceType).where(ServiceType.code.in_(codes)))}


# -- helpers -------------------------------------------------------------------------------------------

def _complete(visit: Visit, report: Report, *, by: str, now: datetime, session: Session,
              call_outcome: str | None = None) -> None:
    concern = report.concern
    session.add(VisitReport(visit_id=visit.id, services_delivered=report.services_delivered,
                            observations=report.observations, call_outcome=call_outcome,
                            concern_category=concern.category if concern else None,
                            concern_priority=concern.priority if concern else None, reported_by=by, reported_at=now))
    _publish(visit, VisitCompleted(
        **_ids(visit, session), service_type=visit.service_type, started_at=visit.checked_in_at,
        ended_at=visit.checked_out_at, services_delivered=report.services_delivered,
        concern_raised=concern is not None, concern_category=concern.category if concern else None,
        concern_priority=concern.priority if concern else "normal"), session=session)


def _publish_missed(visit: Visit, *, session: Session) -> None:
    _publish(visit, VisitMissed(**_ids(visit, session), service_type=visit.service_type, starts_at=visit.starts_at,
                                reason=visit.status_reason), session=session)


def _ids(visit: Visit, session: Session) -> dict:
    return {"visit_id": visit.id, "client_id": visit.client_id, "municipality": visit.municipality_code,
            "careplan_id": visit.care_plan_id, "staff_id": subject_of(visit.staff_id, session=session)}


def _publish(visit: Visit, event, *, session: Session) -> None:
    record_event(session, event, subject=str(visit.client_id), municipality=visit.municipality_code)


def _at_visit(visit: Visit, at: datetime | None, now: datetime) -> datetime:
    """When something happened at the visit (``at``, else now), within its time: 422 on ``at``
    for a moment far from it, 409 on ``starts_at`` when it is now not due yet or long over."""
    moment = when(at, now)
    if rules.too_early(moment, visit.starts_at) or rules.too_late(moment, visit.ends_at):
        span = f"from {rules.EARLY.total_seconds() / 3600:.0f} hours before it to as long after"
        if at is not None:
            raise Invalid("at", f"must be near the visit ({visit.starts_at.isoformat()}): {span}")
        raise Conflict(f"the visit at {visit.starts_at.isoformat()} can be recorded {span} only", field="starts_at")
    return moment


def _staffed(visit: Visit) -> Visit:
    if visit.staff_id is None:
        raise Conflict(f"visit {visit.id} has no worker: give it to one first", field="staff_id")
    return visit


def when(at: datetime | None, now: datetime) -> datetime:
    moment = rules.moment_of(at, now=now)
    if moment is None:
        raise Invalid("at", "must not be in the future")
    return moment


def _place(visit: Visit) -> Point | None:
    return located_point(visit.latitude, visit.longitude)


def _device(visit: Visit) -> Point | None:
    return located_point(visit.checkin_latitude, visit.checkin_longitude)
