"""Scheduling's periodic tasks: plain functions in a registry, taking the worker's session
(``shared.tasks``); the worker commits when one returns."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from services.scheduling.models import CarePlan
from services.scheduling.visits.service import extend_horizon, plans_to_extend
from shared.tasks import TaskRegistry

registry = TaskRegistry()


@registry.task("extend_visit_horizons", every=timedelta(days=1))
def extend_visit_horizons(*, session: Session) -> int:
    """Daily: each active plan's visits are planned four weeks ahead. Idempotent: a plan planned
    up to the horizon gets nothing more. Returns how many visits were planned."""
    now = datetime.now(UTC)
    return sum(len(extend_horizon(session.get_one(CarePlan, plan_id), now=now, session=session))
               for plan_id in plans_to_extend(now=now, session=session))
