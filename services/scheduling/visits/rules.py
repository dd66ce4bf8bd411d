"""How a care plan line becomes visits, with no database: which days of a week, at which
local times, for how long. Pure functions, tested in isolation and by properties.

A line asks for ``per_week`` hours or visits. Over the weeks of a plan (counted from the
Monday of its first day) the total delivered by the end of week k is the line's rate times
k + 1, rounded to whole minutes or visits, so that 2.5 visits a week are 2 and 3 by turns
and no minute of 6.25 hours a week is lost. Hours come as visits of the service's
duration, the rest of the week's minutes as one shorter visit (never under MIN_VISIT
minutes: less is added to the last one)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.scheduling.staff.rules import WEEKDAYS
from shared.lifecycle import Lifecycle
from shared.week import minutes

WORKING_DAYS = WEEKDAYS[:5]  # when a line names no preferred day
WORKING_HOURS = (8 * 60, 18 * 60)  # when it names no time window
MIN_VISIT = 15  # minutes
HORIZON_WEEKS = 4  # how far ahead visits and group sessions are planned, unless configured


def horizon_end(today: date, weeks: int = HORIZON_WEEKS) -> date:
    """The last day planned: ``weeks`` weeks, today included."""
    return today + timedelta(weeks=weeks, days=-1)

# -- the lifecycle, the only place it is written down: (from, action) -> to ------------------------


PLANNED, CHECKED_IN, COMPLETED, MISSED, CANCELLED = "planned", "checked_in", "completed", "missed", "cancelled"
BOOKED = (PLANNED, CHECKED_IN, COMPLETED)  # what takes a worker's time
LIFECYCLE = Lifecycle({
    (PLANNED, "move"): PLANNED,  # another time or worker
    (PLANNED, "check_in"): CHECKED_IN,
    (PLANNED, "record_call"): COMPLETED,  # a phone check-in answered
    (PLANNED, "miss"): MISSED,
    (PLANNED, "cancel"): CANCELLED,
    (CHECKED_IN, "check_out"): COMPLETED,
}, initial=PLANNED)


@dataclass(frozen=True)
class LineRule:
    """What generation reads of a care plan line."""

    unit: str  # hour or visit
    per_week: float
    duration_minutes: int
    preferred_days: Sequence[str] = ()
    time_windows: Sequence[tuple[str, str]] = ()

    @classmethod
    def of(cls, line) -> LineRule:
        """The rule of a care plan line as its event tells it (shared.events.intake.CarePlanLine)."""
        return cls(unit=line.unit, per_week=line.per_week, duration_minutes=line.duration_minutes,
                   preferred_days=line.preferred_days,
                   time_windows=[(window.start, window.end) for window in line.time_windows])


@dataclass(frozen=True)
class Slot:
    """One visit in the municipality's local time: its day, start and length in minutes."""

    day: date
    start: int  # minutes after local midnight
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def lengths_in_week(line: LineRule, week_index: int) -> list[int]:
    """The lengths (minutes) of the line's visits in week ``week_index`` of its plan."""
    if line.unit == "visit":
        return [line.duration_minutes] * (_due(line.per_week, week_index + 1) - _due(line.per_week, week_index))
    total = _due(line.per_week * 60, week_index + 1) - _due(line.per_week * 60, week_index)
    full, rest = divmod(total, line.duration_minutes)
    lengths = [line.duration_minutes] * full
    if rest >= MIN_VISIT or (rest and not lengths):
        return [*lengths, rest]
    if rest:
        lengths[-1] += rest
    return lengths


def _due(rate: float, weeks: int) -> int:
    """Whole units due by the end of ``weeks`` weeks; a hair of slack against 0.1 + 0.2."""
    return math.floor(rate * weeks + 1e-9)


def days_for(line: LineRule, count: int) -> list[int]:
    """The weekdays (0 Monday) of ``count`` visits, spread over the line's days: 2 of Monday
    to Friday fall on Monday and Wednesday; more visits than days come round again."""
    days = sorted(WEEKDAYS.index(day) for day in (line.preferred_days or WORKING_DAYS))
    return sorted(days[(i * len(days)) // count % len(days)] if count <= len(days) else days[i % len(days)]
                  for i in range(count))


def windows_of(line: LineRule) -> list[tuple[int, int]]:
    return sorted((minutes(start), minutes(end)) for start, end in line.time_windows) or [WORKING_HOURS]


def slots_in_week(line: LineRule, week_index: int, monday: date) -> list[Slot]:
    """The line's visits in the week starting ``monday``, each at the first free time of its
    day's windows (after the line's earlier visit that day); a visit longer than any window
    starts at the first window's start."""
    lengths = lengths_in_week(line, week_index)
    slots: list[Slot] = []
    for weekday, length in zip(days_for(line, len(lengths)), lengths, strict=True):
        day = monday + timedelta(days=weekday)
        after = max((slot.end for slot in slots if slot.day == day), default=0)
        slots.append(Slot(day, _first_start(windows_of(line), after, length), length))
    return slots


def _first_start(windows: list[tuple[int, int]], after: int, length: int) -> int:
    for start, end in windows:
        begin = max(start, after)
        if begin + length <= end:
            return begin
    return max(windows[0][0], after)


def later_starts(line: LineRule, slot: Slot, *, step: int = 30) -> list[int]:
    """Other starts of ``slot`` within its window, every ``step`` minutes after its own: where
    a worker is not free at the first free time of the line, the visit may move later."""
    window = next(((start, end) for start, end in windows_of(line) if start <= slot.start < end), None)
    if window is None:
        return []
    return list(range(slot.start + step, window[1] - slot.length + 1, step))


def slots_between(line: LineRule, plan_starts_on: date, first: date, last: date) -> list[Slot]:
    """The line's visits on the days ``first`` to ``last`` (both included), weeks counted
    from the plan's first day."""
    plan_monday, slots = week_of(plan_starts_on), []
    monday = week_of(first)
    while monday <= last:
        week_index = (monday - plan_monday).days // 7
        slots += [slot for slot in slots_in_week(line, week_index, monday) if first <= slot.day <= last]
        monday += timedelta(days=7)
    return slots


def whole_minutes(span: timedelta) -> int:
    return round(span.total_seconds() / 60)


def delivered_minutes(checked_in_at: datetime | None, checked_out_at: datetime | None) -> int | None:
    """The time actually delivered, from check-in to check-out; None until both are known."""
    if checked_in_at is None or checked_out_at is None:
        return None
    return whole_minutes(checked_out_at - checked_in_at)
