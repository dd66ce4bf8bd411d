from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.paging import PageQuery
from shared.types import Code, IsoDateTime, Location, MunicipalityCode, located

VisitStatus = Literal["planned", "checked_in", "completed", "missed", "cancelled"]


class VisitFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    staff_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    care_plan_id: uuid.UUID | None = None
    service_type: Code | None = None
    status: VisitStatus | None = None
    unstaffed: bool | None = Field(None, description="true: only visits no one could be given, with the reason")
    starts_from: IsoDateTime | None = Field(None, description="Starting at or after this moment")
    starts_before: IsoDateTime | None = Field(None, description="Starting before this moment")


class VisitRead(BaseModel):
    id: uuid.UUID
    care_plan_id: uuid.UUID | None
    line_id: uuid.UUID | None
    client_id: uuid.UUID
    municipality: str
    service_type: str
    staff_id: uuid.UUID | None
    unstaffed_reason: str | None = Field(description="Why no one was given it: no_staff_in_role, not_working, "
                                                     "not_available, double_booked, over_contracted_hours")
    starts_at: datetime
    ends_at: datetime
    status: VisitStatus
    location: Location | None

    @classmethod
    def of(cls, visit) -> VisitRead:
        return cls(id=visit.id, care_plan_id=visit.care_plan_id, line_id=visit.line_id, client_id=visit.client_id,
                   municipality=visit.municipality_code, service_type=visit.service_type, staff_id=visit.staff_id,
                   unstaffed_reason=visit.unstaffed_reason, starts_at=visit.starts_at, ends_at=visit.ends_at,
                   status=visit.status,
                   location=located(visit.latitude, visit.longitude))
