"""A reporting period: whole days, from the first to the last, in each municipality's calendar."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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


def _next_month(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1)
