from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from services.intake.careplans.rules import (
    EARLIEST_DAY,
    MAX_PER_WEEK,
    MAX_YEARS,
    PER_WEEK_STEP,
    Status,
)
from shared.events.intake import Place, Weekday
from shared.paging import PageQuery
from shared.types import (
    Code,
    IsoDate,
    MunicipalityCode,
    ReadModel,
    RequestModel,
    each_once,
    iso_date,
    line,
    not_null,
    note,
)
from shared.week import TimeWindow, first_overlap

PERIOD = f"on or after {EARLIEST_DAY}; a period lasts at most {MAX_YEARS} years"
# Why a plan moved, in words: kept in the plan's history, never in an event.
StatusNote = Annotated[note(max_length=1000) | None, Field(
    examples=["В болница в Пазарджик до края на месеца"],
    description="Why, in words: kept in the plan's history, not sent on")]
# The day a plan's status changes.
PlanDay = iso_date(ge=EARLIEST_DAY)
AgreementNumber = line(min_length=1, max_length=64)

# -- agreements -----------------------------------------------------------------------


class AgreementCreate(RequestModel):
    """The contract between the municipality and the client under a programme (seed 002)."""

    programme: Code = Field(description="A programme that covers the client's municipality",
                            examples=["patronage-care-plus"])
    number: AgreementNumber = Field(description="The contract's number, unique in the programme",
                                    examples=["ПГ-017/2021"])
    signed_on: IsoDate = Field(description=f"Not in the future, nor after starts_on; {PERIOD}",
                               examples=["2021-07-01"])
    starts_on: IsoDate = Field(description="Within the programme's period, unless outside_programme_period",
                               examples=["2021-07-05"])
    ends_on: IsoDate | None = Field(None, description="On or after starts_on; omitted: when the programme ends",
                                    examples=["2021-10-31"])
    outside_programme_period: bool = Field(
        False, strict=True, description="true: the dates may fall outside the programme's period (a contract "
        "running on after the programme, or signed before it was registered); the answer says whether they do")


class AgreementFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    programme: Code | None = None
    client_id: uuid.UUID | None = None
    signed_from: IsoDate | None = Field(None, description=(
        "Signed on or after this day (inclusive). Days are compared as written on the agreement, with no time "
        "of day or time zone"), examples=["2021-07-01"])
    signed_to: IsoDate | None = Field(None, description=(
        "Signed on or before this day (inclusive); not before signed_from"), examples=["2021-12-31"])
    as_of: IsoDate | None = Field(None, description=(
        "Only the agreements in force on this day: from starts_on to ends_on, both inclusive (no ends_on: "
        "open-ended)"), examples=["2021-08-01"])

    @field_validator("signed_to")
    @classmethod
    def _not_before_from(cls, signed_to: date | None, info: ValidationInfo) -> date | None:
        signed_from = info.data.get("signed_from")
        if signed_to is not None and signed_from is not None and signed_to < signed_from:
            raise ValueError(f"must not be before signed_from ({signed_from})")
        return signed_to


class AgreementRead(ReadModel):
    id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    programme: str = Field(validation_alias="programme_code")
    number: str
    signed_on: date
    starts_on: date
    ends_on: date | None
    outside_programme_period: bool = Field(description="Whether its dates fall outside the programme's period "
                                                       "(only when the coordinator said so)")


# -- care plans --------------------------------------------------------------------------


class LineCreate(RequestModel):
    """A service the client gets every week."""

    service_type: Code = Field(description="An active service type; one the plan's programme pays for, if any")
    per_week: float = Field(strict=True, ge=PER_WEEK_STEP, le=MAX_PER_WEEK, multiple_of=PER_WEEK_STEP, examples=[6],
                            description=f"Hours or visits a week, by the service type's unit: a number from "
                                        f"{PER_WEEK_STEP} to {MAX_PER_WEEK} in steps of {PER_WEEK_STEP}")
    preferred_days: list[Weekday] = Field([], max_length=7, examples=[["mon", "wed", "fri"]],
                                          json_schema_extra={"uniqueItems": True})
    time_windows: list[TimeWindow] = Field([], max_length=12, examples=[[{"start": "09:00", "end": "12:00"}]],
                                           description="When visits suit the client; they must not overlap")
    # Checked against intake's replica of scheduling's staff (services/intake/staff/lookups.py).
    # An id, never a name: it travels to scheduling in events.
    preferred_worker: uuid.UUID | None = Field(None, description="The id of a staff member in scheduling",
                                               examples=["6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5"])
    place: Place | None = Field(None, description="Where the service happens; omitted: by the service "
                                                  "type's mode (home_visit -> home, group -> group_venue...)")

    @field_validator("preferred_days")
    @classmethod
    def _each_day_once(cls, days: list[str]) -> list[str] | None:
        return each_once(days, "day")

    @field_validator("time_windows")
    @classmethod
    def _no_overlap(cls, windows: list[TimeWindow]) -> list[TimeWindow]:
        if pair := first_overlap([(w.start, w.end) for w in windows]):
            raise ValueError(f"windows {pair[0]} and {pair[1]} overlap")
        return windows


