from __future__ import annotations

import uuid

from pydantic import BaseModel, Field, field_validator

from services.scheduling.plans.rules import DEFAULT_SECONDS
from services.scheduling.plans.schemas import SearchSeconds
from services.scheduling.staff.schemas import AbsenceRead
from services.scheduling.visits.schemas import VisitRead
from shared.types import IsoDate, RequestModel, distinct


class SubstituteRead(BaseModel):
    staff_id: uuid.UUID
    display_name: str
    free: bool = Field(description="Free then; else only with override, for `reason`")
    reason: str | None = Field(description="not_available (outside their usual week) or over_contracted_hours")
    skills_in_common: int = Field(description="Skills of the absent member they have too")
    distance_km: float | None = Field(description="From their base to the visit's place")
    visits_with_client: int = Field(description="Visits they made or have planned to the client")


class VisitCover(BaseModel):
    visit: VisitRead
    substitutes: list[SubstituteRead] = Field(description="Who may take it, best first (at most five)")


class AbsenceCover(AbsenceRead):
    """An absence with the member's planned visits in it, each with who may cover it."""

    affected_visits: list[VisitCover]


class CoverChoice(RequestModel):
    visit_id: uuid.UUID
    staff_id: uuid.UUID | None = Field(None, description="Who takes it; left out: the best free substitute")


class CoverRequest(RequestModel):
    visits: list[CoverChoice] | None = Field(None, max_length=1000, description=(
        "The affected visits to give away, each to the member named or else to the best free substitute; "
        "left out: all of them, each to the best free substitute"))

    _once = field_validator("visits")(distinct("visit", key=lambda choice: choice.visit_id))


class Covered(BaseModel):
    visit_id: uuid.UUID
    staff_id: uuid.UUID | None = Field(description="Who has it now; null: no one was free, it is listed unstaffed")


class RepairRequest(RequestModel):
    """A day of the absence to plan again with the optimiser, the absent member left out."""

    day: IsoDate = Field(description="A day of the absence", examples=["2026-12-08"])
    seconds: SearchSeconds = DEFAULT_SECONDS
