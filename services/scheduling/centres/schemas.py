from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from services.scheduling.staff.rules import WEEKDAYS
from shared.events.intake import Weekday
from shared.paging import PageQuery
from shared.types import (
    Clock,
    ClockOrMidnight,
    Code,
    IsoDate,
    IsoDateTime,
    Location,
    MunicipalityCode,
    RequestModel,
    line,
    located,
    not_before,
)

CentreName = line(min_length=1, max_length=200)


class CentreCreate(RequestModel):
    """A place clients come to: an integrated social-health centre, a counselling office."""

    municipality: MunicipalityCode
    name: CentreName = Field(examples=["Интегриран център, Перник"])
    location: Location | None = None


class CentreFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")


class OfficeHoursCreate(RequestModel):
    """When a professional receives clients for a service at the centre, every week."""

    staff_id: uuid.UUID
    service_type: Code = Field(description="A service type delivered at a centre, in one of the member's roles")
    day: Weekday
    start: Clock
    end: ClockOrMidnight
    slot_minutes: int | None = Field(None, ge=10, le=240, description="Left out: the service's length")

    _ends_after = field_validator("end")(not_before("start", strictly=True))


class OfficeHoursRead(BaseModel):
    id: uuid.UUID
    staff_id: uuid.UUID
    service_type: str
    day: Weekday
    start: str
    end: str
    slot_minutes: int

    @classmethod
    def of(cls, hours) -> OfficeHoursRead:
        return cls(id=hours.id, staff_id=hours.staff_id, service_type=hours.service_type,
                   day=WEEKDAYS[hours.weekday], start=hours.start, end=hours.end, slot_minutes=hours.slot_minutes)


class CentreRead(BaseModel):
    id: uuid.UUID
    municipality: str
    name: str
    location: Location | None
    hours: list[OfficeHoursRead]

    @classmethod
    def of(cls, centre) -> CentreRead:
        return cls(id=centre.id, municipality=centre.municipality_code, name=centre.name,
                   location=located(centre.latitude, centre.longitude),
                   hours=[OfficeHoursRead.of(hours) for hours in centre.hours])


class SlotFilters(BaseModel):
    service_type: Code | None = None
    staff_id: uuid.UUID | None = None
    from_day: IsoDate | None = Field(None, description="The first day (the municipality's calendar); left out: today")
    days: int = Field(7, ge=1, le=31)


class Slot(BaseModel):
    staff_id: uuid.UUID
    service_type: str
    starts_at: datetime
    ends_at: datetime


class AppointmentCreate(RequestModel):
    """A client's appointment in a free slot."""

    client_id: uuid.UUID = Field(description="The client, as intake knows them")
    service_type: Code
    staff_id: uuid.UUID
    starts_at: IsoDateTime = Field(description="The start of one of the free slots")
    care_plan_id: uuid.UUID | None = Field(None, description="The care plan it serves, if any")

