"""Who does a visit, with no database: a member of staff in a role that delivers the
service, working that day, available in their usual week, not booked then (travel between
consecutive visits counted), and under their contracted hours that week; the plan's
preferred worker first, then the client's usual one (continuity), then the least loaded.
A visit no one can do keeps the reason of the candidate that came closest."""
from __future__ import annotations

import bisect
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import chain

from services.scheduling.optimiser.travel import Point, distance_km
from services.scheduling.visits.rules import week_of, whole_minutes
from shared.events.scheduling import has_left

# Why a visit has no worker, from the furthest from staffed to the nearest.
NO_STAFF_IN_ROLE = "no_staff_in_role"
NOT_WORKING = "not_working"  # left, or absent that day
NOT_AVAILABLE = "not_available"  # outside their usual week
DOUBLE_BOOKED = "double_booked"
OVER_CONTRACTED_HOURS = "over_contracted_hours"
REASONS = (NO_STAFF_IN_ROLE, NOT_WORKING, NOT_AVAILABLE, DOUBLE_BOOKED, OVER_CONTRACTED_HOURS)

SPEED_KM_PER_HOUR = 30  # by car between villages, parking included
TRAVEL_SETTLING = timedelta(minutes=5)
TRAVEL_UNKNOWN = timedelta(minutes=15)  # where a place has no coordinates


@dataclass(frozen=True)
class Visit:
    """What assignment reads of a visit: when (UTC and the local day and minutes), where, whom."""

    client_id: uuid.UUID
    roles: frozenset[str]  # who may deliver the service
    starts_at: datetime
    ends_at: datetime
    day: date  # local
    start: int  # local minutes after midnight
    end: int
    place: Point | None = None
    preferred: uuid.UUID | None = None


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    ends_at: datetime
    place: Point | None


@dataclass(eq=False)  # one member is one object: planning compares them by identity
class Member:
    """A member of staff as assignment sees them, with what is already booked for them."""

    id: uuid.UUID
    roles: frozenset[str]
    contracted_minutes: int  # a week
    week: dict[int, list[tuple[int, int]]]  # weekday -> windows (local minutes)
    away: list[tuple[date, date]] = field(default_factory=list)
    left_on: date | None = None
    order: int = 0  # ties between equally loaded members: a stable order
    bookings: list[Booking] = field(default_factory=list)  # by start
    starts: list[datetime] = field(default_factory=list)  # the bookings' starts, for bisect
    minutes_by_week: Counter[date] = field(default_factory=Counter)  # Monday -> booked minutes
    visits_by_client: Counter[int] = field(default_factory=Counter)  # by the client id's int: a C hash

    def book(self, visit: Visit) -> None:
        at = bisect.bisect_right(self.starts, visit.starts_at)
        self.starts.insert(at, visit.starts_at)
        self.bookings.insert(at, Booking(visit.starts_at, visit.ends_at, visit.place))
        self.minutes_by_week[week_of(visit.day)] += whole_minutes(visit.ends_at - visit.starts_at)
        self.visits_by_client[visit.client_id.int] += 1

    def reason_against(self, visit: Visit) -> str | None:
        """Why this member cannot do ``visit`` (the first reason of REASONS), or None."""
        return next(self._reasons(visit), None)

    def reasons_against(self, visit: Visit) -> list[str]:
        """Every reason this member cannot do ``visit``, in the order of REASONS."""
        return list(self._reasons(visit))

    def _reasons(self, visit: Visit) -> Iterator[str]:
        if not self.roles & visit.roles:
            yield NO_STAFF_IN_ROLE
        if has_left(self.left_on, on=visit.day) or any(first <= visit.day <= last for first, last in self.away):
            yield NOT_WORKING
        if not self._available(visit):
            yield NOT_AVAILABLE
        if self._clashes(visit):
            yield DOUBLE_BOOKED
        if self.minutes_by_week[week_of(visit.day)] + visit.end - visit.start > self.contracted_minutes:
            yield OVER_CONTRACTED_HOURS

    def _available(self, visit: Visit) -> bool:
        """Within a window of its day; a visit past midnight goes on in a window of the next
        day that begins at 00:00 (a night's work is two windows, one each side of midnight)."""
        weekday, day = visit.day.weekday(), 24 * 60
        if visit.end <= day:
            return self._within(weekday, visit.start, visit.end)
        return self._within(weekday, visit.start, day) and self._within((weekday + 1) % 7, 0, visit.end - day)

    def _within(self, weekday: int, start: int, end: int) -> bool:
        return any(first <= start and end <= last for first, last in self.week.get(weekday, ()))

    def _clashes(self, visit: Visit) -> bool:
        """Overlaps a booking, or leaves no time to travel from the one before or to the one after."""
        at = bisect.bisect_left(self.starts, visit.starts_at)
        before = self.bookings[at - 1] if at else None
        after = self.bookings[at] if at < len(self.bookings) else None
        return bool(before and before.ends_at + travel(before.place, visit.place) > visit.starts_at) or bool(
            after and visit.ends_at + travel(visit.place, after.place) > after.starts_at)


