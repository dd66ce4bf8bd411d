from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from services.scheduling.groups.rules import SessionStatus, recurrence_error
from shared.paging import PageQuery
from shared.types import (
    Clock,
    Code,
    IsoDate,
    IsoDateTime,
    Location,
    MunicipalityCode,
    RequestModel,
    distinct,
    line,
    located,
    not_before,
    not_null,
    note,
)

GroupName = line(min_length=1, max_length=200)
VenueName = line(min_length=1, max_length=200)
Notes = note(max_length=4000)
Minutes = Annotated[int, Field(ge=15, le=12 * 60, description="How long it lasts, in minutes")]
Capacity = Annotated[int, Field(ge=1, le=1000, description="How many members it takes")]
Facilitators = Annotated[list[uuid.UUID], Field(min_length=1, max_length=10, description=(
    "Members of staff of the municipality who run it (animators, mediators, social workers, volunteers)"))]
Materials = Annotated[list[line(min_length=1, max_length=200)], Field(max_length=20)]


def _valid_recurrence(text: str | None) -> str | None:
    if text is not None and (error := recurrence_error(text)):
        raise ValueError(error)
    return text


Recurrence = Annotated[str, Field(min_length=6, max_length=500, pattern=r"^[A-Za-z0-9=;,+-]+$",
                                  examples=["FREQ=WEEKLY;BYDAY=TU"],
                                  description="RFC 5545 RRULE counted from starts_on: FREQ DAILY, WEEKLY, MONTHLY "
                                              "or YEARLY; no DTSTART, BYHOUR or BYMINUTE (start_time says when)")]


class GroupCreate(RequestModel):
    """A self-help group, club or circle: where and when it meets, who runs it."""

    municipality: MunicipalityCode
    name: GroupName = Field(examples=["Клуб на майките"])
    topic: Code = Field(examples=["maternal_child_health"],
                        description="Its topic area: maternal_child_health, elderly_circle, ...")
    venue_name: VenueName = Field(examples=["Читалище „Просвета“"])
    venue_location: Location | None = None
    facilitator_ids: Facilitators
    capacity: Capacity
    starts_on: IsoDate = Field(description="Its first day: the recurrence counts from it")
    ends_on: IsoDate | None = Field(None, description="Its last day, if it has one")
    start_time: Clock = Field(description="When sessions start, local time")
    duration_minutes: Minutes = 90
    recurrence: Recurrence

    _rule = field_validator("recurrence")(_valid_recurrence)
    _once = field_validator("facilitator_ids")(distinct("facilitator"))

    _ends_after = field_validator("ends_on")(not_before("starts_on"))


class GroupUpdate(RequestModel):
    """Only the fields sent change; sessions not yet held follow a new time or recurrence."""

    name: GroupName = None
    venue_name: VenueName = None
    venue_location: Location | None = None
    facilitator_ids: Facilitators = None
    capacity: Capacity = None
    ends_on: IsoDate | None = None
    start_time: Clock = None
    duration_minutes: Minutes = None
    recurrence: Recurrence = None

    _not_null = not_null("name", "venue_name", "facilitator_ids", "capacity", "start_time", "duration_minutes",
                         "recurrence")
    _rule = field_validator("recurrence")(_valid_recurrence)
    _once = field_validator("facilitator_ids")(distinct("facilitator"))


class GroupFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    topic: Code | None = None
    facilitator_id: uuid.UUID | None = None


class GroupRead(BaseModel):
    id: uuid.UUID
    municipality: str
    name: str
    topic: str
    venue_name: str
    venue_location: Location | None
    facilitator_ids: list[uuid.UUID]
    capacity: int
    members: int = Field(description="Members now")
    starts_on: date
    ends_on: date | None
    start_time: str
    duration_minutes: int
    recurrence: str

    @classmethod
    def of(cls, group, members: int) -> GroupRead:
        return cls(id=group.id, municipality=group.municipality_code, name=group.name, topic=group.topic,
                   venue_name=group.venue_name, venue_location=located(group.venue_latitude, group.venue_longitude),
                   facilitator_ids=group.facilitator_ids, capacity=group.capacity, members=members,
                   starts_on=group.starts_on, ends_on=group.ends_on, start_time=group.start_time,
                   duration_minutes=group.duration_minutes, recurrence=group.recurrence)


class MemberJoin(RequestModel):
    client_id: uuid.UUID = Field(description="The client, as intake knows them")
    joined_on: IsoDate | None = Field(None, description="Left out: today")


class MemberRead(BaseModel):
    client_id: uuid.UUID
    joined_on: date
    left_on: date | None


class SessionFilters(PageQuery):
    starts_from: IsoDateTime | None = None
    starts_before: IsoDateTime | None = None
    status: SessionStatus | None = None


class SessionRead(BaseModel):
    id: uuid.UUID
    group_id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    topic: str | None
    materials: list[str]
    notes: str | None
    present: list[uuid.UUID] = Field(description="Members who came")
    anonymous_participants: int = Field(description="Others who came, counted")

    @classmethod
    def of(cls, session, present: list[uuid.UUID]) -> SessionRead:
        return cls(id=session.id, group_id=session.group_id, starts_at=session.starts_at, ends_at=session.ends_at,
                   status=session.status, topic=session.topic, materials=session.materials, notes=session.notes,
                   present=present, anonymous_participants=session.anonymous_participants)


class Attendance(RequestModel):
    """Who came to a session (recorded again: corrected) and what it was about."""

    present: list[uuid.UUID] = Field([], max_length=1000, description="Members who came, by client id")
    anonymous_participants: int = Field(0, ge=0, le=10000, description="Others who came, counted")
    topic: line(max_length=200) | None = None
    materials: Materials = []
    notes: Notes | None = None

    _once = field_validator("present")(distinct("client"))
