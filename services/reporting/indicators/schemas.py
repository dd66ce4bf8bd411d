from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.indicators.rules import Period
from shared.errors import Invalid
from shared.events.intake import ClientSex
from shared.types import CODE, MUNICIPALITY_CODE

Dimension = Literal["municipality", "settlement", "programme", "service_type", "target_group", "age_band",
                    "sex", "staff_role", "kind", "channel"]
LONGEST_DAYS = 3 * 366 + 365  # four years: a programme's life
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)
CodeFilter = Annotated[str | None, Field(None, pattern=CODE)]


class PeriodQuery(BaseModel):
    """A period as custom dates (``from`` and ``to``, both included), a month or a quarter."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    starts: date | None = Field(None, alias="from", description="The first day (with `to`)")
    ends: date | None = Field(None, alias="to", description="The last day (with `from`)")
    month: str | None = Field(None, pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    quarter: str | None = Field(None, pattern=r"^(19|20)[0-9]{2}-Q[1-4]$", description="YYYY-Qn")

    def period(self) -> Period:
        """The period asked for, or a 422 naming the field that does not fit."""
        ways = [way for way, given in (("from", self.starts or self.ends), ("month", self.month),
                                       ("quarter", self.quarter)) if given]
        if len(ways) != 1:
            raise Invalid(ways[-1] if ways else "from", "give the period once: from and to, a month or a quarter")
        if self.month:
            year, month = self.month.split("-")
            return Period.month(int(year), int(month))
        if self.quarter:
            year, quarter = self.quarter.split("-Q")
            return Period.quarter(int(year), int(quarter))
        return self._dates()

    def _dates(self) -> Period:
        if self.starts is None or self.ends is None:
            raise Invalid("to" if self.ends is None else "from", "a period by dates needs both from and to")
        for name, day in (("from", self.starts), ("to", self.ends)):
            if not EARLIEST <= day <= LATEST:
                raise Invalid(name, f"must be from {EARLIEST} to {LATEST}")
        if self.ends < self.starts:
            raise Invalid("to", "must not be before from")
        if (self.ends - self.starts).days >= LONGEST_DAYS:
            raise Invalid("to", f"a period is at most {LONGEST_DAYS} days")
        return Period(self.starts, self.ends)


class SliceQuery(PeriodQuery):
    """Whose figures: a municipality, a network's municipalities or every one in your scope,
    narrowed by the filters given, broken down by ``by``."""

    network: str | None = Field(None, min_length=1, max_length=64)
    municipality: str | None = Field(None, pattern=MUNICIPALITY_CODE)
    programme: CodeFilter = None
    service_type: CodeFilter = None
    target_group: CodeFilter = None
    staff_role: CodeFilter = None
    age_band: str | None = Field(None, pattern=r"^[0-9]{1,3}(-[0-9]{1,3}|\+)$", examples=["65-79", "80+"])
    sex: ClientSex | None = None
    settlement: uuid.UUID | None = None
    by: Dimension | None = Field(None, description="The dimension to break each figure down by")

    def filters(self) -> dict[str, Any]:
        names = ("programme", "service_type", "target_group", "staff_role", "age_band", "sex", "settlement")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class PeriodRead(BaseModel):
    first: date
    last: date


class Figure(BaseModel):
    code: str
    total: float | None
    breakdown: dict[str, float | None] | None = Field(None, description="Per value of `by`, when asked")
    suppressed: bool = Field(False, description="Values under the threshold, and what would give them away, "
                                                "are null (for the analyst and the funder)")


class IndicatorsRead(BaseModel):
    period: PeriodRead
    municipalities: list[str]
    filters: dict[str, str]
    by: Dimension | None
    indicators: list[Figure]
    not_applicable: list[str] = Field(description="Indicators whose records have no such filter or breakdown")
