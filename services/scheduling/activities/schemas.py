from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.scheduling.groups.rules import SessionStatus
from services.scheduling.groups.schemas import Minutes, Notes, VenueName
from shared.paging import PageQuery
from shared.types import IsoDateTime, MunicipalityCode, ReadModel, RequestModel, line

ActivityKind = Literal["health_campaign", "facilitator_training", "staff_training", "public_discussion",
                       "coalition_meeting"]
Title = line(min_length=1, max_length=200)


class ActivityCreate(RequestModel):
    """A one-off event: a health campaign, a training, a public discussion, a coalition meeting."""

    municipality: MunicipalityCode
    kind: ActivityKind
    title: Title
    venue_name: VenueName
    starts_at: IsoDateTime
    duration_minutes: Minutes


class ActivityHeld(RequestModel):
    participants: int = Field(ge=0, le=100000, description="How many took part")
    notes: Notes | None = None


class ActivityFilters(PageQuery):
    municipality: MunicipalityCode | None = None
    kind: ActivityKind | None = None
    starts_from: IsoDateTime | None = None
    starts_before: IsoDateTime | None = None


class ActivityRead(ReadModel):
    id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    kind: ActivityKind
    title: str
    venue_name: str
    starts_at: datetime
    ends_at: datetime
    status: SessionStatus
    participants: int | None
    notes: str | None

