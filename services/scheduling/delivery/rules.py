"""What delivering a visit means, with no database: when a check-in or check-out may say
it happened, when a device is far from the visit's place, when a visit is missed."""
from __future__ import annotations

from datetime import datetime, timedelta

from services.scheduling.visits.assignment import Point, distance_km

# A device's clock runs a little ahead: a moment this far in the future is taken as now.
CLOCK_SKEW = timedelta(minutes=5)

# When a visit may be checked in, called or recorded missed: from EARLY before its start to
# LATE after its end; a visit checked in lasts at most LONGEST.
EARLY = timedelta(hours=12)
LATE = timedelta(hours=12)
LONGEST = timedelta(hours=16)

# Why a visit was missed: the sweep's two, then those a worker or coordinator records.
NOT_CHECKED_IN, UNSTAFFED, NO_ANSWER = "not_checked_in", "unstaffed", "no_answer"
RECORDED_MISSED = ("client_absent", "client_refused", "worker_unable")


def moment_of(at: datetime | None, *, now: datetime) -> datetime | None:
    """When something happened as the request says (``at``), or now; None for a moment in
    the future (past the clock's skew)."""
    if at is None:
        return now
    return None if at > now + CLOCK_SKEW else min(at, now)


def too_early(at: datetime, starts_at: datetime) -> bool:
    return at < starts_at - EARLY


def too_late(at: datetime, ends_at: datetime) -> bool:
    return at > ends_at + LATE


def is_far(place: Point | None, device: Point | None, *, metres: int) -> bool | None:
    """Whether the device was further than ``metres`` from the visit's place; None if either is unknown."""
    if place is None or device is None:
        return None
    return distance_km(place, device) * 1000 > metres


def missed_before(now: datetime, *, after_minutes: int) -> datetime:
    """Visits starting before this moment and still planned were missed."""
    return now - timedelta(minutes=after_minutes)
