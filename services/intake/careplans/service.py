"""Agreements and care plans.

A care plan is what scheduling plans visits from: while it is active,
scheduling holds a copy made from ``CarePlanActivated`` / ``CarePlanChanged``
(ids, service lines, settlement, visit coordinates, language) and nothing else
personal. The lifecycle itself is in ``rules.TRANSITIONS``."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.intake.assessments.rules import FieldError
from services.intake.assessments.service import invalid
from services.intake.careplans import rules
from services.intake.careplans.schemas import (AgreementCreate, CarePlanCreate, CarePlanUpdate, Ending,
                                               LineCreate, LineUpdate, Resumption, Suspension)
from services.intake.catalogue.service import require_service_type, save_unique, today_in
from services.intake.consents.service import decision_in_force, require_consent
from services.intake.models import Agreement, CarePlan, CarePlanLine, Client, Programme
from shared.auth import Principal
from shared.events.intake import (AgreementSigned, CarePlanActivated, CarePlanChanged, CarePlanEnded,
                                  CarePlanSuspended, Location)
from shared.events.intake import CarePlanLine as LineInForce
from shared.messaging.outbox import record_event
from shared.errors import Conflict, Invalid, NotFound, Problem

CONSENT_PURPOSE = "services"  # the consent that lets a plan run
CONSENT_WITHDRAWN = "consent_withdrawn"  # the reason a plan is suspended when it goes

# -- agreements ---------------------------------------------------------------------------


def sign_agreement(client: Client, data: AgreementCreate, *, session: Session) -> Agreement:
    programme = _programme_for(client, data.programme, session)
    ends_on = data.ends_on or programme.ends_on
    _check_agreement_dates(data, ends_on, programme, today_in(client.municipality_code, session=session))
    _check_number_is_new(client.municipality_code, data, session)
    agreement = Agreement(
        id=uuid.uuid4(), client_id=client.id, municipality_code=client.municipality_code,
        programme_code=programme.code, number=data.number, signed_on=data.signed_on,
        starts_on=data.starts_on, ends_on=ends_on)
    session.add(agreement)
    save_unique(session, f"agreement {data.number} already exists in programme {data.programme}", "number")
    record_event(session, AgreementSigned(
        agreement_id=agreement.id, client_id=client.id, municipality=client.municipality_code,
        programme=programme.code, signed_on=data.signed_on, starts_on=data.starts_on, ends_on=ends_on,
    ), subject=str(client.id), municipality=client.municipality_code)
    session.commit()
    return agreement


def _programme_for(client: Client, code: str, session: Session) -> Programme:
    programme = session.get(Programme, code)
    if programme is None:
        raise Invalid("programme", f"unknown programme {code!r}")
    if client.municipality_code not in {m.code for m in programme.municipalities}:
        raise Invalid("programme", f"programme {code} does not cover municipality {client.municipality_code}")
    return programme


def _check_agreement_dates(data: AgreementCreate, ends_on: date, programme: Programme, today: date) -> None:
    if data.signed_on > today:
        raise Invalid("signed_on", "cannot be in the future")
    if data.signed_on > data.starts_on:
        raise Invalid("signed_on", "an agreement is signed before or on the day it starts")
    if not rules.in_force(programme.starts_on, programme.ends_on, data.starts_on):
        raise Invalid("starts_on", f"outside the programme's period {programme.starts_on}..{programme.ends_on}")
    if ends_on < data.starts_on:
        raise Invalid("ends_on", "must be on or after starts_on")
    if ends_on > programme.ends_on:
        raise Invalid("ends_on", f"after the programme ends ({programme.ends_on})")


def _check_number_is_new(municipality: str, data: AgreementCreate, session: Session) -> None:
    taken = session.scalar(select(Agreement.id).where(
        Agreement.municipality_code == municipality, Agreement.programme_code == data.programme,
        Agreement.number == data.number))
    if taken is not None:
        raise Conflict(f"agreement {data.number} already exists in programme {data.programme}", field="number")


def list_agreements(client: Client, *, session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.client_id == client.id)
                                .order_by(Agreement.starts_on.desc())))


def get_agreement(client: Client, agreement_id: uuid.UUID, *, session: Session) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.client_id != client.id:
        raise NotFound("agreement", agreement_id)
    return agreement


# -- care plans: drafting and changing ---------------------------------------------------------


def create_plan(client: Client, data: CarePlanCreate, *, session: Session) -> CarePlan:
    agreement = _agreement_of(client, data.agreement_id, session)
    _check_plan_dates(data.starts_on, data.ends_on)
    now = datetime.now(UTC)
    plan = CarePlan(id=uuid.uuid4(), client_id=client.id, municipality_code=client.municipality_code,
                    agreement=agreement, status="draft", starts_on=data.starts_on, ends_on=data.ends_on,
                    created_at=now, changed_at=now)
    plan.lines = _lines(data.lines, agreement, {}, session)
    session.add(plan)
    session.commit()
    return plan


def change_plan(plan: CarePlan, data: CarePlanUpdate, *, session: Session) -> CarePlan:
    """Changes a draft or an active plan; an active plan stays ready to run and is announced whole."""
    if plan.status not in rules.EDITABLE:
        raise Conflict(f"a plan that is {plan.status} cannot be changed (only a draft or an active one)",
                       field="status", current_status=plan.status)
    sent = data.model_fields_set
    if not sent:  # nothing to change, nothing to announce
        return plan
    client = session.get(Client, plan.client_id)
    if "agreement_id" in sent:
        plan.agreement = _agreement_of(client, data.agreement_id, session)
    plan.starts_on = data.starts_on if "starts_on" in sent else plan.starts_on
    plan.ends_on = data.ends_on if "ends_on" in sent else plan.ends_on
    _check_plan_dates(plan.starts_on, plan.ends_on)
    if "lines" in sent:
        plan.lines = _lines(data.lines, plan.agreement, {line.id: line for line in plan.lines}, session)
    else:  # a new agreement may not pay for the lines already there
        _check_programme_pays(plan.lines, plan.agreement)
    if plan.status == "active":
        if errors := _not_ready(plan):
            raise invalid(errors)
        record_event(session, _in_force(CarePlanChanged, plan, client), subject=str(plan.client_id),
                     municipality=plan.municipality_code)
    plan.changed_at = datetime.now(UTC)
    session.commit()
    return plan


def _agreement_of(client: Client, agreement_id: uuid.UUID | None, session: Session) -> Agreement | None:
    if agreement_id is None:
        return None
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.client_id != client.id:
        raise Invalid("agreement_id", f"the client has no agreement {agreement_id}")
    return agreement


def _check_plan_dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise Invalid("ends_on", "must be on or after starts_on")


def _lines(lines: list[LineCreate] | list[LineUpdate], agreement: Agreement | None,
           existing: dict[uuid.UUID, CarePlanLine], session: Session) -> list[CarePlanLine]:
    """The plan's new lines; a line sent with the id of an existing one keeps that id."""
    made = [_line(i, line, existing, session) for i, line in enumerate(lines)]
    for position, line in enumerate(made):
        if line in made[:position]:
            raise Invalid(f"lines.{position}.id", f"line {line.id} is listed twice")
    _check_programme_pays(made, agreement)
    return made


