from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from services.scheduling.visits.schemas import VisitRead
from shared.events.intake import Priority
from shared.types import Code, IsoDate, IsoDateTime, Location, ReadModel, RequestModel, distinct, note

Observations = note(max_length=4000)
CallOutcome = Literal["answered", "no_answer", "needs_help"]
MissedReason = Literal["client_absent", "client_refused", "worker_unable"]
When = Annotated[IsoDateTime | None, Field(description="When it happened; left out: now. Not in the future")]


class CheckIn(RequestModel):
    at: When = None
    location: Location | None = Field(None, description="Where the device is: flagged when far from the visit's place")


class Concern(RequestModel):
    """A problem seen at the visit: intake opens a case of this category for it."""

    category: Code = Field(description="A case category of intake's code list (unknown: other)")
    priority: Priority = "normal"


class Report(RequestModel):
    """What the worker did and saw. The observations stay in scheduling: they never travel in an event."""

    services_delivered: list[Code] = Field([], max_length=30, description="Codes of what was done")
    observations: Observations | None = None
    concern: Concern | None = None

    _once = field_validator("services_delivered")(distinct("service"))


class CheckOut(RequestModel):
    at: When = None
    report: Report


class Call(RequestModel):
    """The outcome of a phone check-in: answered, no one answered, or the person needs help."""

    outcome: CallOutcome
    at: When = None
    minutes: int | None = Field(None, ge=1, le=240, description="How long the call took; left out: as planned")
    report: Report = Report()

    @model_validator(mode="after")
    def _no_report_without_answer(self) -> Call:
        if self.outcome == "no_answer" and self.report != Report():
            raise ValueError("a call no one answered has no report")
        return self


class Missed(RequestModel):
    reason: MissedReason = Field(description="No one at home, the person refused, or the worker could not come")


class ReportRead(ReadModel):
    visit_id: uuid.UUID
    services_delivered: list[str]
    observations: str | None
    call_outcome: str | None
    concern_category: str | None
    concern_priority: str | None
    reported_by: str
    reported_at: datetime


class DayFilters(BaseModel):
    on: IsoDate | None = Field(None, description="The day (the municipality's calendar); left out: today")


class DayVisit(BaseModel):
    visit: VisitRead
    service_type_names: dict[str, str] = Field(description="The service's name by language")
    travel_minutes: int = Field(description="From the previous visit's place (or the member's base)")
    client_url: str = Field(description="Where intake answers who the client is (names stay in intake)")
    last_report: ReportRead | None = Field(description="The client's latest report before this visit")


class Day(BaseModel):
    """A member's visits of one day, in order, with what they need to know."""

    staff_id: uuid.UUID
    day: date
    visits: list[DayVisit]
    visit_minutes: int
    travel_minutes: int
