"""Staff rules with no database and no HTTP. Pure functions, tested in isolation."""
from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from shared.events.intake import Weekday
from shared.week import first_overlap

WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # Monday first, as date.weekday() counts
MAX_ABSENCE_DAYS = 366  # a longer absence is a member who left


def first_overlap_on_a_day(windows: Sequence[tuple[str, str, str]]) -> tuple[int, int] | None:
    """Positions of two (day, start, end) windows of one day that overlap, or None."""
    for day in dict.fromkeys(day for day, _, _ in windows):
        positions = [i for i, window in enumerate(windows) if window[0] == day]
        if pair := first_overlap([windows[i][1:] for i in positions]):
            return positions[pair[0]], positions[pair[1]]
    return None
