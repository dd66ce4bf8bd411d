"""Client rules that need no database: plain functions, tested on their own."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal, get_args

import phonenumbers

from shared.lifecycle import Lifecycle

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

ClientStatus = Literal["active", "inactive", "moved", "deceased"]
STATUSES: tuple[ClientStatus, ...] = get_args(ClientStatus)
ACTIVE, INACTIVE, MOVED, DECEASED = STATUSES
# A client enters care active or waiting (inactive); a death or a move comes after, with its day.
RegistrationStatus = Literal["active", "inactive"]
# Clients who get no more visits: their running care plans end.
DEPARTED = frozenset({MOVED, DECEASED})
# A client's status: any status may follow another, but a death is not undone. The
# action is the status the client becomes.
LIFECYCLE = Lifecycle(
    {(current, new): new for current in STATUSES if current != DECEASED for new in STATUSES if new != current},
    initial=ACTIVE, refusal=lambda current, new, _allowed: f"a client with status {current} cannot become {new}")


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


def phone_region(municipality_code: str) -> str | None:
    """Where a number written without its country code is dialled: the country a
    municipality's code starts with (``BG-RAK`` -> ``BG``), None if it names none."""
    country = municipality_code.split("-", 1)[0]
    return country if country in phonenumbers.SUPPORTED_REGIONS else None


def e164(phone: str, *, region: str | None) -> str:
    """``"0888 123 401"`` in ``BG`` -> ``"+359888123401"``: one spelling per number, as an SMS
    gateway dials it. Raises ``ValueError`` for a number that cannot exist (the wrong length,
    no such area or network), or a number without its country code when ``region`` is None."""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(f"no such phone number in {region}; one abroad starts with + and its country code"
                         if region else "a phone number starts with + and its country code")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_status_change(current: str, new: str) -> None:
    """409 naming ``status`` unless the client may become ``new`` (staying as they are is no change)."""
    if new != current:
        LIFECYCLE.next(current, new)


def check_status_since(status: str, since: date | None, *, today: date, earliest: date) -> date:
    """The day a client's new status took effect: ``since``, which a death or a move
    needs (plans end on it), or today. Raises ``ValueError`` (a 422 naming status_since)
    for a missing day of a departure, a day in the future or before ``earliest``."""
    if since is None and status in DEPARTED:
        raise ValueError(f"the day the client {'died' if status == DECEASED else 'moved away'} is required")
    if since is not None and since > today:
        raise ValueError(f"{since} is in the future (today is {today})")
    if since is not None and since < earliest:
        raise ValueError(f"must be on or after {earliest}, the day the client was registered")
    return since or today
