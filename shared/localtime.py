"""Local days and clock times of a municipality's time zone as instants: the one home of
the rule for times a daylight-saving change skips or repeats."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=1 << 16)  # a municipality's days and hours again and again while planning
def moment(day: date, minute: int, zone: str) -> datetime:
    """Local ``day`` at ``minute`` after midnight in ``zone``, as a UTC instant. A time that a
    daylight-saving change skips is read with the offset before the change; one it repeats is
    the first of the two."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def at(day: date, clock: time, zone: str) -> datetime:
    """Local ``day`` at ``clock`` in ``zone``, as a UTC instant (``moment``'s rule)."""
    return moment(day, clock.hour * 60 + clock.minute, zone)


def day_of(instant: datetime, zone: str) -> date:
    """The day ``instant`` falls on in ``zone``."""
    return instant.astimezone(ZoneInfo(zone)).date()


def clock_of(instant: datetime, zone: str) -> time:
    """The local clock time of ``instant`` in ``zone``."""
    return instant.astimezone(ZoneInfo(zone)).time()
