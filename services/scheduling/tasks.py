"""Scheduling's periodic tasks: plain functions in a registry, taking the worker's session
(``shared.tasks``); the worker commits when one returns."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from services.scheduling.delivery.service import sweep_missed
from services.scheduling.groups import service as groups
from services.scheduling.plans import service as plans
from services.scheduling.visits.service import extend_horizons
from shared.settings import get_settings
from shared.tasks import FollowUps, TaskRegistry

registry = TaskRegistry()


@registry.task("extend_visit_horizons", every=timedelta(days=1))
def extend_visit_horizons(*, session: Session) -> int:
    """Daily: each active plan's visits are planned four weeks ahead. Idempotent: a plan planned
    up to the horizon gets nothing more. Returns how many visits were planned."""
    return extend_horizons(now=datetime.now(UTC), session=session)


@registry.task("extend_group_horizons", every=timedelta(days=1))
def extend_group_horizons(*, session: Session) -> int:
    """Daily: each group's sessions are planned four weeks ahead. Returns how many were planned."""
    return groups.extend_group_horizons(now=datetime.now(UTC), session=session)


@registry.task("sweep_missed_visits", every=timedelta(minutes=5))
def sweep_missed_visits(*, session: Session) -> int:
    """Every five minutes: visits no one checked in ``visit_missed_after_minutes`` after their
    start are missed, and ``scheduling.visit.missed.v1`` tells notifications. Returns how many."""
    return sweep_missed(now=datetime.now(UTC), after_minutes=get_settings().visit_missed_after_minutes,
                        session=session)


@registry.task("sweep_route_plans", every=timedelta(seconds=3))
def sweep_route_plans(*, session: Session) -> FollowUps:
    """Every few seconds: the plans asked for (or whose worker went quiet) go to workers."""
    return plans.sweep(now=datetime.now(UTC), session=session)


@registry.task(plans.MAKE_PLAN)
def make_route_plan(*, session: Session, plan_id: str) -> str:
    """One plan: the optimiser's search for its time limit, its answer kept."""
    return plans.make(plan_id, now=datetime.now(UTC), session=session)
