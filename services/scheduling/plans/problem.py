"""A municipality's days as the optimiser's problem, read from the database: each member's
working day (their usual hours that weekday, not away, not left) is a worker from and back to
their base; each planned home visit is a job within its care plan line's window that day (a
visit outside its windows, moved by hand, keeps its time), preferring the worker it has now
(continuity of care); what else takes a member's time (group sessions, rounds, visits begun
or elsewhere) is pinned to them. Times are seconds from the first day's local midnight."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import zone_of
from services.scheduling.models import CarePlan, RoutePlan, ServiceType, TravelSettings, Visit
from services.scheduling.optimiser.model import Job, Problem, Route, Stop, Worker
from services.scheduling.optimiser.travel import GreatCircle, Osrm, Point, Travel
from services.scheduling.visits import bookings
from services.scheduling.visits.assignment import Member, located_point
from services.scheduling.visits.rules import PLANNED, LineRule, windows_of
from shared.events.intake import CarePlanLine
from shared.events.scheduling import has_left
from shared.localtime import moment

HOME_VISIT = "home_visit"  # the service types' mode whose visits go on rounds of homes
PINNED = 1000  # a pinned booking's priority: it is there whatever the plan


@dataclass
class Planning:
    problem: Problem
    epoch: datetime  # time 0: the first day's local midnight
    visits: dict[str, Visit]  # those planned again, by job id
    current: list[Route]  # the days as they are planned now

    def at(self, seconds: int) -> datetime:
        return self.epoch + timedelta(seconds=seconds)


def planning(plan: RoutePlan, *, now: datetime, session: Session) -> Planning:
    """The plan's days as the optimiser's problem; visits begun or due before ``now`` stay as
    they are (pinned to their worker)."""
    zone = zone_of(plan.municipality_code, session=session)
    days = [plan.first_day + timedelta(days=n) for n in range((plan.last_day - plan.first_day).days + 1)]
    visits = _visits(plan, zone, now, session=session)
    staff = bookings.staff_of(plan.municipality_code, session=session)
    members = bookings.members(staff, days[0], days[-1], zone, session=session, besides=[v.id for v in visits])
    builder = _Builder(moment(plan.first_day, 0, zone), zone,
                       {member.id: located_point(member.base_latitude, member.base_longitude) for member in staff})
    for day in days:
        for member in members:
            builder.add_day(member, day)
    roles = {row.code: frozenset(row.staff_roles) for row in session.scalars(select(ServiceType))}
    lines = _lines(visits, session=session)
    for visit in visits:
        builder.add_visit(visit, lines.get(visit.line_id), roles.get(visit.service_type, frozenset()))
    seconds, metres = travel_in(plan.municipality_code, session=session).matrices(builder.points)
    return Planning(Problem(builder.workers, builder.jobs, duration=seconds, distance=metres,
                            commute_outside_shift=True), builder.epoch,
                    {str(visit.id): visit for visit in visits}, builder.current())


def travel_in(municipality: str, *, session: Session) -> Travel:
    settings = session.get(TravelSettings, municipality)
    if settings is None:
        return GreatCircle()
    return Osrm(settings.osrm_url) if settings.osrm_url else GreatCircle(settings.road_factor, settings.speed_kmh)


def worker_id(staff_id: uuid.UUID, day: date) -> str:
    return f"{staff_id}/{day.isoformat()}"


def of_worker(worker: str) -> tuple[uuid.UUID, date]:
    staff_id, day = worker.split("/")
    return uuid.UUID(staff_id), date.fromisoformat(day)


class _Builder:
    def __init__(self, epoch: datetime, zone: str, bases: dict[uuid.UUID, Point | None]) -> None:
        self.epoch, self.zone, self.bases = epoch, ZoneInfo(zone), bases
        self.points: list[Point | None] = []
        self.index: dict[Point, int] = {}
        self.workers: list[Worker] = []
        self.jobs: list[Job] = []
        self.routes: dict[str, list[Stop]] = {}  # as planned now

    def seconds(self, instant: datetime) -> int:
        return round((instant - self.epoch).total_seconds())

    def place(self, point: Point | None) -> int:
        if point is None:  # an unknown place is a place of its own
            self.points.append(None)
            return len(self.points) - 1
        if point not in self.index:
            self.index[point] = len(self.points)
            self.points.append(point)
        return self.index[point]

    def add_day(self, member: Member, day: date) -> None:
        windows = member.week.get(day.weekday(), [])
        if not windows or has_left(member.left_on, on=day) or any(a <= day <= b for a, b in member.away):
            return
        name, zone = worker_id(member.id, day), str(self.zone)
        shift = (self.seconds(moment(day, min(w[0] for w in windows), zone)),
                 self.seconds(moment(day, max(w[1] for w in windows), zone)))
        base = self.place(self.bases.get(member.id))
        self.workers.append(Worker(name, member.roles | {name}, shift, base, base,
                                   normal_day=member.contracted_minutes * 60 // 5, longest_day=shift[1] - shift[0]))
        self.routes[name] = []
        for number, booking in enumerate(b for b in member.bookings if self._day(b.starts_at) == day):
            start = self.seconds(booking.starts_at)
            self._add(Job(f"{name}#{number}", self.place(booking.place), self.seconds(booking.ends_at) - start,
                          (start, start), frozenset({name}), priority=PINNED), name, start)

    def add_visit(self, visit: Visit, line: LineRule | None, roles: frozenset[str]) -> None:
        day, start = self._day(visit.starts_at), self.seconds(visit.starts_at)
        length = round((visit.ends_at - visit.starts_at).total_seconds())
        worker = worker_id(visit.staff_id, day) if visit.staff_id else None
        self._add(Job(str(visit.id), self.place(located_point(visit.latitude, visit.longitude)), length,
                      self._window(visit, day, length, line) or (start, start), roles,
                      preferred=worker if worker in self.routes else None), worker, start)

    def _window(self, visit: Visit, day: date, length: int, line: LineRule | None) -> tuple[int, int] | None:
        """The line's window the visit is in now, as the starts it allows."""
        local = visit.starts_at.astimezone(self.zone)
        minute, zone = local.hour * 60 + local.minute, str(self.zone)
        return next(((self.seconds(moment(day, first, zone)), self.seconds(moment(day, last, zone)) - length)
                     for first, last in (windows_of(line) if line else [])
                     if first <= minute and minute * 60 + length <= last * 60), None)

    def _add(self, job: Job, worker: str | None, start: int) -> None:
        self.jobs.append(job)
        if worker in self.routes:
            self.routes[worker].append(Stop(job.id, start))

    def _day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def current(self) -> list[Route]:
        return [Route(worker, sorted(stops, key=lambda stop: stop.start), 0, 0)
                for worker, stops in self.routes.items()]


def _visits(plan: RoutePlan, zone: str, now: datetime, *, session: Session) -> list[Visit]:
    home = select(ServiceType.code).where(ServiceType.mode == HOME_VISIT)
    return list(session.scalars(select(Visit).where(
        Visit.municipality_code == plan.municipality_code, Visit.status == PLANNED,
        Visit.starts_at >= max(moment(plan.first_day, 0, zone), now),
        Visit.starts_at < moment(plan.last_day + timedelta(days=1), 0, zone),
        Visit.centre_id.is_(None), Visit.round_id.is_(None), Visit.service_type.in_(home)).order_by(Visit.starts_at)))


def _lines(visits: Iterable[Visit], *, session: Session) -> dict[uuid.UUID, LineRule]:
    plans = {visit.care_plan_id for visit in visits} - {None}
    return {line.line_id: LineRule.of(line) for plan in session.scalars(select(CarePlan).where(CarePlan.id.in_(plans)))
            for line in map(CarePlanLine.model_validate, plan.lines)}
