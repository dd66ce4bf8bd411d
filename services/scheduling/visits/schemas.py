from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from services.scheduling.visits.rules import delivered_minutes
from shared.paging import PageQuery
from shared.types import Code, IsoDateTime, Location, MunicipalityCode, RequestModel, located

VisitStatus = Literal["planned", "checked_in", "completed", "missed", "cancelled"]
CancelReason = Literal["client_request", "client_in_hospital", "worker_unavailable", "weather", "other"]


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
    status_reason: str | None = Field(description="Why it was missed or cancelled")
    location: Location | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    delivered_minutes: int | None = Field(description="From check-in to check-out: the time actually delivered")
    checkin_far_from_place: bool | None = Field(
        description="The device that checked in was far from the visit's place (null: either unknown)")

    @classmethod
    def of(cls, visit) -> VisitRead:
        return cls(id=visit.id, care_plan_id=visit.care_plan_id, line_id=visit.line_id, client_id=visit.client_id,
                   municipality=visit.municipality_code, service_type=visit.service_type, staff_id=visit.staff_id,
                   unstaffed_reason=visit.unstaffed_reason, starts_at=visit.starts_at, ends_at=visit.ends_at,
                   status=visit.status, status_reason=visit.status_reason,
                   location=located(visit.latitude, visit.longitude), checked_in_at=visit.checked_in_at,
                   checked_out_at=visit.checked_out_at, checkin_far_from_place=visit.checkin_far,
                   delivered_minutes=delivered_minutes(visit.checked_in_at, visit.checked_out_at))


class VisitMove(RequestModel):
    """Another time or another worker for a planned visit (or both); its length stays."""

    starts_at: IsoDateTime | None = Field(None, description="The new start, in the future")
    staff_id: uuid.UUID | None = Field(None, description="The member who does it now")
    override: bool = Field(False, description="Move it though the member does not usually work then or would "
                                              "go over their contracted hours (never when away or booked)")

    @model_validator(mode="after")
    def _something_moves(self) -> VisitMove:
        if self.starts_at is None and self.staff_id is None:
            raise ValueError("give starts_at, staff_id or both")
        return self


class VisitCancel(RequestModel):
    reason: CancelReason
