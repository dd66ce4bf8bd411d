"""A member's week as coordinators watch it for overload and burnout, with no database:
hours planned against their contract and hours delivered, visits a day, the share of the
working time spent travelling, days without rest. Pure functions, tested in isolation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby, pairwise

from services.scheduling.visits.assignment import Point, travel
from services.scheduling.visits.rules import whole_minutes

MAX_VISITS_A_DAY = 8
MAX_TRAVEL_SHARE = 0.3
# What a week is warned of, in this order.
OVER_CONTRACT, LONG_DAYS, HIGH_TRAVEL, NO_REST_DAY = "over_contract", "long_days", "high_travel", "no_rest_day"


@dataclass(frozen=True)
class Work:
    """A visit or a group session of the member."""

    day: date  # local
    starts_at: datetime
    ends_at: datetime
    place: Point | None
    delivered_minutes: int | None  # None: not (yet) delivered
    session: bool = False  # a group session (else a visit)


@dataclass(frozen=True)
class Load:
    planned_minutes: int
    delivered_minutes: int
    travel_minutes: int
    busiest_day: int  # visits and sessions on the busiest day
    days_worked: int
    travel_share: float  # of the working time (travel and work)
    sessions: int
    warnings: tuple[str, ...]


def load_of(work: list[Work], *, base: Point | None, contracted_minutes: int) -> Load:
    """The week's load of the member's ``work`` (any order), starting each day from ``base``."""
    days = [list(items) for _, items in groupby(sorted(work, key=lambda w: w.starts_at), key=lambda w: w.day)]
    planned = sum(whole_minutes(w.ends_at - w.starts_at) for w in work)
    travelled = sum(_travelwhole_minutes(day, base) for day in days)
    busiest, share = max(map(len, days), default=0), _share(travelled, planned)
    found = {OVER_CONTRACT: planned > contracted_minutes, LONG_DAYS: busiest > MAX_VISITS_A_DAY,
             HIGH_TRAVEL: share > MAX_TRAVEL_SHARE, NO_REST_DAY: len(days) >= 7}
    return Load(planned_minutes=planned, delivered_minutes=sum(w.delivered_minutes or 0 for w in work),
                travel_minutes=travelled, busiest_day=busiest, days_worked=len(days), travel_share=share,
                sessions=sum(w.session for w in work),
                warnings=tuple(warning for warning, holds in found.items() if holds))


def _share(travelled: int, worked: int) -> float:
    return round(travelled / (travelled + worked), 3) if travelled + worked else 0.0


def _travelwhole_minutes(day: list[Work], base: Point | None) -> int:
    """From the base to the first place, then from each place to the next."""
    places = [base, *(w.place for w in day)]
    return sum(whole_minutes(travel(a, b)) for a, b in pairwise(places))
