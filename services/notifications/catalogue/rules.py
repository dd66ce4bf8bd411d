"""When a municipality's messages go out, with no database: the default timing, and the
quiet hours of the night (local time) when no SMS or call goes out and a message waits
for the morning. Pure functions, tested in isolation (time zones and DST included)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from shared.localtime import at, clock_of, day_of


@dataclass(frozen=True)
class Timing:
    reminder_lead: timedelta = timedelta(hours=24)  # a visit reminder the day before
    quiet_from: time = time(21)
    quiet_until: time = time(8)
    day_plan_at: time = time(7)


DEFAULT = Timing()
# The reminder of a visit by its service's mode: someone comes, or the client goes. A phone
# call comes by itself, a mobile unit's round is its own notice: no reminder.
REMINDER_KINDS = {"home_visit": "visit_reminder", "centre": "appointment_reminder"}


def quiet_until(instant: datetime, zone: str, timing: Timing) -> datetime | None:
    """When the quiet hours ``instant`` falls in end (their local ``quiet_until``), or None when
    it falls outside them. Quiet hours may run over midnight (21:00-08:00) or not (13:00-15:00)."""
    local = clock_of(instant, zone)
    overnight = timing.quiet_from > timing.quiet_until
    quiet = (local >= timing.quiet_from or local < timing.quiet_until) if overnight else \
        timing.quiet_from <= local < timing.quiet_until
    if not quiet:
        return None
    day = day_of(instant, zone)
    ends_tomorrow = overnight and local >= timing.quiet_from
    return at(day + timedelta(days=1) if ends_tomorrow else day, timing.quiet_until, zone)

