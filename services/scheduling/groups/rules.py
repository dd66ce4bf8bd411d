"""When a group meets, with no database: its recurrence, an RFC 5545 RRULE such as
``FREQ=WEEKLY;BYDAY=TU`` or ``FREQ=MONTHLY;BYDAY=1TH``, counted from its first day; the
time of day is the group's own (a rule naming hours or minutes is refused). Pure
functions, tested in isolation."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from dateutil.rrule import rrulestr

from shared.lifecycle import Lifecycle

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")  # at most one meeting a day
_REFUSED_PARTS = ("DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND")

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
    """Why ``text`` is not a recurrence a group can meet by, or None."""
    parts = dict(part.partition("=")[::2] for part in text.upper().split(";") if part)
    if parts.get("FREQ") not in FREQUENCIES:
        return f"FREQ must be one of {', '.join(FREQUENCIES)} (a group meets at most once a day)"
    if refused := [name for name in _REFUSED_PARTS if name in parts]:
        return f"{refused[0]} is not allowed: the group's first day and start time say when"
    if "COUNT" in parts and "UNTIL" in parts:
        return "COUNT and UNTIL must not both be given"
    try:
        rrulestr(text, dtstart=datetime.combine(date(2000, 1, 1), time()))
    except (ValueError, TypeError) as exc:
        return f"not an RFC 5545 RRULE: {exc}"
    return None


def meeting_days(recurrence: str, starts_on: date, first: date, last: date) -> list[date]:
    """The days from ``first`` to ``last`` (both included) the group meets on."""
    rule = rrulestr(recurrence, dtstart=datetime.combine(starts_on, time()))
    after = datetime.combine(max(first, starts_on), time())
    before = datetime.combine(last, time()) + timedelta(hours=23)
    return [moment.date() for moment in rule.between(after, before, inc=True)]
