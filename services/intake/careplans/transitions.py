"""How a care plan moves through its lifecycle (``rules.LIFECYCLE``) and what
scheduling is told of it.

The care plan API moves plans at a user's request (``service``); the other
features move them through here when the client changes: a withdrawn consent
suspends the active plans, a death or a move away ends the running ones, and a
new visit location reaches scheduling. So this module imports neither the
consents nor the clients service (they import it), and its callers own the
transaction: a plan moves in the same one as the change that moved it.

Every change that decides whether a client's plans may run (a consent decision,
a plan's move, the client leaving) first takes ``lock_client``: such changes
then run one after the other, and always lock the client before its plans."""
from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.careplans import rules
from services.intake.careplans.rules import SYSTEM, Action
from services.intake.models import CarePlan, CarePlanStatusChange, Client
from shared.events.intake import (
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    CarePlanLine as LineInForce,
    CarePlanSuspended,
)
from shared.messaging.outbox import record_event
from shared.types import located

CONSENT_WITHDRAWN = "consent_withdrawn"  # why a plan is suspended when the consent to services goes


# -- the lock -----------------------------------------------------------------------------------


def lock_client(client_id: uuid.UUID, *, session: Session) -> Client:
    """The client, read afresh and locked until the transaction ends (SELECT ... FOR UPDATE;
    on SQLite the write transaction's lock, taken at BEGIN, serialises as well)."""
    return session.get(Client, client_id, with_for_update=True, populate_existing=True)


def lock_plan(plan: CarePlan, *, session: Session) -> CarePlan:
    """The plan, read afresh and locked, after its client: the order every writer keeps."""
    lock_client(plan.client_id, session=session)
    session.refresh(plan, with_for_update=True)
    return plan


# -- moving one plan ---------------------------------------------------------------------------


def move(plan: CarePlan, action: Action, *, on: date, reason: str | None, by: str, note: str | None = None) -> None:
    """The plan's next status from ``on``, kept in its history, or the lifecycle's 409."""
    previous, plan.status = plan.status, rules.LIFECYCLE.next(plan.status, action)
    plan.status_since, plan.status_reason = on, reason
    plan.changed_at = datetime.now(UTC)
    plan.status_changes.append(CarePlanStatusChange(
        id=uuid.uuid4(), previous_status=previous, status=plan.status, effective_on=on, reason=reason, note=note,
        changed_at=plan.changed_at, changed_by=by))


def suspend(plan: CarePlan, *, on: date, reason: str, session: Session, by: str = SYSTEM,
            note: str | None = None) -> CarePlan:
    move(plan, "suspend", on=on, reason=reason, by=by, note=note)
    record_event(session, CarePlanSuspended(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        effective_on=on, reason=reason,
    ), subject=str(plan.client_id), municipality=plan.municipality_code)
    return plan


def end(plan: CarePlan, *, on: date, reason: str, session: Session, by: str = SYSTEM,
        note: str | None = None) -> CarePlan:
    """Ends a running plan, telling scheduling; a draft is cancelled (scheduling never heard of it)."""
    running = plan.status in rules.RUNNING
    move(plan, "end", on=on, reason=reason, by=by, note=note)
    if running:
        record_event(session, CarePlanEnded(
            careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
            effective_on=on, reason=reason,
        ), subject=str(plan.client_id), municipality=plan.municipality_code)
    return plan


def announce(event: type[CarePlanActivated | CarePlanChanged], plan: CarePlan, client: Client, *,
             session: Session) -> None:
    """The plan as scheduling needs it. Of the client: ids, the visit location and language only."""
    location = located(client.latitude, client.longitude)
    record_event(session, event(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        programme=plan.agreement.programme_code if plan.agreement else None,
        settlement_id=client.settlement_id, location=location, language=client.preferred_language,
        starts_on=plan.starts_on, ends_on=plan.ends_on, active_since=current_run_start(plan),
        lines=[LineInForce(
            line_id=line.id, service_type=line.service_type.code, unit=line.service_type.unit,
            per_week=line.per_week, duration_minutes=line.service_type.default_duration_minutes,
            preferred_days=line.preferred_days, time_windows=line.time_windows,
            preferred_worker=line.preferred_worker, place=line.place,
        ) for line in plan.lines],
    ), subject=str(plan.client_id), municipality=plan.municipality_code)


def current_run_start(plan: CarePlan) -> date:
    """When the plan's current status took effect (its start, if it never moved)."""
    return plan.status_since or plan.starts_on


# -- what the client's changes do to their plans -----------------------------------------------------


def suspend_plans_of_withdrawn_consent(client: Client, *, withdrawn_on: date, by: str,
                                       session: Session) -> list[CarePlan]:
    """The client's active plans stop from the day the consent to services was
    withdrawn, but within each plan's current run. The caller holds ``lock_client``."""
    return [suspend(plan, on=max(withdrawn_on, current_run_start(plan)), reason=CONSENT_WITHDRAWN, by=by,
                    session=session)
            for plan in _plans_of(client.id, {rules.ACTIVE}, session)]


def end_plans_of_departed_client(client: Client, *, departed_on: date, by: str, session: Session) -> list[CarePlan]:
    """A client who died or moved away gets no more visits: their running plans end on
    the day it happened, with the client's status as the reason. A plan whose current
    run began later (the news came late) ends the day that run began, so that no move
    takes effect before the one it follows and no visit is planned after the departure.
    The caller holds ``lock_client``."""
    return [end(plan, on=max(departed_on, plan.starts_on, current_run_start(plan)), reason=client.status, by=by,
                session=session)
            for plan in _plans_of(client.id, rules.RUNNING, session)]


def announce_client_change(client_id: uuid.UUID, *, session: Session) -> None:
    """Tells scheduling the client's active plans as they are now: for a new visit
    location, settlement or language."""
    client = session.get(Client, client_id)
    for plan in _plans_of(client_id, {rules.ACTIVE}, session):
        announce(CarePlanChanged, plan, client, session=session)


def _plans_of(client_id: uuid.UUID, statuses: Collection[str], session: Session) -> list[CarePlan]:
    return list(session.scalars(select(CarePlan).where(CarePlan.client_id == client_id,
                                                       CarePlan.status.in_(sorted(statuses)))))
