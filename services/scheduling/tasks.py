"""Scheduling's periodic tasks: plain functions in a registry, taking the worker's session
(``shared.tasks``); the worker commits when one returns."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from services.scheduling.visits.service import extend_horizons
from shared.tasks import TaskRegistry

registry = TaskRegistry()


@registry.task("extend_visit_horizons", every=timedelta(days=1))
def extend_visit_horizons(*, session: Session) -> int:
    """Daily: each active plan's visits are planned four weeks ahead. Idempotent: a plan planned
    up to the horizon gets nothing more. Returns how many visits were planned."""
    return extend_horizons(now=datetime.now(UTC), session=session)