@lru_cache(maxsize=1 << 16)  # the same places again and again: a worker's round, a client's home
def travel(origin: Point | None, destination: Point | None) -> timedelta:
    """Time to get from one visit's place to the next's: the straight line at SPEED_KM_PER_HOUR."""
    if origin is None or destination is None:
        return TRAVEL_UNKNOWN if origin != destination else timedelta(0)
    if origin == destination:
        return timedelta(0)
    return TRAVEL_SETTLING + timedelta(hours=distance_km(origin, destination) / SPEED_KM_PER_HOUR)


def located_point(latitude: float | None, longitude: float | None) -> Point | None:
    """A place kept as two columns, as assignment reads it (None where unknown)."""
    return None if latitude is None or longitude is None else (latitude, longitude)


def choose(visit: Visit, members: Sequence[Member]) -> tuple[Member | None, str | None]:
    """The member who does ``visit`` (booked for it), or None with the reason no one can."""
    member = Roster(members).assign(visit)
    return (member, None) if member else (None, closest_reason(visit, members))


class Roster:
    """Members with their order of preference kept up to date as they are booked, so that a
    visit asks them in that order without sorting them all: the preferred member, then those
    who already visit the client (most visits first), then by the week's load."""

    def __init__(self, members: Iterable[Member]) -> None:
        self.members = list(members)
        self.by_id = {member.id: member for member in self.members}
        self.by_load: dict[date, list[Member]] = {}  # Monday -> members, least loaded first
        self.serving: dict[int, list[Member]] = defaultdict(list)  # client id's int -> members
        for member in self.members:
            for client in member.visits_by_client:
                self.serving[client].append(member)

    def assign(self, visit: Visit) -> Member | None:
        """The first member in order of preference who can do ``visit``, booked for it; or None."""
        for member in self.in_preference(visit):
            if member.reason_against(visit) is None:
                self._book(member, visit)
                return member
        return None

    def in_preference(self, visit: Visit) -> Iterator[Member]:
        """The members in a role for ``visit``, each once, in order of preference."""
        monday, client = week_of(visit.day), visit.client_id.int
        preferred = [self.by_id[visit.preferred]] if visit.preferred in self.by_id else []
        regulars = sorted(self.serving.get(client, ()), key=lambda m: (
            -m.visits_by_client[client], m.minutes_by_week[monday], m.order))
        asked: set[int] = set()
        for member in chain(preferred, regulars, self._by_load(monday)):
            if id(member) not in asked and member.roles & visit.roles:
                asked.add(id(member))
                yield member

    def _by_load(self, monday: date) -> list[Member]:
        if monday not in self.by_load:
            self.by_load[monday] = sorted(self.members, key=lambda m: (m.minutes_by_week[monday], m.order))
        return self.by_load[monday]

    def _book(self, member: Member, visit: Visit) -> None:
        monday, client = week_of(visit.day), visit.client_id.int
        ordered = self.by_load.get(monday)
        if ordered is not None:
            ordered.remove(member)
        if not member.visits_by_client[client]:
            self.serving[client].append(member)
        member.book(visit)
        if ordered is not None:
            bisect.insort(ordered, member, key=lambda m: (m.minutes_by_week[monday], m.order))


def closest_reason(visit: Visit, members: Iterable[Member]) -> str:
    reasons = [m.reason_against(visit) for m in members]
    return max((r for r in reasons if r), key=REASONS.index, default=NO_STAFF_IN_ROLE)


def weekly(windows: Iterable[tuple[int, int, int]]) -> dict[int, list[tuple[int, int]]]:
    """(weekday, start, end) rows -> windows by weekday."""
    week: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start, end in windows:
        week[weekday].append((start, end))
    return dict(week)
