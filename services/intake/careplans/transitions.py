"""How a care plan moves through its lifecycle (``rules.LIFECYCLE``) and what
scheduling is told of it.

The care plan API moves plans at a user's request (``service``); the other
features move them through here when the client changes: a withdrawn consent
suspends the active plans, a death or a move away ends the running ones, and a
new visit location reaches scheduling. So this module imports neither the
consents nor the clients service (they import it), and its callers own the
transaction: a plan moves in the same one as the change that moved it."""
from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.careplans import rules
from services.intake.careplans.rules import Action
from services.intake.catalogue.lookups import today_in
from services.intake.models import CarePlan, Client
from shared.events.intake import (
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    CarePlanLine as LineInForce,
    CarePlanSuspended,
)
from shared.messaging.outbox import record_event
from shared.types import Location

CONSENT_WITHDRAWN = "consent_withdrawn"  # why a plan is suspended when the consent to services goes


# -- moving one plan ---------------------------------------------------------------------------


def move(plan: CarePlan, action: Action, *, on: date, reason: str | None) -> None:
    """The plan's next status from ``on``, or the lifecycle's 409."""
    plan.status = rules.LIFECYCLE.next(plan.status, action)
    plan.status_since, plan.status_reason = on, reason
    plan.changed_at = datetime.now(UTC)


def suspend(plan: CarePlan, *, on: date, reason: str, session: Session) -> CarePlan:
    move(plan, "suspend", on=on, reason=reason)
    record_event(session, CarePlanSuspended(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        effective_on=on, reason=reason,
    ), subject=str(plan.client_id), municipality=plan.municipality_code)
    return plan


def end(plan: CarePlan, *, on: date, reason: str, session: Session) -> CarePlan:
    """Ends a running plan, telling scheduling; a draft is cancelled (scheduling never heard of it)."""
    running = plan.status in rules.RUNNING
    move(plan, "end", on=on, reason=reason)
    if running:
        record_event(session, CarePlanEnded(
            careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
            effective_on=on, reason=reason,
        ), subject=str(plan.client_id), municipality=plan.municipality_code)
    return plan


def announce(event: type[CarePlanActivated | CarePlanChanged], plan: CarePlan, client: Client, *,
             session: Session) -> None:
    """The plan as scheduling needs it. Of the client: ids, the visit location and language only."""
    location = (Location(latitude=client.latitude, longitude=client.longitude)
                if client.latitude is not None and client.longitude is not None else None)
    record_event(session, event(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        programme=plan.agreement.programme_code if plan.agreement else None,
        settlement_id=client.settlement_id, location=location, language=client.preferred_language,
        starts_on=plan.starts_on, ends_on=plan.ends_on,
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


def suspend_plans_of_withdrawn_consent(client: Client, *, withdrawn_on: date, session: Session) -> list[CarePlan]:
    """The client's active plans stop from the day the consent to services was
    withdrawn, but within each plan's current run."""
    return [suspend(plan, on=max(withdrawn_on, current_run_start(plan)), reason=CONSENT_WITHDRAWN, session=session)
            for plan in _plans_of(client.id, {rules.ACTIVE}, session)]


def end_plans_of_departed_client(client: Client, *, session: Session) -> list[CarePlan]:
    """A client who died or moved away gets no more visits: their running plans
    end today, with the client's status as the reason."""
    today = today_in(client.municipality_code, session=session)
    return [end(plan, on=max(today, current_run_start(plan)), reason=client.status, session=session)
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