def _line(position: int, data: LineCreate | LineUpdate, existing: dict[uuid.UUID, CarePlanLine],
          session: Session) -> CarePlanLine:
    service_type = require_service_type(data.service_type, session=session, field=f"lines.{position}.service_type")
    line_id = getattr(data, "id", None)
    if line_id is not None and line_id not in existing:
        raise Invalid(f"lines.{position}.id", f"the plan has no line {line_id}")
    line = existing.get(line_id) or CarePlanLine(id=uuid.uuid4())
    line.position = position
    line.service_type = service_type
    line.per_week = data.per_week
    line.preferred_days = rules.week_order(data.preferred_days)
    line.time_windows = [w.model_dump() for w in sorted(data.time_windows, key=lambda w: w.start)]
    line.preferred_worker = data.preferred_worker
    line.place = data.place or rules.default_place(service_type.mode)
    return line


def _check_programme_pays(lines: list[CarePlanLine], agreement: Agreement | None) -> None:
    """Under an agreement, every line is a service its programme pays for."""
    if agreement is None:
        return
    programme = agreement.programme
    paid = {service_type.code for service_type in programme.service_types}
    for line in lines:
        if line.service_type.code not in paid:
            raise Invalid(f"lines.{line.position}.service_type",
                          f"programme {programme.code} does not pay for {line.service_type.code}")


