"""The data-protection officer's query of the access log, and its answer."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from services.intake.access.rules import Reading
from shared.paging import PageQuery
from shared.types import IsoDateTime, ReadModel


class AccessLogFilters(PageQuery):
    read_from: IsoDateTime | None = Field(None, description="Reads at or after this moment",
                                          examples=["2025-03-01T00:00:00+02:00"])
    read_to: IsoDateTime | None = Field(None, description="Reads before this moment",
                                        examples=["2025-04-01T00:00:00+03:00"])

    @field_validator("read_to")
    @classmethod
    def _after_read_from(cls, read_to: datetime | None, info: ValidationInfo) -> datetime | None:
        read_from = info.data.get("read_from")
        if read_to is not None and read_from is not None and read_to <= read_from:
            raise ValueError("must be after read_from")
        return read_to


class AccessRead(ReadModel):
    read_at: datetime
    reader: str = Field(description="Who read: the subject of their token")
    roles: list[str] = Field(description="The roles their token carried")
    what: Reading = Field(description=(
        "What was shown: client (the record), client_search (a row of a list), household (as a member), "
        "duplicate_candidate (in a refused registration), consent, assessment, care_plan, case, "
        "overdue_follow_up, access_log (this log)"))
