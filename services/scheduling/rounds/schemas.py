from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from services.scheduling.delivery.schemas import Report, When
from services.scheduling.groups.rules import SessionStatus
from shared.paging import PageQuery
from shared.types import Code, IsoDateTime, Location, MunicipalityCode, RequestModel, distinct, line, located

Name = line(min_length=1, max_length=200)
Team = Annotated[list[uuid.UUID], Field(min_length=1, max_length=10, description="Members of staff on the unit")]


class RoundCreate(RequestModel):
    """A mobile unit's stop at a settlement on a date."""

    municipality: MunicipalityCode
    unit: Name = Field(examples=["Мобилен медицински кабинет"])
    service_type: Code = Field(description="A service type of the mobile_unit mode")
    stop_name: Name = Field(examples=["Кв. „Калкас“, до читалището"], description="Where it stops (a public place)")
    location: Location | None = None
    starts_at: IsoDateTime
    duration_minutes: int = Field(ge=15, le=12 * 60)
    team: Team

    _once = field_validator("team")(distinct("member"))


class RoundFilters(PageQuery):
    municipality: MunicipalityCode | None = None
    starts_from: IsoDateTime | None = None
    starts_before: IsoDateTime | None = None


class RoundRead(BaseModel):
    id: uuid.UUID
    municipality: str
    unit: str
    service_type: str
    stop_name: str
    location: Location | None
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    team: list[uuid.UUID]
    seen: int = Field(description="Clients seen and recorded")

    @classmethod
    def of(cls, stop, seen: int) -> RoundRead:
        return cls(id=stop.id, municipality=stop.municipality_code, unit=stop.unit, service_type=stop.service_type,
                   stop_name=stop.stop_name, location=located(stop.latitude, stop.longitude),
                   starts_at=stop.starts_at, ends_at=stop.ends_at, status=stop.status, team=stop.team, seen=seen)


class Seen(RequestModel):
    """A client seen at the round: a completed visit of the round with its report."""

    client_id: uuid.UUID = Field(description="The client, as intake knows them")
    staff_id: uuid.UUID | None = Field(None, description="Who saw them, of the team; left out: the caller or the "
                                                         "team's first")
    at: When = None
    minutes: int | None = Field(None, ge=1, le=240, description="Left out: the service's length")
    report: Report = Report()
