"""When a group meets, with no database: its recurrence, an RFC 5545 RRULE such as
``FREQ=WEEKLY;BYDAY=TU`` or ``FREQ=MONTHLY;BYDAY=1TH``, counted from its first day; the
time of day is the group's own (a rule naming hours or minutes is refused). Pure
functions, tested in isolation."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Literal

from dateutil.rrule import rrulestr

from shared.lifecycle import Lifecycle

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")  # at most one meeting a day
_REFUSED_PARTS = ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND")
# What a group's rule may say. Each part of a rule that could never meet is refused before
# the rule is read: the reader looks for a first meeting up to the year 9999.
_KNOWN_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # at the most
MAX_INTERVAL, MAX_COUNT = 52, 1000
_ORDINAL = re.compile(r"([+-]?\d+)[A-Z]{2}")
LOOK_AHEAD = timedelta(days=2 * 366)  # a group must meet within two years of its first day

SessionStatus = Literal["planned", "held", "cancelled"]
PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
# A group's session or a one-off activity: who came may be recorded again (corrected) once
# held; a cancelled one is over.
MEETING_LIFECYCLE = Lifecycle({
    (PLANNED, "record"): HELD,
    (HELD, "record"): HELD,
    (PLANNED, "cancel"): CANCELLED,
}, initial=PLANNED)


def recurrence_error(text: str) -> str | None:
    """Why ``text`` is not a recurrence a group can meet by, or None (its form only: whether it
    meets at all depends on the group's first day, ``first_meeting``)."""
    parts = _parts(text)
    if parts.get("FREQ") not in FREQUENCIES:
        return f"FREQ must be one of {', '.join(FREQUENCIES)} (a group meets at most once a day)"
    if refused := [name for name in _REFUSED_PARTS if name in parts]:
        return f"{refused[0]} is not allowed: the group's first day and start time say when"
    if unknown := [name for name in parts if name not in _KNOWN_PARTS]:
        return f"{unknown[0]} is not a part a group's rule may have ({', '.join(_KNOWN_PARTS)})"
    if "COUNT" in parts and "UNTIL" in parts:
        return "COUNT and UNTIL must not both be given"
    if never := _never_meets(parts):
        return never
    for name, low, high in (("INTERVAL", 1, MAX_INTERVAL), ("COUNT", 1, MAX_COUNT)):
        if name in parts and not (parts[name].isdigit() and low <= int(parts[name]) <= high):
            return f"{name} must be a whole number from {low} to {high}"
    try:
        meeting_days(text, date(2000, 1, 1), date(2000, 1, 1), date(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        return f"not an RFC 5545 RRULE: {exc}"
    return None


def first_meeting(recurrence: str, starts_on: date, ends_on: date | None = None) -> date | None:
    """The group's first meeting day within LOOK_AHEAD of its first day (and by its last), or None."""
    last = min(ends_on or date.max, starts_on + LOOK_AHEAD)
    return next(iter(meeting_days(recurrence, starts_on, starts_on, last)), None)


def meeting_days(recurrence: str, starts_on: date, first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last`` (both included) the group meets on. The rule is read
    up to ``last`` only, so a rule that seldom or never meets costs no more than one that does."""
    parts = _parts(recurrence)
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until = datetime.combine(last, time(23, 59))
    if "UNTIL" in parts:
        until = min(until, _moment(parts.pop("UNTIL")))
    if until < datetime.combine(starts_on, time()):
        return []
    text = ";".join([*(f"{name}={value}" for name, value in parts.items()), f"UNTIL={until:%Y%m%dT%H%M%S}"])
    rule = rrulestr(text, dtstart=datetime.combine(starts_on, time()))
    after = datetime.combine(max(first, starts_on), time())
    return [moment.date() for moment in islice(rule, count) if moment >= after]


def _never_meets(parts: dict[str, str]) -> str | None:
    """Why a rule could never meet, from its parts alone (none: it may)."""
    try:
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else list(range(1, 13))
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
        positions = [int(p) for p in parts["BYSETPOS"].split(",")] if "BYSETPOS" in parts else []
    except ValueError:
        return "BYMONTH, BYMONTHDAY and BYSETPOS take whole numbers"
    if not all(1 <= m <= 12 for m in months) or not all(1 <= abs(d) <= 31 for d in days):
        return "BYMONTH takes 1 to 12, BYMONTHDAY 1 to 31 or -31 to -1"
    if days and not any(abs(d) <= _DAYS_IN_MONTH[m - 1] for m in months for d in days):
        return "no month of BYMONTH has a day of BYMONTHDAY: the group would never meet"
    if any(not 1 <= abs(p) <= _set_size(parts, days) for p in positions):
        return f"BYSETPOS picks among at most {_set_size(parts, days)} meetings of a period here"
    if _ORDINAL.search(parts.get("BYDAY", "")) and parts["FREQ"] not in ("MONTHLY", "YEARLY"):
        return "a numbered BYDAY (1MO, -1FR) needs FREQ=MONTHLY or YEARLY"
    if any(abs(int(n)) > (5 if parts["FREQ"] == "MONTHLY" else 53) or int(n) == 0
           for n in _ORDINAL.findall(parts.get("BYDAY", ""))):
        return "a numbered BYDAY counts 1 to 5 in a month (1 to 53 in a year), or the same below 0"
    return None


def _set_size(parts: dict[str, str], days: list[int]) -> int:
    """The most meetings one period of the rule (a day, week, month or year) can hold."""
    weekdays = [day for day in parts.get("BYDAY", "").split(",") if day]
    months = len(parts["BYMONTH"].split(",")) if "BYMONTH" in parts else 12
    in_a_month = min(5 * len(weekdays) or 31, len(days) or 31)
    return {"DAILY": 1, "WEEKLY": len(weekdays) or 1, "MONTHLY": in_a_month,
            "YEARLY": min(366, in_a_month * months)}[parts["FREQ"]]


def _parts(text: str) -> dict[str, str]:
    return dict(part.partition("=")[::2] for part in text.upper().removeprefix("RRULE:").split(";") if part)


def _moment(value: str) -> datetime:
    """An UNTIL, a day or a day and time; one in UTC (``Z``) is read as the group's local time."""
    value = value.removesuffix("Z")
    # Naive on purpose: a recurrence is read in local wall-clock time, like the group's start time.
    return datetime.strptime(value, "%Y%m%dT%H%M%S" if "T" in value else "%Y%m%d")  # noqa: DTZ007
