"""Intake's periodic tasks: plain functions in a registry, taking the worker's session
(``shared.tasks``); the worker commits when one returns."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from services.intake.careplans.service import end_plans_whose_agreement_ended
from shared.tasks import TaskRegistry

registry = TaskRegistry()


@registry.task("end_plans_whose_agreement_ended", every=timedelta(days=1))
def end_care_plans_whose_agreement_ended(*, session: Session) -> int:
    """Daily: care plans end by themselves when their agreement has ended. Idempotent, so a
    second run, or the first after days without a beat, ends each plan once. Returns how many."""
    return len(end_plans_whose_agreement_ended(session=session))
