"""The week as plans and rosters describe it: clock times of a day and windows between
them, as a request sends them ("09:00" to "12:00"; "24:00" ends the day). Pure."""
from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

from pydantic import Field, ValidationInfo, field_validator

from shared.types import Clock, ClockOrMidnight, RequestModel


def minutes(clock: str) -> int:
    """``"09:30"`` -> 570; ``"24:00"`` (the end of the day) -> 1440."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def first_overlap(windows: Iterable[tuple[str, str]]) -> tuple[int, int] | None:
    """Positions of two windows that overlap, or None. Windows that only touch
    (09:00-10:00 and 10:00-11:00) do not overlap."""
    spans = sorted((minutes(start), minutes(end), i) for i, (start, end) in enumerate(windows))
    for (_s1, end1, i), (start2, _e2, j) in pairwise(spans):
        if start2 < end1:
            return (min(i, j), max(i, j))
    return None


class TimeWindow(RequestModel):
    start: Clock
    end: ClockOrMidnight = Field(description="After start; 24:00 is the end of the day")

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: str, info: ValidationInfo) -> str:
        if "start" in info.data and minutes(end) <= minutes(info.data["start"]):
            raise ValueError(f"must be after start ({info.data['start']})")
        return end
