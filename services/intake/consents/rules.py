"""Which recorded decision is in force: a pure rule, tested on its own.

The latest decision per purpose is in force: the one decided last, and of two
decided the same day the one recorded last. A decision recorded late for an
earlier date (a paper form typed in afterwards) joins the history without
overriding a newer one."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol, TypeVar, get_args

from services.intake.careplans.rules import EARLIEST_DAY
from services.intake.clients.rules import as_utc
from shared.events.intake import ConsentPurpose

PURPOSES: tuple[str, ...] = get_args(ConsentPurpose)
SERVICES = "services"  # the consent to receive services: a care plan runs only while it is in force
# The consent a message by each channel needs.
CONTACT_PURPOSES = {"sms": "contact_sms", "email": "contact_email", "phone": "contact_phone"}


class Decision(Protocol):
    purpose: str
    given: bool
    decided_on: date
    recorded_at: datetime


D = TypeVar("D", bound=Decision)


def recency(decision: Decision) -> tuple[date, datetime]:
    """Sorts decisions from the oldest to the one that would be in force."""
    return decision.decided_on, as_utc(decision.recorded_at)


def latest(decisions: Iterable[D]) -> D | None:
    return max(decisions, key=recency, default=None)


def in_force(decisions: Iterable[D]) -> dict[str, D | None]:
    """Every purpose -> its decision in force, or None where nothing was decided."""
    decisions = list(decisions)
    return {purpose: latest(d for d in decisions if d.purpose == purpose) for purpose in PURPOSES}


def check_decided_on(value: date, *, today: date, born_on: date | None) -> date:
    """Raises ``ValueError`` (a 422) for a day the client could not have decided on: in the
    future, before they were born, or before CareCircle's days. Registration is no bound:
    the form is often signed on paper before the client's record is typed in."""
    if value > today:
        raise ValueError("a decision cannot be dated in the future")
    if born_on is not None and value < born_on:
        raise ValueError(f"the client was born on {born_on}: a decision cannot be dated before that")
    if value < EARLIEST_DAY:
        raise ValueError(f"must be on or after {EARLIEST_DAY}")
    return value