# -- care plans: the lifecycle --------------------------------------------------------------


def activate(plan: CarePlan, *, session: Session) -> CarePlan:
    _allowed(plan, "activate")
    return _run(plan, "activate", on=plan.starts_on, session=session)


def resume(plan: CarePlan, data: Resumption, *, session: Session) -> CarePlan:
    """A suspended plan runs again: scheduling gets the whole plan, as on activation."""
    _allowed(plan, "resume")
    on = data.effective_on or today_in(plan.municipality_code, session=session)
    _check_effective_on(plan, on)
    return _run(plan, "resume", on=on, session=session)


def _run(plan: CarePlan, action: str, *, on: date, session: Session) -> CarePlan:
    """Activating or resuming: the plan, the client and their consent must let it run from ``on``."""
    client = session.get(Client, plan.client_id)
    if errors := _not_ready(plan, on=max(on, plan.starts_on)) + _client_not_ready(client):
        raise _conflict(errors)
    require_consent(client.id, CONSENT_PURPOSE, session=session)
    _move(plan, action, on=on, reason=None)
    record_event(session, _in_force(CarePlanActivated, plan, client), subject=str(plan.client_id),
                 municipality=plan.municipality_code)
    session.commit()
    return plan


def suspend(plan: CarePlan, data: Suspension, *, session: Session) -> CarePlan:
    _allowed(plan, "suspend")
    _check_effective_on(plan, data.effective_on)
    _suspend(plan, data.effective_on, data.reason, session)
    session.commit()
    return plan


def end(plan: CarePlan, data: Ending, *, session: Session) -> CarePlan:
    """Ends a running plan, or cancels a draft (which scheduling never heard of)."""
    _allowed(plan, "end")
    was_draft = plan.status == "draft"
    if not was_draft:
        _check_effective_on(plan, data.effective_on)
    _move(plan, "end", on=data.effective_on, reason=data.reason)
    if not was_draft:
        _announce_end(plan, data.effective_on, data.reason, session)
    session.commit()
    return plan


def _announce_end(plan: CarePlan, on: date, reason: str | None, session: Session) -> None:
    record_event(session, CarePlanEnded(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        effective_on=on, reason=reason,
    ), subject=str(plan.client_id), municipality=plan.municipality_code)


def end_plans_of_departed_client(client: Client, *, session: Session) -> list[CarePlan]:
    """A client who died or moved away gets no more visits: their running plans
    end today, with the client's status as the reason. The caller commits."""
    today = today_in(client.municipality_code, session=session)
    plans = session.scalars(select(CarePlan).where(CarePlan.client_id == client.id,
                                                   CarePlan.status.in_(("active", "suspended")))).all()
    for plan in plans:
        on = max(today, plan.status_since or plan.starts_on)
        _move(plan, "end", on=on, reason=client.status)
        _announce_end(plan, on, client.status, session)
    return plans


def suspend_plans_without_consent(client_id: uuid.UUID, *, session: Session) -> list[CarePlan]:
    """Suspends the client's active plans if their consent to services is no
    longer in force. Call it in the transaction that records a consent decision,
    before that transaction commits (the caller commits)."""
    decision = decision_in_force(client_id, CONSENT_PURPOSE, session=session)
    if decision is not None and decision.given:
        return []
    client = session.get(Client, client_id)
    withdrawn_on = decision.decided_on if decision else today_in(client.municipality_code, session=session)
    plans = session.scalars(select(CarePlan).where(CarePlan.client_id == client_id,
                                                   CarePlan.status == "active")).all()
    # From the day consent was withdrawn, but within each plan's current run.
    return [_suspend(plan, max(withdrawn_on, plan.status_since or plan.starts_on), CONSENT_WITHDRAWN, session)
            for plan in plans]


def announce_client_change(client_id: uuid.UUID, *, session: Session) -> None:
    """Tells scheduling the client's running plans as they are now: call it (before
    committing) when the client's visit location, settlement or language changes."""
    client = session.get(Client, client_id)
    for plan in session.scalars(select(CarePlan).where(CarePlan.client_id == client_id,
                                                       CarePlan.status == "active")).all():
        record_event(session, _in_force(CarePlanChanged, plan, client), subject=str(client_id),
                     municipality=plan.municipality_code)


