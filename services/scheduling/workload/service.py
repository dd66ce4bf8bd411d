"""Workload: each member's weeks, planned hours against their contract and hours delivered,
with how busy and how much on the road (``rules``), for coordinators watching for overload
and burnout. Visits and the sessions of the groups they run count alike."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import zone_of
from services.scheduling.groups.rules import HELD
from services.scheduling.models import Staff, Visit
from services.scheduling.visits import bookings
from services.scheduling.visits.assignment import located_point
from services.scheduling.visits.rules import CANCELLED, delivered_minutes, week_of
from services.scheduling.workload import rules
from services.scheduling.workload.schemas import StaffLoad, WeekLoad, WorkloadFilters
from shared.auth import Principal, serves_only_assigned
from shared.paging import Page, equal_to_given, paginate
from shared.scope import scope_filter

Weekly = dict[tuple[uuid.UUID, date], list[rules.Work]]  # (member, Monday) -> their work that week


def workload(filters: WorkloadFilters, principal: Principal, *, now: datetime, session: Session) -> Page[StaffLoad]:
    """A page of members (by name; a worker: themself) with ``filters.weeks`` weeks each."""
    query = select(Staff).where(scope_filter(principal, Staff.municipality_code, only=filters.municipality),
                                *equal_to_given((Staff.id, filters.staff_id)))
    if serves_only_assigned(principal.roles):
        query = query.where(Staff.subject == principal.subject)
    page = paginate(session, query, filters, order=(Staff.display_name, Staff.id))
    monday = week_of(filters.week or now.date())
    mondays = [monday + timedelta(weeks=i) for i in range(filters.weeks)]
    work = _work(page.items, mondays[0], mondays[-1] + timedelta(days=7), session=session)
    return page.map(lambda staff: _staff_load(staff, mondays, work))


def _staff_load(staff: Staff, mondays: list[date], work: Weekly) -> StaffLoad:
    return StaffLoad(staff_id=staff.id, display_name=staff.display_name,
                     contracted_hours=staff.contracted_hours_per_week,
                     weeks=[_week(staff, monday, work.get((staff.id, monday), [])) for monday in mondays])


def _week(staff: Staff, monday: date, work: list[rules.Work]) -> WeekLoad:
    load = rules.load_of(work, base=located_point(staff.base_latitude, staff.base_longitude),
                         contracted_minutes=round(staff.contracted_hours_per_week * 60))
    return WeekLoad(week=monday, planned_hours=_hours(load.planned_minutes), delivered_hours=_hours(
        load.delivered_minutes), visits=len(work) - load.sessions, sessions=load.sessions,
        travel_hours=_hours(load.travel_minutes), travel_share=load.travel_share, busiest_day=load.busiest_day,
        days_worked=load.days_worked, warnings=list(load.warnings))


def _work(staff: list[Staff], first: date, end: date, *, session: Session) -> Weekly:
    """The members' visits and sessions from ``first`` (a Monday) to before ``end``, by member and week."""
    zones = {member.id: ZoneInfo(zone_of(member.municipality_code, session=session)) for member in staff}
    window = (datetime.combine(first, time(), UTC) - timedelta(days=1),
              datetime.combine(end, time(), UTC) + timedelta(days=1))
    weekly: Weekly = defaultdict(list)
    for visit in session.scalars(select(Visit).where(Visit.staff_id.in_(zones), Visit.status != CANCELLED,
                                                     Visit.starts_at >= window[0], Visit.starts_at < window[1])):
        day = visit.starts_at.astimezone(zones[visit.staff_id]).date()
        _file(weekly, visit.staff_id, rules.Work(
            day, visit.starts_at, visit.ends_at, located_point(visit.latitude, visit.longitude),
            delivered_minutes(visit.checked_in_at, visit.checked_out_at)), first, end)
    for meeting in session.execute(bookings.group_sessions(zones, window)):
        held = delivered_minutes(meeting.starts_at, meeting.ends_at) if meeting.status == HELD else None
        _file(weekly, meeting.staff_id, rules.Work(
            meeting.starts_at.astimezone(zones[meeting.staff_id]).date(), meeting.starts_at, meeting.ends_at,
            located_point(meeting.latitude, meeting.longitude), held, session=True), first, end)
    return weekly


def _file(weekly: Weekly, staff_id: uuid.UUID, work: rules.Work, first: date, end: date) -> None:
    if first <= work.day < end:
        weekly[(staff_id, week_of(work.day))].append(work)


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)
