"""Loads scheduling's demo data through its own service functions, so that its events reach
the other services as a user's would: the staff of the seed programmes (Rakitovo's five home
helpers and medical specialist, the health mediators and their expert, Pernik's centre team,
Lubny's volunteers, Mazovia's animators), which needs intake's catalogue first (municipalities
and staff roles, from intake's events); then, once intake's clients exist, the groups,
activities, Pernik's centre and mobile rounds. Each part is loaded whole or not at all."""
from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.activities import service as activities
from services.scheduling.activities.schemas import ActivityCreate, ActivityHeld
from services.scheduling.catalogue.lookups import duration_of, local_day, mode_of, zone_of
from services.scheduling.centres import service as centres
from services.scheduling.centres.schemas import AppointmentCreate, CentreCreate, OfficeHoursCreate, SlotFilters
from services.scheduling.delivery import service as delivery
from services.scheduling.delivery.schemas import Call, Missed, Report
from services.scheduling.groups import service as groups
from services.scheduling.groups.schemas import Attendance, GroupCreate, MemberJoin
from services.scheduling.models import CarePlan, Group, GroupSession, Staff, Visit
from services.scheduling.rounds import service as rounds
from services.scheduling.rounds.schemas import RoundCreate, Seen
from services.scheduling.staff.schemas import AvailabilityWindow, StaffCreate
from services.scheduling.staff.service import register_staff
from services.scheduling.visits import service as visits
from services.scheduling.visits.schemas import VisitCancel
from shared.auth import Principal
from shared.db import Database
from shared.localtime import moment
from shared.week import minutes

DATA = json.loads(Path(__file__).with_name("data.json").read_text(encoding="utf-8"))
_DEMO_CALLER = Principal(subject="demo", roles=frozenset({"network_admin"}), municipalities=frozenset({"*"}))


def load_demo_staff(*, database: Database, now: datetime) -> bool:
    """Loads once: does nothing if any member of staff exists. Returns whether it loaded. They
    have worked for a season (the care plans began a month ago)."""
    joined_on = now.date() - timedelta(days=90)
    with database.transaction() as session:
        if session.scalars(select(Staff.id).limit(1)).first() is not None:
            return False
        for staff_id, municipality, subject, name, roles, hours, week in DATA["staff"]:
            register_staff(StaffCreate(
                municipality=municipality, subject=subject, display_name=name, roles=roles,
                contracted_hours_per_week=hours, joined_on=joined_on,
                availability=[AvailabilityWindow(day=day, start=start, end=end) for day, start, end in
                              DATA["weeks"][week]]), staff_id=uuid.UUID(staff_id), session=session)
    return True


def load_demo_activity(*, database: Database, clients: dict[str, list[uuid.UUID]], now: datetime) -> bool:
    """The self-help groups of Malko Tarnovo, Burgas, the Mazovia clubs and Lubny with four
    weeks of sessions held (their members among ``clients``, by municipality) and the weeks
    to come; campaigns, trainings and meetings; Pernik's centre with office hours and
    appointments and its mobile unit's rounds. Once: does nothing if any group exists."""
    with database.transaction() as session:
        if session.scalars(select(Group.id).limit(1)).first() is not None:
            return False
        staff = {member.subject: member.id for member in session.scalars(select(Staff))}
        for spec in DATA["groups"]:
            _load_group(spec, staff, clients.get(spec["municipality"], []), now=now, session=session)
        for row in DATA["activities"]:
            _load_activity(*row, now=now, session=session)
        for spec in DATA["centres"]:
            _load_centre(spec, staff, clients.get(spec["municipality"], []), now=now, session=session)
        for spec in DATA["rounds"]:
            _load_rounds(spec, staff, clients.get(spec["municipality"], []), now=now, session=session)
        _load_unanswered_calls(DATA["unanswered_calls"], staff, clients.get(DATA["unanswered_calls"]["municipality"]),
                               now=now, session=session)
        _load_missed(DATA["missed"], staff, clients.get(DATA["missed"]["municipality"]), now=now, session=session)
        _load_weeks_gone_by(now=now, session=session)
    return True


