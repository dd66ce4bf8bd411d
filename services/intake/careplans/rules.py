"""Care plan rules with no database and no HTTP: the lifecycle, time windows,
the place a service happens. Pure functions, tested in isolation."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal, get_args

from shared.errors import FieldError
from shared.lifecycle import Lifecycle

Status = Literal["draft", "active", "suspended", "ended"]
Action = Literal["activate", "suspend", "resume", "end"]

STATUSES: tuple[Status, ...] = get_args(Status)
ACTIONS: tuple[Action, ...] = get_args(Action)
DRAFT, ACTIVE, SUSPENDED, ENDED = STATUSES

# The lifecycle, the only place it is written down: (from, action) -> to.
# Ending a draft cancels it; nothing leaves "ended".
TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (DRAFT, "activate"): ACTIVE,
    (DRAFT, "end"): ENDED,
    (ACTIVE, "suspend"): SUSPENDED,
    (ACTIVE, "end"): ENDED,
    (SUSPENDED, "resume"): ACTIVE,
    (SUSPENDED, "end"): ENDED,
}


def _refusal(status: str, action: str, allowed: Sequence[str]) -> str:
    return f"cannot {action} a plan that is {status} (allowed: {', '.join(allowed) or 'none: the plan has ended'})"


LIFECYCLE = Lifecycle(TRANSITIONS, initial=DRAFT, refusal=_refusal)

# Started and not ended: scheduling knows these plans (and hears when they end).
RUNNING: frozenset[Status] = frozenset({ACTIVE, SUSPENDED})
# Lines and dates may change while the plan is a draft or active; a suspended
# plan is resumed first, so scheduling never gets a change it has stopped planning for.
EDITABLE: frozenset[Status] = frozenset({DRAFT, ACTIVE})

# Where a service happens unless the plan says otherwise, by the service type's mode.
DEFAULT_PLACE = {
    "home_visit": "home",
    "centre": "centre",
    "group": "group_venue",
    "phone": "phone",
    "mobile_unit": "mobile_unit",
}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# A line's hours or visits a week: quarter hours (a visit every four weeks), at most every hour of the week.
PER_WEEK_STEP = 0.25
MAX_PER_WEEK = 168

# The code list of the reasons a coordinator gives for a suspension: a code travels in the
# event, the explanation stays in the plan's history.
SUSPENSION_REASONS = "suspension_reason"
# Why intake itself ends a plan when its agreement has ended, and who it says moved it.
AGREEMENT_ENDED = "agreement_ended"
SYSTEM = "intake"

# Periods of agreements and plans. CareCircle's programmes began after 2000 and none runs
# longer than MAX_YEARS: a day outside (1021, 2201) is a typo, not a period.
EARLIEST_DAY = date(2000, 1, 1)
MAX_YEARS = 10


def default_place(mode: str) -> str:
    return DEFAULT_PLACE[mode]


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_problems(starts_on: date, ends_on: date | None, *, today: date) -> list[FieldError]:
    """What is wrong with an agreement's or a plan's period, by field."""
    return [*_start_problems(starts_on, today), *_end_problems(starts_on, ends_on)]


def _start_problems(starts_on: date, today: date) -> list[FieldError]:
    if starts_on < EARLIEST_DAY:
        return [("starts_on", f"must be on or after {EARLIEST_DAY}")]
    if starts_on > years_after(today, MAX_YEARS):
        return [("starts_on", f"must be within {MAX_YEARS} years from today")]
    return []


def _end_problems(starts_on: date, ends_on: date | None) -> list[FieldError]:
    if ends_on is not None and ends_on < starts_on:
        return [("ends_on", "must be on or after starts_on")]
    if ends_on is not None and ends_on > years_after(starts_on, MAX_YEARS):
        return [("ends_on", f"must be within {MAX_YEARS} years of starts_on")]
    return []


def within(starts_on: date, ends_on: date | None, period: tuple[date, date]) -> bool:
    """Whether the period from ``starts_on`` to ``ends_on`` (open: no end) lies within ``period``."""
    first, last = period
    return first <= starts_on and ends_on is not None and ends_on <= last


def in_force(starts_on: date, ends_on: date | None, on: date) -> bool:
    """Whether a period (an agreement, a programme) covers the day ``on``."""
    return starts_on <= on and (ends_on is None or on <= ends_on)


def week_order(days: Sequence[str]) -> list[str]:
    """Weekdays in calendar order, each once."""
    return [day for day in WEEKDAYS if day in days]