def _allowed(plan: CarePlan, action: str) -> None:
    try:
        rules.next_status(plan.status, action)
    except rules.TransitionNotAllowed as exc:
        raise Conflict(str(exc), field="status", current_status=plan.status,
                       allowed_actions=rules.allowed_actions(plan.status)) from None


def _move(plan: CarePlan, action: str, *, on: date, reason: str | None) -> None:
    plan.status = rules.next_status(plan.status, action)
    plan.status_since, plan.status_reason = on, reason
    plan.changed_at = datetime.now(UTC)


def _suspend(plan: CarePlan, on: date, reason: str, session: Session) -> CarePlan:
    _move(plan, "suspend", on=on, reason=reason)
    record_event(session, CarePlanSuspended(
        careplan_id=plan.id, client_id=plan.client_id, municipality=plan.municipality_code,
        effective_on=on, reason=reason,
    ), subject=str(plan.client_id), municipality=plan.municipality_code)
    return plan


def _check_effective_on(plan: CarePlan, on: date) -> None:
    """A running plan's next status takes effect within it: not before it starts,
    nor before its current status took effect."""
    earliest = max(plan.starts_on, plan.status_since or plan.starts_on)
    if on < earliest:
        raise Invalid("effective_on", f"must be on or after {earliest}")


def _not_ready(plan: CarePlan, *, on: date | None = None) -> list[FieldError]:
    """What the plan itself lacks to run from ``on`` (its start by default)."""
    errors: list[FieldError] = []
    if not plan.lines:
        errors.append(("lines", "the plan has no lines"))
    agreement, day = plan.agreement, on or plan.starts_on
    if agreement is not None and not rules.in_force(agreement.starts_on, agreement.ends_on, day):
        errors.append(("agreement_id", f"agreement {agreement.number} is not in force on {day} "
                                       f"({agreement.starts_on}..{agreement.ends_on})"))
    return errors


def _client_not_ready(client: Client) -> list[FieldError]:
    """Services start only for a client who is active (not moved, deceased or inactive);
    the consent to services is checked after, with ``require_consent``."""
    if client.status != "active":
        return [("client", f"the client is {client.status}")]
    return []


def _conflict(errors: list[FieldError]) -> Problem:
    """409: the plan or the client is not in a state that lets the plan run."""
    detail = "the plan cannot run yet: " + "; ".join(message for _, message in errors)
    return Conflict(detail, field=errors[0][0], errors=[{"field": f, "message": m} for f, m in errors])


def _in_force(event: type[CarePlanActivated | CarePlanChanged], plan: CarePlan, client: Client):
    """The plan as scheduling needs it. Of the client: ids, the visit location and language only."""
    location = (Location(latitude=client.latitude, longitude=client.longitude)
                if client.latitude is not None and client.longitude is not None else None)
    return event(
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
    )


# -- care plans: reading -------------------------------------------------------------------


def get_plan(plan_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> CarePlan:
    """Another municipality's plan is answered as not found. ``for_update`` locks
    the row, so two changes of one plan (two activations...) run one after the other."""
    plan = session.get(CarePlan, plan_id, with_for_update=for_update)
    if plan is None or not principal.can_access(plan.municipality_code):
        raise NotFound("care plan", plan_id)
    return plan


def list_plans(principal: Principal, *, client_id: uuid.UUID | None, status: str | None,
               municipality: str | None, limit: int, offset: int, session: Session) -> tuple[list[CarePlan], int]:
    """A page of the plans in the caller's scope, the newest first, and how many there are in all."""
    query = select(CarePlan)
    if not principal.all_municipalities:
        query = query.where(CarePlan.municipality_code.in_(principal.municipalities))
    if municipality:
        query = query.where(CarePlan.municipality_code == municipality)
    if client_id:
        query = query.where(CarePlan.client_id == client_id)
    if status:
        query = query.where(CarePlan.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = (query.options(selectinload(CarePlan.lines))  # one query for the lines of the whole page
            .order_by(CarePlan.created_at.desc(), CarePlan.id).limit(limit).offset(offset))
    return list(session.scalars(page)), total
