from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from services.scheduling.staff.rules import MAX_ABSENCE_DAYS, WEEKDAYS, first_overlap_on_a_day
from shared.events.intake import Weekday
from shared.paging import PageQuery
from shared.types import (
    Code,
    IsoDate,
    Location,
    MunicipalityCode,
    ReadModel,
    RequestModel,
    Subject,
    distinct,
    iso_date,
    line,
    located,
    not_null,
)
from shared.week import TimeWindow

AbsenceKind = Literal["leave", "sickness", "training"]
DisplayName = line(min_length=1, max_length=200)
Hours = Annotated[float, Field(strict=True, gt=0, le=168, examples=[40],
                               description="Contracted hours a week: more than 0, at most 168")]
Codes = Annotated[list[Code], Field(max_length=20, json_schema_extra={"uniqueItems": True})]
AbsenceDay = iso_date(ge=date(2000, 1, 1))


class AvailabilityWindow(TimeWindow):
    """When the member usually works on a day of the week, in their municipality's local time."""

    day: Weekday


Availability = Annotated[list[AvailabilityWindow], Field(
    max_length=50, examples=[[{"day": "mon", "start": "08:00", "end": "16:00"}]],
    description="Their usual week; windows of one day must not overlap. Empty: no usual hours yet")]


def _no_overlap(windows: list[AvailabilityWindow] | None) -> list[AvailabilityWindow] | None:
    if windows and (pair := first_overlap_on_a_day([(w.day, w.start, w.end) for w in windows])):
        raise ValueError(f"windows {pair[0]} and {pair[1]} overlap")
    return windows


class StaffCreate(RequestModel):
    """A member of staff: a home helper, nurse, health mediator, facilitator or volunteer."""

    municipality: MunicipalityCode
    subject: Subject = Field(description="Who they are in tokens (sub), unique in the network: their visits, "
                                         "cases and clients are found by it")
    display_name: DisplayName = Field(description="How coordinators know them; never sent on",
                                      examples=["Иванка Петрова"])
    roles: Codes = Field(min_length=1, examples=[["home_helper"]],
                         description="Active codes of the network's staff_role list")
    skills: Codes = Field([], examples=[["wound_care", "driving"]], description="Codes of what else they can do")
    base_location: Location | None = Field(None, description="Where their working day starts (WGS84)")
    contracted_hours_per_week: Hours
    availability: Availability = []
    joined_on: AbsenceDay | None = Field(None, description="Their first working day, for reports of periods "
                                                           "before they were registered; default: the day registered")

    _distinct_codes = field_validator("roles", "skills")(distinct("code"))
    _windows_apart = field_validator("availability")(_no_overlap)


class StaffUpdate(RequestModel):
    """Only the fields sent change; ``base_location`` may be cleared with null."""

    display_name: DisplayName | None = None
    roles: Codes | None = Field(None, min_length=1)
    skills: Codes | None = None
    base_location: Location | None = None
    contracted_hours_per_week: Hours | None = None
    availability: Availability | None = None

    _not_null = not_null("display_name", "roles", "skills", "contracted_hours_per_week", "availability")
    _distinct_codes = field_validator("roles", "skills")(distinct("code"))
    _windows_apart = field_validator("availability")(_no_overlap)


class Leaving(RequestModel):
    left_on: IsoDate = Field(description="Their last working day; from the next, no work goes to them")


class StaffFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    role: Code | None = Field(None, description="Only members with this role")
    include_left: bool = Field(False, description="Also those who left")


class AvailabilityRead(BaseModel):
    day: Weekday
    start: str
    end: str


class StaffRead(BaseModel):
    id: uuid.UUID
    municipality: str
    subject: str
    display_name: str
    roles: list[str]
    skills: list[str]
    base_location: Location | None
    contracted_hours_per_week: float
    availability: list[AvailabilityRead]
    registered_at: datetime
    joined_on: date | None
    left_on: date | None

    @classmethod
    def of(cls, staff) -> StaffRead:
        return cls(
            id=staff.id, municipality=staff.municipality_code, subject=staff.subject,
            display_name=staff.display_name, roles=staff.roles, skills=staff.skills,
            base_location=located(staff.base_latitude, staff.base_longitude),
            contracted_hours_per_week=staff.contracted_hours_per_week,
            availability=[AvailabilityRead(day=WEEKDAYS[row.weekday], start=row.start, end=row.end)
                          for row in staff.availability_rows],
            registered_at=staff.registered_at, joined_on=staff.joined_on, left_on=staff.left_on)


class AbsenceCreate(RequestModel):
    kind: AbsenceKind
    starts_on: AbsenceDay = Field(description="The first day away, in the municipality's calendar")
    ends_on: AbsenceDay = Field(description=f"The last day away: on or after starts_on, at most "
                                            f"{MAX_ABSENCE_DAYS} days in all")

    @field_validator("ends_on")
    @classmethod
    def _after_start(cls, ends_on: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and ends_on < starts_on:
            raise ValueError(f"must be on or after starts_on ({starts_on})")
        if starts_on is not None and (ends_on - starts_on).days >= MAX_ABSENCE_DAYS:
            raise ValueError(f"an absence lasts at most {MAX_ABSENCE_DAYS} days")
        return ends_on


class AbsenceRead(ReadModel):
    id: uuid.UUID
    staff_id: uuid.UUID
    kind: AbsenceKind
    starts_on: date
    ends_on: date
    recorded_by: str
    recorded_at: datetime
