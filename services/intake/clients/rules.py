"""Client rules that need no database: plain functions, tested on their own."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal, get_args

from shared.lifecycle import Lifecycle

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

ClientStatus = Literal["active", "inactive", "moved", "deceased"]
STATUSES: tuple[ClientStatus, ...] = get_args(ClientStatus)
ACTIVE, INACTIVE, MOVED, DECEASED = STATUSES
# Clients who get no more visits: their running care plans end.
DEPARTED = frozenset({MOVED, DECEASED})
# A client's status: any status may follow another, but a death is not undone. The
# action is the status the client becomes.
LIFECYCLE = Lifecycle(
    {(current, new): new for current in STATUSES if current != DECEASED for new in STATUSES if new != current},
    initial=ACTIVE, refusal=lambda current, new, _allowed: f"a client with status {current} cannot become {new}")

_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_E164_ISH = re.compile(r"^\+?[0-9]{6,15}$")


def as_utc(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC (rows answer aware times; decisions
    made outside the database may not), so that both compare."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_birth_date(value: date, *, today: date) -> date:
    """Raises ``ValueError`` (a 422 in a schema) for a date in the future or before 1900."""
    if value > today:
        raise ValueError("a birth date cannot be in the future")
    if value < EARLIEST_BIRTH_DATE:
        raise ValueError(f"a birth date before {EARLIEST_BIRTH_DATE.isoformat()} is not plausible")
    return value


def canonical_phone(value: str) -> str:
    """``"+359 (888) 100-201"`` -> ``"+359888100201"``: stored without separators, so that
    it can be dialled and searched. Raises ``ValueError`` unless 6-15 digits remain."""
    phone = _PHONE_SEPARATORS.sub("", value)
    if not _E164_ISH.fullmatch(phone):
        raise ValueError("a phone number is 6 to 15 digits, optionally after '+', "
                         "with spaces, dots, dashes or brackets between them")
    return phone


def check_status_change(current: str, new: str) -> None:
    """409 naming ``status`` unless the client may become ``new`` (staying as they are is no change)."""
    if new != current:
        LIFECYCLE.next(current, new)
