"""Care plans and their runs, and visits as planned and as they ended."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.facts.history import spells
from services.reporting.models import CarePlan, CarePlanRun, CarePlanService, CarePlanStep, Visit
from shared.events.intake import CarePlanActivated, CarePlanChanged, CarePlanEnded, CarePlanSuspended
from shared.events.scheduling import (
    CheckInUnanswered,
    VisitCompleted,
    VisitMissed,
    VisitRescheduled,
    VisitsCancelled,
    VisitsPlanned,
)
from shared.replicas import add_once, keep_latest_values, later, replace_rows

# -- care plans -------------------------------------------------------------------------------


def keep_plan(event: CarePlanActivated | CarePlanChanged, *, at: datetime, event_id: str, session: Session) -> None:
    """The plan as it is now, and a step: it runs from the day its current run began."""
    if keep_latest_values(session, CarePlan.__table__, {
            "careplan_id": event.careplan_id, "client_id": event.client_id, "municipality": event.municipality,
            "programme": event.programme, "starts_on": event.starts_on, "ends_on": event.ends_on, "as_of": at}):
        replace_rows(session, CarePlanService.__table__, "careplan_id", event.careplan_id,
                     [{"careplan_id": event.careplan_id, "service_type": code}
                      for code in sorted({line.service_type for line in event.lines})])
    _step(event.careplan_id, event.active_since or event.starts_on, running=True, at=at, event_id=event_id,
          session=session)


def keep_stop(event: CarePlanSuspended | CarePlanEnded, *, at: datetime, event_id: str, session: Session) -> None:
    """A plan suspended or ended stops running from ``effective_on``."""
    _step(event.careplan_id, event.effective_on, running=False, at=at, event_id=event_id, session=session)


def _step(careplan_id: uuid.UUID, on: date, *, running: bool, at: datetime, event_id: str, session: Session) -> None:
    add_once(session, CarePlanStep.__table__, [{
        "event_id": event_id, "careplan_id": careplan_id, "effective_on": on, "at": at, "running": running}])
    plan = session.get(CarePlan, careplan_id)
    if plan is not None:
        replace_rows(session, CarePlanRun.__table__, "careplan_id", careplan_id,
                     [{"careplan_id": careplan_id, "first_day": first, "last_day": last}
                      for first, last in runs(plan, _steps_of(careplan_id, session))])


def _steps_of(careplan_id: uuid.UUID, session: Session) -> list[tuple[tuple[date, datetime], bool]]:
    rows = session.execute(select(CarePlanStep.effective_on, CarePlanStep.at, CarePlanStep.running)
                           .where(CarePlanStep.careplan_id == careplan_id))
    return [((on, at), running) for on, at, running in rows]


def runs(plan: CarePlan, steps: list[tuple[tuple[date, datetime], bool]]) -> list[tuple[date, date | None]]:
    """The days the plan ran: each spell from its first day to the day before it stopped,
    within the plan's own dates."""
    found = []
    for (began, _), stopped in spells(steps):
        first = max(began, plan.starts_on)
        last = _earliest(stopped[0] - timedelta(days=1) if stopped else None, plan.ends_on)
        if last is None or last >= first:
            found.append((first, last))
    return found


def _earliest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


# -- visits --------------------------------------------------------------------------------------


def keep_planned(event: VisitsPlanned, *, at: datetime, session: Session) -> None:
    for visit in event.visits:
        _as_planned(session, {
            "visit_id": visit.visit_id, "client_id": event.client_id, "municipality": event.municipality,
            "careplan_id": event.careplan_id, "service_type": visit.service_type, "staff": visit.staff_id,
            "due_at": visit.starts_at, "planned_minutes": _minutes(visit.starts_at, visit.ends_at),
            "planned_as_of": at})


def keep_rescheduled(event: VisitRescheduled, *, at: datetime, session: Session) -> None:
    _as_planned(session, {
        "visit_id": event.visit_id, "client_id": event.client_id, "municipality": event.municipality,
        "service_type": event.service_type, "staff": event.staff_id, "due_at": event.starts_at,
        "planned_minutes": _minutes(event.starts_at, event.ends_at), "planned_as_of": at})


def keep_completed(event: VisitCompleted, *, at: datetime, session: Session) -> None:
    _as_ended(session, {
        "visit_id": event.visit_id, "client_id": event.client_id, "municipality": event.municipality,
        "careplan_id": event.careplan_id, "service_type": event.service_type, "outcome": "completed", "reason": None,
        "happened_at": event.started_at, "delivered_by": event.staff_id,
        "delivered_minutes": _minutes(event.started_at, event.ended_at), "outcome_as_of": at})


def keep_missed(event: VisitMissed, *, at: datetime, session: Session) -> None:
    _as_ended(session, {
        "visit_id": event.visit_id, "client_id": event.client_id, "municipality": event.municipality,
        "careplan_id": event.careplan_id, "service_type": event.service_type, "outcome": "missed",
        "reason": event.reason,
        "happened_at": event.starts_at, "delivered_by": None, "delivered_minutes": None, "outcome_as_of": at})


def keep_unanswered(event: CheckInUnanswered, *, at: datetime, session: Session) -> None:
    _as_ended(session, {
        "visit_id": event.visit_id, "client_id": event.client_id, "municipality": event.municipality,
        "careplan_id": event.careplan_id, "outcome": "unanswered", "reason": None, "happened_at": event.called_at,
        "delivered_by": event.staff_id, "delivered_minutes": None, "outcome_as_of": at})


def keep_cancelled(event: VisitsCancelled, *, at: datetime, session: Session) -> None:
    for visit_id in event.visit_ids:
        _as_ended(session, {
            "visit_id": visit_id, "client_id": event.client_id, "municipality": event.municipality,
            "outcome": "cancelled", "reason": event.reason, "happened_at": None, "delivered_by": None,
            "delivered_minutes": None, "outcome_as_of": at})


# Visits are most of reporting's events: their writes wait for the end of the batch (``later``).
def _as_planned(session: Session, row: dict) -> None:
    _identify(session, row)
    later(session, Visit.__table__, _without(row, "careplan_id"), version="planned_as_of")


def _as_ended(session: Session, row: dict) -> None:
    _identify(session, row)
    later(session, Visit.__table__, _without(row, "careplan_id", "service_type"), version="outcome_as_of")


IDENTITY = ("visit_id", "client_id", "municipality", "careplan_id", "service_type")


def _identify(session: Session, row: dict) -> None:
    """What any event may tell first of a visit: its client, plan and service type (the latest
    planning event's service type wins over it)."""
    later(session, Visit.__table__, {name: row[name] for name in IDENTITY if name in row}, fill=True)


def _without(row: dict, *names: str) -> dict:
    return {name: value for name, value in row.items() if name not in names}


def _minutes(start: datetime, end: datetime) -> int:
    return round((end - start).total_seconds() / 60)
