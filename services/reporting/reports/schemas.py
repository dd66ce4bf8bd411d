from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from services.reporting.indicators.schemas import PeriodQuery, PeriodRead
from services.reporting.reports.rules import Language, Status
from shared.paging import PageQuery
from shared.types import Code, MunicipalityCode, ReadModel


class ReportRequest(PeriodQuery):
    """Whose report: a municipality, a network (its municipalities in your scope) or every one
    in your scope, for a programme or all; the period once (from and to, a month or a quarter)."""

    municipality: MunicipalityCode | None = None
    network: str | None = Field(None, min_length=1, max_length=64)
    programme: Code | None = None
    language: Language | None = Field(None, description="Default: its municipalities' language, else en")


class ReportFilters(PageQuery):
    municipality: MunicipalityCode | None = None
    programme: Code | None = None
    status: Status | None = None


class ReportRead(ReadModel):
    id: uuid.UUID = Field(validation_alias="report_id")
    status: Status
    progress: int = Field(description="Percent of its sections made")
    municipality: str | None
    network: str | None
    programme: str | None
    period: PeriodRead
    language: Language
    municipalities: list[str]
    requested_at: datetime
    made_at: datetime | None
    frozen_at: datetime | None
    compared_with: uuid.UUID | None = Field(description="The frozen report of the same subject and period "
                                                        "that its content shows the changes since")
