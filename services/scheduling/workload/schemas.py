from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from shared.paging import PageQuery
from shared.types import IsoDate, MunicipalityCode


class WorkloadFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    staff_id: uuid.UUID | None = None
    week: IsoDate | None = Field(None, description="A day of the first week (its Monday is taken); left out: this week")
    weeks: int = Field(1, ge=1, le=12, description="How many weeks from it")


class WeekLoad(BaseModel):
    """A member's week: planned against contract and delivered, how busy and how much on the road."""

    week: date = Field(description="Its Monday")
    planned_hours: float = Field(description="Visits and group sessions not cancelled")
    delivered_hours: float = Field(description="Checked in to checked out; sessions held")
    visits: int
    sessions: int
    travel_hours: float = Field(description="Between consecutive places, from their base each day")
    travel_share: float = Field(description="Of the working time (travel and work)")
    busiest_day: int = Field(description="Visits and sessions on the busiest day")
    days_worked: int
    warnings: list[str] = Field(description="over_contract, long_days (over 8 a day), high_travel (over 30%), "
                                            "no_rest_day")


class StaffLoad(BaseModel):
    staff_id: uuid.UUID
    display_name: str
    contracted_hours: float
    weeks: list[WeekLoad]
