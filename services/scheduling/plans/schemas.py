from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, HttpUrl, ValidationInfo, field_validator

from services.scheduling.optimiser.travel import ROAD_FACTOR, SPEED_KMH
from services.scheduling.plans.rules import DEFAULT_SECONDS, MAX_DAYS, MAX_SECONDS, Status
from shared.types import IsoDate, MunicipalityCode, ReadModel, RequestModel

SearchSeconds = Annotated[int, Field(ge=1, le=MAX_SECONDS, strict=True,
                                     description="How long the search runs: longer may find a little better")]


class PlanCreate(RequestModel):
    """The days of a municipality to plan again: its planned home visits, its staff's days."""

    municipality: MunicipalityCode
    first_day: IsoDate = Field(examples=["2026-12-07"])
    last_day: IsoDate | None = Field(None, description=f"On or after first_day, at most {MAX_DAYS} days on; "
                                                       "omitted: first_day", examples=["2026-12-11"])
    seconds: SearchSeconds = DEFAULT_SECONDS

    @field_validator("last_day")
    @classmethod
    def _a_week_at_most(cls, last: date | None, info: ValidationInfo) -> date | None:
        first = info.data.get("first_day")
        if last is not None and first is not None and not 0 <= (last - first).days < MAX_DAYS:
            raise ValueError(f"must be on or after first_day ({first}) and within {MAX_DAYS} days of it")
        return last


class StopRead(BaseModel):
    visit_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    moved: bool = Field(description="Another time or worker than it has now")


class RouteRead(BaseModel):
    staff_id: uuid.UUID
    day: date
    starts_at: datetime = Field(description="Their first visit's start (the way from their base is outside "
                                            "their hours)")
    ends_at: datetime = Field(description="Their last visit's end")
    travel_minutes: int = Field(description="From their base through the visits and back")
    distance_km: float
    working_minutes: int = Field(description="From the first visit's start to the last one's end")
    overtime_minutes: int = Field(description="Beyond their normal day (contracted hours a week / 5)")
    stops: list[StopRead]


class LeftOut(BaseModel):
    visit_id: uuid.UUID
    reason: str = Field(description="no_worker_with_skill, outside_working_hours, link_cannot_be_kept, "
                                    "partner_cannot_be_done, no_time_left or link_not_kept")


class Measures(BaseModel):
    visits: int
    travel_minutes: int
    distance_km: float
    overtime_minutes: int


class PlanResult(BaseModel):
    routes: list[RouteRead]
    unassigned: list[LeftOut]
    proposed: Measures
    current: Measures = Field(description="The visits as they are planned now, measured the same way")
    saving: Measures = Field(description="current - proposed (visits: how many more the plan does)")
    continuity_share: float | None = Field(description="Of the visits with a usual worker, the share they do")


class PlanRead(ReadModel):
    id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    first_day: date
    last_day: date
    seconds: int
    status: Status
    progress: float = Field(description="The share made, 0 to 1")
    asked_by: str
    asked_at: datetime
    finished_at: datetime | None
    applied_at: datetime | None
    result: PlanResult | None = Field(description="Once ready")
    error: str | None


class Applied(BaseModel):
    plan_id: uuid.UUID
    moved: int = Field(description="Visits given another time or worker")
    unstaffed: int = Field(description="Visits the plan leaves out that had a worker: listed unstaffed with the "
                                       "plan's reason")


class TravelSettingsWrite(RequestModel):
    road_factor: float = Field(ROAD_FACTOR, ge=1.0, le=3.0, description="How much longer the roads are than the "
                                                                "straight line")
    speed_kmh: float = Field(SPEED_KMH, ge=5.0, le=120.0, description="Average speed, stops included")
    osrm_url: HttpUrl | None = Field(None, description="An OSRM server whose table service gives the times and "
                                                       "distances instead, e.g. http://osrm:5000")


class TravelSettingsRead(ReadModel):
    municipality: str = Field(validation_alias="municipality_code")
    road_factor: float
    speed_kmh: float
    osrm_url: str | None