class LineUpdate(LineCreate):
    id: uuid.UUID | None = Field(None, description="A line of this plan to keep (and change); omitted: a new "
                                                   "line. Lines not listed are removed.")


class CarePlanCreate(RequestModel):
    agreement_id: uuid.UUID | None = Field(None, description="One of the client's agreements; the plan then "
                                                             "runs under its programme")
    starts_on: IsoDate = Field(examples=["2021-07-05"], description=f"{PERIOD}; at most {MAX_YEARS} years from today")
    ends_on: IsoDate | None = Field(None, description="On or after starts_on", examples=["2021-10-31"])
    lines: list[LineCreate] = Field([], max_length=30, description="A draft may have none; activating needs one")


class CarePlanUpdate(RequestModel):
    """Only the fields sent change; ``lines`` replaces every line. A draft or an active plan
    may change; an active plan's change is announced to scheduling as a whole. starts_on and
    lines may be left out, not set to null."""

    agreement_id: uuid.UUID | None = Field(None, description="null: the plan runs under no agreement")
    starts_on: IsoDate = None
    ends_on: IsoDate | None = Field(None, description="On or after starts_on; null: open-ended")
    lines: list[LineUpdate] = Field(None, max_length=30)

    _not_null = not_null("starts_on", "lines")


class Suspension(RequestModel):
    effective_on: PlanDay = Field(examples=["2021-08-02"],
                                  description="The first day without visits; not before the plan starts")
    reason: Code = Field(description="An active code of the suspension_reason code list, such as hospital_stay",
                         examples=["hospital_stay"])
    note: StatusNote = None


class Ending(RequestModel):
    effective_on: PlanDay = Field(examples=["2021-11-01"],
                                  description="The first day without visits; for a running plan not before "
                                              "the day its current status took effect")
    reason: Code = Field(description="A code such as agreement_ended, moved, deceased, cancelled",
                         examples=["agreement_ended"])
    note: StatusNote = None


class Resumption(RequestModel):
    effective_on: PlanDay | None = Field(None, examples=["2021-08-16"],
                                         description="From this day visits are planned again; omitted: today")
    note: StatusNote = None


class LineRead(ReadModel):
    id: uuid.UUID
    service_type: str = Field(validation_alias="service_type_code")
    per_week: float
    preferred_days: list[Weekday]
    time_windows: list[TimeWindow]
    preferred_worker: uuid.UUID | None
    place: Place


class StatusChangeRead(ReadModel):
    previous_status: str | None = Field(description="None: the plan ran before its history was kept")
    status: str
    effective_on: date
    reason: str | None
    note: str | None
    changed_at: datetime
    changed_by: str


class CarePlanRead(ReadModel):
    id: uuid.UUID
    client_id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    agreement_id: uuid.UUID | None
    status: str = Field(description="draft, active, suspended or ended")
    status_since: date | None = Field(description="When the current status took effect")
    status_reason: str | None = Field(description="Why it was suspended or ended")
    starts_on: date
    ends_on: date | None
    lines: list[LineRead]
    created_at: datetime
    created_by: str
    changed_at: datetime


class CarePlanDetail(CarePlanRead):
    status_changes: list[StatusChangeRead] = Field(description="Who moved the plan, from which day and why, "
                                                               "the first move first")


class CarePlanFilters(PageQuery):
    client_id: uuid.UUID | None = None
    status: Status | None = None
    as_of: IsoDate | None = Field(None, examples=["2021-08-01"], description=(
        "With status: the plans whose status on this day was status, by their history: a move counts from "
        "its effective_on day, inclusive, as the municipality recorded it (status=active&as_of=2021-08-01)"))
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
