"""How a plan of routes moves, and its limits, as data and pure functions."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

from shared.lifecycle import Lifecycle

Status = Literal["queued", "making", "ready", "failed", "applied"]
QUEUED, MAKING, READY, FAILED, APPLIED = get_args(Status)

LIFECYCLE = Lifecycle({
    (QUEUED, "start"): MAKING,
    (MAKING, "start"): MAKING,  # a worker that died is replaced by another
    (MAKING, "finish"): READY,
    (MAKING, "fail"): FAILED,
    (READY, "apply"): APPLIED,
}, initial=QUEUED)

MAX_DAYS = 7  # a plan's days: a week at most
DEFAULT_SECONDS = 20  # the search's time: 300 visits and 30 workers are ready within 30 s
MAX_SECONDS = 300
LEASE_BEYOND = timedelta(minutes=2)  # a worker silent this long after its search's time has died


def progress(status: str, started_at: datetime | None, seconds: int, now: datetime) -> float:
    """The share made: the search runs for its whole time limit, so its share of that."""
    if status in (READY, APPLIED, FAILED):
        return 1.0
    if status == QUEUED or started_at is None:
        return 0.0
    return round(min((now - started_at).total_seconds() / seconds, 0.99), 2)


def lease(now: datetime, seconds: int) -> datetime:
    return now + timedelta(seconds=seconds) + LEASE_BEYOND
