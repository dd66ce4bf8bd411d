"""Local copies of another service's records, kept from its events (no service
reads another's database). Events may arrive out of order (a retried older one
after the newer one that followed it), so a replica row remembers the time of
the event it reflects and an older event never overwrites a newer one."""
from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Mapped, Session


class Replica:
    """Mixin of a replica table: ``as_of`` is the time of the event the row reflects."""

    as_of: Mapped[datetime]


R = TypeVar("R", bound=Replica)


def keep_latest(session: Session, row: R) -> R | None:
    """Stores ``row`` as its event describes it, unless a later event is already kept;
    returns the stored row, or None when the event changed nothing."""
    key = inspect(type(row)).primary_key_from_instance(row)
    if is_news(session.get(type(row), key), row.as_of):
        return session.merge(row)
    return None


def is_news(kept: Replica | None, as_of: datetime) -> bool:
    """Whether an event of ``as_of`` about ``kept`` (None: unknown yet) is to be applied: it is
    not older than the event the row reflects. For an event that changes part of a row."""
    return kept is None or kept.as_of <= as_of
