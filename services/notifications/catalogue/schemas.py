from __future__ import annotations

from datetime import time

from pydantic import Field

from services.notifications.catalogue.rules import Timing
from shared.types import ReadModel, RequestModel


class MunicipalityRead(ReadModel):
    code: str
    name: str
    language: str
    timezone: str


class TimingWrite(RequestModel):
    reminder_lead_hours: int = Field(ge=1, le=24 * 7, description="How long before a visit its reminder goes out")
    quiet_from: time = Field(description="Local time from which no SMS or call goes out (e.g. 21:00)")
    quiet_until: time = Field(description="Local time until which they wait (e.g. 08:00)")
    day_plan_at: time = Field(description="Local time workers get their day plan")


class TimingRead(TimingWrite):
    municipality: str

    @classmethod
    def of(cls, code: str, timing: Timing) -> TimingRead:
        return cls(municipality=code, reminder_lead_hours=int(timing.reminder_lead.total_seconds() // 3600),
                   quiet_from=timing.quiet_from, quiet_until=timing.quiet_until, day_plan_at=timing.day_plan_at)