def _load_weeks_gone_by(*, now: datetime, session: Session) -> None:
    """Each care plan's days from its start to yesterday as they went: its visits and calls
    planned a week ahead, and nearly all made (a few clients not at home, a few calls not
    answered), so that period reports have hours delivered to show."""
    for plan in session.scalars(select(CarePlan).where(CarePlan.status == "active").order_by(CarePlan.id)):
        zone = zone_of(plan.municipality_code, session=session)
        yesterday = local_day(plan.municipality_code, now, session=session) - timedelta(days=1)
        if plan.starts_on > yesterday:
            continue
        planned = visits.plan_between(plan, plan.starts_on, yesterday,
                                      now=moment(plan.starts_on, 0, zone) - timedelta(days=7), session=session)
        session.flush()
        for visit in session.scalars(select(Visit).where(Visit.id.in_(planned)).order_by(Visit.starts_at)):
            _went(visit, session=session)


def _went(visit: Visit, *, session: Session) -> None:
    """A visit or call of the past made, or now and then not: the same way at every load."""
    if visit.staff_id is None:  # no one was free: the coordinator called it off
        visits.cancel_visit(visit.id, VisitCancel(reason="worker_unavailable"), _DEMO_CALLER,
                            now=visit.starts_at - timedelta(days=1), session=session)
        return
    chance, worker = random.Random(visit.id.int), _volunteer(session.get(Staff, visit.staff_id).subject)
    roll, called = chance.random(), visit.starts_at + timedelta(minutes=chance.randint(0, 10))
    if mode_of(visit.service_type, session=session) == delivery.PHONE:
        outcome = "answered" if roll > 0.06 else "no_answer"
        delivery.record_call(visit.id, Call(outcome=outcome, minutes=chance.randint(8, 25) if roll > 0.06 else None),
                             worker, now=called, session=session)
    elif roll < 0.04:
        delivery.record_missed(visit.id, Missed(reason="client_absent"), worker, now=called, session=session)
    else:
        length = visit.ends_at - visit.starts_at + timedelta(minutes=chance.randint(-15, 10))
        delivery.deliver(visit, Report(), at=called, length=length, by=worker.subject, now=called + length,
                         session=session)


def _load_group(spec: dict, staff: dict[str, uuid.UUID], members: list[uuid.UUID], *, now: datetime,
                session: Session) -> None:
    """Registered four weeks ago (its sessions since then planned), then planned on to the horizon;
    the sessions past held with the members and others who came."""
    begun = now - timedelta(weeks=4)
    group = groups.register_group(GroupCreate(
        **{key: spec[key] for key in ("municipality", "name", "topic", "venue_name", "venue_location", "capacity",
                                      "start_time", "duration_minutes", "recurrence")},
        facilitator_ids=[staff[subject] for subject in spec["facilitators"]], starts_on=begun.date()),
        now=begun, session=session)
    for client_id in members:
        groups.join(group, MemberJoin(client_id=client_id, joined_on=begun.date()), now=now, session=session)
    groups.plan_sessions(group, now=now, session=session)
    held = session.scalars(select(GroupSession).where(GroupSession.group_id == group.id,
                                                      GroupSession.starts_at < now).order_by(GroupSession.starts_at))
    for index, meeting in enumerate(held):
        present = members if index % 3 else members[1:]  # now and then someone cannot come
        groups.record_attendance(group, meeting, Attendance(
            present=present, anonymous_participants=spec["others"][index % len(spec["others"])]),
            by=spec["facilitators"][0], now=now, session=session)


def _load_activity(municipality: str, kind: str, title: str, venue: str, days: int, start: str, minutes: int,
                   participants: int | None, *, now: datetime, session: Session) -> None:
    day = local_day(municipality, now, session=session) + timedelta(days=days)
    activity = activities.plan_activity(ActivityCreate(
        municipality=municipality, kind=kind, title=title, venue_name=venue,
        starts_at=_at(day, start, municipality, session), duration_minutes=minutes), now=now, session=session)
    if participants is not None:
        activities.record_held(activity, ActivityHeld(participants=participants), now=now, session=session)


