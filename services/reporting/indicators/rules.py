"""Reporting's rules as pure functions: a period of whole days in each municipality's
calendar, and the suppression of small counts for those who see aggregates only."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from shared.localtime import moment


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), _next_month(year, month) - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * quarter - 2
        return cls(date(year, first_month, 1), _next_month(year, first_month + 2) - timedelta(days=1))

    def window(self, zone: str) -> tuple[datetime, datetime]:
        """The period as instants in ``zone``: from its first midnight to the midnight after its last day."""
        return moment(self.first, 0, zone), moment(self.last + timedelta(days=1), 0, zone)

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


WHOLE = ""  # the total among the keys a figure hides (no key of a breakdown is empty)
UNKNOWN = "unknown"  # the key of records whose dimension is not known (a client of no settlement)


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)


# -- small counts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """A figure's total and its breakdown (none: not broken down), and the keys suppressed."""

    total: Any
    breakdown: dict[str, Any] | None
    suppressed: frozenset[str] = frozenset()

    def values(self) -> dict[str, Any]:
        """The total (under ``WHOLE``) and the breakdown's values, by key."""
        return {WHOLE: self.total, **(self.breakdown or {})}

    def without(self, keys: Iterable[str]) -> Cells:
        hidden = self.suppressed | set(keys)
        breakdown = None if self.breakdown is None else {
            key: None if key in hidden else value for key, value in self.breakdown.items()}
        return Cells(None if WHOLE in hidden else self.total, breakdown, frozenset(hidden))


def suppressed(cells: Cells, threshold: int) -> Cells:
    """A count from 1 to ``threshold`` - 1 is hidden, and so is what would give it away by
    subtraction: with a single hidden value in a breakdown, the next smallest one besides it
    (or the total, when the rest are nothing), so that the total less the values shown never
    tells a hidden one; a hidden total hides its breakdown."""
    small = {key for key, value in cells.values().items() if value and value < threshold}
    if WHOLE in small and cells.breakdown is not None:
        small |= set(cells.breakdown)
    return cells.without(small | _companion(cells, small))


def _companion(cells: Cells, hidden: set[str]) -> set[str]:
    """What else to hide so that no single hidden value of the breakdown follows from the rest."""
    if cells.breakdown is None or len(hidden & set(cells.breakdown)) != 1 or WHOLE in hidden:
        return set()
    others = sorted((value, key) for key, value in cells.breakdown.items() if key not in hidden and value)
    return {others[0][1]} if others else {WHOLE}


def following(cells: Cells, count: Cells) -> Cells:
    """A figure measured over the records another counts (hours over visits, the median days
    over the cases resolved) hides what that count hides."""
    return cells.without(count.suppressed)