def _load_centre(spec: dict, staff: dict[str, uuid.UUID], clients: list[uuid.UUID], *, now: datetime,
                 session: Session) -> None:
    """The centre, its professionals' office hours, and each client's first free slot of each service."""
    centre = centres.register_centre(CentreCreate(municipality=spec["municipality"], name=spec["name"],
                                                  location=spec["location"]), session=session)
    for subject, service_type, day, start, end in spec["hours"]:
        centres.add_hours(centre, OfficeHoursCreate(staff_id=staff[subject], service_type=service_type, day=day,
                                                    start=start, end=end), session=session)
    session.flush()
    for client_id in clients:
        for service_type in spec["appointments"]:
            slot = centres.free_slots(centre, SlotFilters(service_type=service_type, days=14), now=now,
                                      session=session)[0]
            centres.book(centre, AppointmentCreate(client_id=client_id, service_type=service_type,
                                                   staff_id=slot.staff_id, starts_at=slot.starts_at),
                         now=now, session=session)


def _load_rounds(spec: dict, staff: dict[str, uuid.UUID], clients: list[uuid.UUID], *, now: datetime,
                 session: Session) -> None:
    """The unit's stops on the working days named (the last before today and one to come); the
    clients seen at the one past."""
    today = local_day(spec["municipality"], now, session=session)
    for offset in spec["weekdays_from_today"]:
        stop = rounds.plan_round(RoundCreate(
            **{key: spec[key] for key in ("municipality", "unit", "service_type", "stop_name", "location",
                                          "duration_minutes")},
            team=[staff[subject] for subject in spec["team"]],
            starts_at=_at(_weekday(today, offset), spec["start_time"], spec["municipality"], session)),
            now=now, session=session)
        session.flush()
        for index, client_id in enumerate(clients if offset < 0 else []):
            rounds.record_seen(stop, Seen(client_id=client_id, at=stop.starts_at + timedelta(minutes=20 * index),
                                          report=Report(services_delivered=["blood_pressure", "blood_sugar"])),
                               _DEMO_CALLER, now=now, session=session)


def _load_unanswered_calls(spec: dict, staff: dict[str, uuid.UUID], clients: list[uuid.UUID] | None, *,
                           now: datetime, session: Session) -> None:
    """A volunteer's check-in calls to one person on the days named, none answered: two in a row escalate."""
    if not clients:
        return
    for visit in _past_visits(spec, staff, clients[-1], now=now, session=session):
        delivery.record_call(visit.id, Call(outcome="no_answer"), _volunteer(spec["by"]),
                             now=visit.starts_at + timedelta(minutes=5), session=session)


def _load_missed(spec: dict, staff: dict[str, uuid.UUID], clients: list[uuid.UUID] | None, *, now: datetime,
                 session: Session) -> None:
    """A home visit of the day named that the worker found no one at: missed, and escalated."""
    if not clients:
        return
    [visit] = _past_visits({**spec, "days_ago": [spec["days_ago"]]}, staff, clients[0], now=now, session=session)
    delivery.record_missed(visit.id, Missed(reason=spec["reason"]), _volunteer(spec["by"]),
                           now=visit.starts_at + timedelta(minutes=30), session=session)


def _past_visits(spec: dict, staff: dict[str, uuid.UUID], client_id: uuid.UUID, *, now: datetime,
                 session: Session) -> list[Visit]:
    """Visits of ``spec`` to the client on the days ``days_ago``, booked as planned then."""
    today = local_day(spec["municipality"], now, session=session)
    booked = []
    for days in spec["days_ago"]:
        starts_at = _at(today - timedelta(days=days), spec["start_time"], spec["municipality"], session)
        length = timedelta(minutes=duration_of(spec["service_type"], session=session))
        booked.append(visits.add_visit(Visit(
            client_id=client_id, municipality_code=spec["municipality"], service_type=spec["service_type"],
            staff_id=staff[spec["by"]], starts_at=starts_at, ends_at=starts_at + length),
            now=starts_at - timedelta(days=7), session=session))
    session.flush()
    return booked


def _volunteer(subject: str) -> Principal:
    """The worker as their token names them."""
    return Principal(subject=subject, roles=frozenset({"worker"}), municipalities=frozenset({"*"}))


def _weekday(today: date, offset: int) -> date:
    """The working day ``offset`` working days from ``today`` (-1: the last before it)."""
    day, step = today, 1 if offset > 0 else -1
    for _ in range(abs(offset)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day


def _at(day: date, clock: str, municipality: str, session: Session) -> datetime:
    return moment(day, minutes(clock), zone_of(municipality, session=session))
