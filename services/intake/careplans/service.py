"""Agreements and care plans.

A care plan is what scheduling plans visits from: while it is active,
scheduling holds a copy made from ``CarePlanActivated`` / ``CarePlanChanged``
(ids, service lines, settlement, visit coordinates, language) and nothing else
personal. The lifecycle itself is in ``rules.LIFECYCLE``; the moves, and those
that the client's changes make, are in ``transitions``, which also holds the
lock (``lock_plan``) a plan's moves take, after its client."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from services.intake.access.lookups import get_readable, readable
from services.intake.careplans import rules, transitions
from services.intake.careplans.rules import AGREEMENT_ENDED, EARLIEST_DAY, SUSPENSION_REASONS, Action
from services.intake.careplans.schemas import (
    AgreementCreate,
    AgreementFilters,
    CarePlanCreate,
    CarePlanFilters,
    CarePlanUpdate,
    Ending,
    LineCreate,
    LineUpdate,
    Resumption,
    Suspension,
)
from services.intake.catalogue.lookups import require_code, require_service_type, today_in
from services.intake.clients import rules as client_rules
from services.intake.consents.rules import SERVICES
from services.intake.consents.service import require_consent
from services.intake.models import (
    Agreement,
    CarePlan,
    CarePlanLine,
    CarePlanStatusChange,
    Client,
    Programme,
    ServiceType,
)
from services.intake.staff.lookups import require_staff_member
from shared.auth import Principal
from shared.db import flush_unique
from shared.errors import Conflict, FieldError, Invalid, NotFound
from shared.events.intake import AgreementSigned, CarePlanActivated, CarePlanChanged
from shared.messaging.outbox import record_event
from shared.paging import Page, paginate

# -- agreements ---------------------------------------------------------------------------


def sign_agreement(client: Client, data: AgreementCreate, *, session: Session) -> Agreement:
    programme = _programme_for(client, data.programme, session)
    ends_on = data.ends_on or programme.ends_on
    outside = _check_agreement_dates(data, ends_on, programme, today_in(client.municipality_code, session=session))
    _check_number_is_new(client.municipality_code, data, session)
    agreement = Agreement(
        id=uuid.uuid4(), client_id=client.id, municipality_code=client.municipality_code,
        programme_code=programme.code, number=data.number, signed_on=data.signed_on,
        starts_on=data.starts_on, ends_on=ends_on, outside_programme_period=outside)
    session.add(agreement)
    flush_unique(session, _number_taken(data))  # a concurrent request may have used the number
    record_event(session, AgreementSigned(
        agreement_id=agreement.id, client_id=client.id, municipality=client.municipality_code,
        programme=programme.code, signed_on=data.signed_on, starts_on=data.starts_on, ends_on=ends_on,
    ), subject=str(client.id), municipality=client.municipality_code)
    return agreement


def _programme_for(client: Client, code: str, session: Session) -> Programme:
    programme = session.get(Programme, code)
    if programme is None:
        raise Invalid("programme", f"unknown programme {code!r}")
    if client.municipality_code not in {m.code for m in programme.municipalities}:
        raise Invalid("programme", f"programme {code} does not cover municipality {client.municipality_code}")
    return programme


def _check_agreement_dates(data: AgreementCreate, ends_on: date, programme: Programme, today: date) -> bool:
    """422 for dates that cannot be. Returns whether they fall outside the programme's period:
    the programme's dates are a check, not a cage, so the coordinator may say they do."""
    if errors := _signing_problems(data, today) + rules.period_problems(data.starts_on, ends_on, today=today):
        raise Invalid.fields(errors)
    outside = not rules.within(data.starts_on, ends_on, (programme.starts_on, programme.ends_on))
    if outside and not data.outside_programme_period:
        raise Invalid(*_outside_programme(data, programme))
    return outside


def _signing_problems(data: AgreementCreate, today: date) -> list[FieldError]:
    if data.signed_on > today:
        return [("signed_on", "cannot be in the future")]
    if data.signed_on > data.starts_on:
        return [("signed_on", "an agreement is signed before or on the day it starts")]
    if data.signed_on < EARLIEST_DAY:
        return [("signed_on", f"must be on or after {EARLIEST_DAY}")]
    return []


def _outside_programme(data: AgreementCreate, programme: Programme) -> FieldError:
    starts_within = rules.in_force(programme.starts_on, programme.ends_on, data.starts_on)
    why = (f"outside the programme's period {programme.starts_on}..{programme.ends_on}: "
           "send outside_programme_period true if the agreement really runs outside it")
    return ("ends_on" if starts_within else "starts_on"), why


def _check_number_is_new(municipality: str, data: AgreementCreate, session: Session) -> None:
    taken = session.scalar(select(Agreement.id).where(
        Agreement.municipality_code == municipality, Agreement.programme_code == data.programme,
        Agreement.number == data.number))
    if taken is not None:
        raise _number_taken(data)


def _number_taken(data: AgreementCreate) -> Conflict:
    return Conflict(f"agreement {data.number} already exists in programme {data.programme}", field="number")


def list_agreements(client: Client, *, session: Session) -> list[Agreement]:
    return list(session.scalars(select(Agreement).where(Agreement.client_id == client.id)
                                .order_by(Agreement.starts_on.desc())))


def get_agreement(client: Client, agreement_id: uuid.UUID, *, session: Session) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.client_id != client.id:
        raise NotFound("agreement", agreement_id)
    return agreement


def find_agreements(filters: AgreementFilters, principal: Principal, *, session: Session) -> Page[Agreement]:
    """A page of the agreements of the caller's municipalities that match every filter given
    (403 for a municipality outside them), the latest signed first."""
    query = select(Agreement).where(readable(principal, Agreement, only=filters.municipality))
    query = query.where(*_agreement_conditions(filters))
    return paginate(session, query, filters, order=(Agreement.signed_on.desc(), Agreement.id))


def _agreement_conditions(filters: AgreementFilters) -> list[ColumnElement[bool]]:
    """A condition per filter given."""
    conditions: dict[str, Callable[[Any], ColumnElement[bool]]] = {
        "programme": lambda code: Agreement.programme_code == code,
        "client_id": lambda client_id: Agreement.client_id == client_id,
        "signed_from": lambda day: Agreement.signed_on >= day,
        "signed_to": lambda day: Agreement.signed_on <= day,
        "as_of": lambda day: and_(Agreement.starts_on <= day, or_(Agreement.ends_on.is_(None),
                                                                  Agreement.ends_on >= day)),
    }
    return [condition(value) for name, condition in conditions.items()
            if (value := getattr(filters, name)) is not None]


# -- care plans: drafting and changing ---------------------------------------------------------


def create_plan(client: Client, data: CarePlanCreate, *, created_by: str, session: Session) -> CarePlan:
    agreement = _agreement_of(client, data.agreement_id, session)
    _check_plan_dates(data.starts_on, data.ends_on, client.municipality_code, session)
    now = datetime.now(UTC)
    plan = CarePlan(id=uuid.uuid4(), client_id=client.id, municipality_code=client.municipality_code,
                    agreement=agreement, status=rules.LIFECYCLE.initial, starts_on=data.starts_on,
                    ends_on=data.ends_on, created_at=now, created_by=created_by, changed_at=now)
    plan.lines = _lines(data.lines, agreement, {}, client.municipality_code, session)
    session.add(plan)
    session.flush()  # the answer shows the keys the relationships set (agreement_id, service types)
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
    _check_plan_dates(plan.starts_on, plan.ends_on, plan.municipality_code, session)
    if "lines" in sent:
        plan.lines = _lines(data.lines, plan.agreement, {line.id: line for line in plan.lines},
                            plan.municipality_code, session)
    else:  # a new agreement may not pay for the lines already there
        _check_programme_pays(plan.lines, plan.agreement)
    if plan.status == rules.ACTIVE:
        if errors := _not_ready(plan):
            raise Invalid.fields(errors)
        transitions.announce(CarePlanChanged, plan, client, session=session)
    plan.changed_at = datetime.now(UTC)
    session.flush()  # the answer shows the keys the relationships set (agreement_id, service types)
    return plan


def _agreement_of(client: Client, agreement_id: uuid.UUID | None, session: Session) -> Agreement | None:
    if agreement_id is None:
        return None
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.client_id != client.id:
        raise Invalid("agreement_id", f"the client has no agreement {agreement_id}")
    return agreement


def _check_plan_dates(starts_on: date, ends_on: date | None, municipality: str, session: Session) -> None:
    if errors := rules.period_problems(starts_on, ends_on, today=today_in(municipality, session=session)):
        raise Invalid.fields(errors)


def _lines(lines: list[LineCreate] | list[LineUpdate], agreement: Agreement | None,
           existing: dict[uuid.UUID, CarePlanLine], municipality: str, session: Session) -> list[CarePlanLine]:
    """The plan's new lines; a line sent with the id of an existing one keeps that id."""
    made = [_line(i, line, existing, municipality, session) for i, line in enumerate(lines)]
    for position, line in enumerate(made):
        if line in made[:position]:
            raise Invalid(f"lines.{position}.id", f"line {line.id} is listed twice")
    _check_programme_pays(made, agreement)
    return made


def _line(position: int, data: LineCreate | LineUpdate, existing: dict[uuid.UUID, CarePlanLine],
          municipality: str, session: Session) -> CarePlanLine:
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
    if data.preferred_worker is not None:
        _require_worker_for(service_type, data.preferred_worker, municipality, position, session)
    line.preferred_worker = data.preferred_worker
    line.place = data.place or rules.default_place(service_type.mode)
    return line


def _require_worker_for(service_type: ServiceType, staff_id: uuid.UUID, municipality: str, position: int,
                        session: Session) -> None:
    """A preferred worker is a member of the municipality's staff in a role that delivers the service."""
    field = f"lines.{position}.preferred_worker"
    member = require_staff_member(staff_id, municipality, on=today_in(municipality, session=session), field=field,
                                  session=session)
    if not set(member.roles) & set(service_type.staff_roles):
        raise Invalid(field, f"staff member {staff_id} has none of the roles that deliver {service_type.code} "
                             f"({', '.join(service_type.staff_roles)})")


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
# The routes move a plan they took with ``plan_to_change``: locked after its client.


def activate(plan: CarePlan, *, by: str, session: Session) -> CarePlan:
    rules.LIFECYCLE.check(plan.status, "activate")
    return _run(plan, "activate", on=plan.starts_on, by=by, session=session)


def resume(plan: CarePlan, data: Resumption, *, by: str, session: Session) -> CarePlan:
    """A suspended plan runs again: scheduling gets the whole plan, as on activation."""
    rules.LIFECYCLE.check(plan.status, "resume")
    on = data.effective_on or today_in(plan.municipality_code, session=session)
    _check_effective_on(plan, on)
    return _run(plan, "resume", on=on, by=by, note=data.note, session=session)


def _run(plan: CarePlan, action: Action, *, on: date, by: str, session: Session, note: str | None = None) -> CarePlan:
    """Activating or resuming: the plan, the client and their consent must let it run from ``on``."""
    client = session.get(Client, plan.client_id)
    if errors := _not_ready(plan, on=max(on, plan.starts_on)) + _client_not_ready(client):
        raise _conflict(errors)
    require_consent(client.id, SERVICES, session=session)
    transitions.move(plan, action, on=on, reason=None, by=by, note=note)
    transitions.announce(CarePlanActivated, plan, client, session=session)
    return plan


def suspend(plan: CarePlan, data: Suspension, *, by: str, session: Session) -> CarePlan:
    rules.LIFECYCLE.check(plan.status, "suspend")
    _check_effective_on(plan, data.effective_on)
    require_code(SUSPENSION_REASONS, data.reason, session=session, field="reason")
    return transitions.suspend(plan, on=data.effective_on, reason=data.reason, by=by, note=data.note,
                               session=session)


def end(plan: CarePlan, data: Ending, *, by: str, session: Session) -> CarePlan:
    """Ends a running plan, or cancels a draft (which scheduling never heard of)."""
    rules.LIFECYCLE.check(plan.status, "end")
    if plan.status in rules.RUNNING:
        _check_effective_on(plan, data.effective_on)
    return transitions.end(plan, on=data.effective_on, reason=data.reason, by=by, note=data.note, session=session)


def end_plans_whose_agreement_ended(*, session: Session) -> list[CarePlan]:
    """Running plans end by themselves the day after their agreement's last day, in the
    municipality's calendar. Idempotent: a plan this ended is no longer running."""
    return [transitions.end(plan, on=max(plan.agreement.ends_on + timedelta(days=1),
                                         transitions.current_run_start(plan)),
                            reason=AGREEMENT_ENDED, session=session)
            for plan in _running_past_their_agreement(session)]


def _running_past_their_agreement(session: Session) -> list[CarePlan]:
    """Each locked after its client, and read again, as a request may have moved it meanwhile."""
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)  # no municipality's today is later
    candidates = list(session.scalars(select(CarePlan).join(CarePlan.agreement).where(
        CarePlan.status.in_(sorted(rules.RUNNING)), Agreement.ends_on < tomorrow)))
    return [plan for plan in candidates if _past_its_agreement(transitions.lock_plan(plan, session=session), session)]


def _past_its_agreement(plan: CarePlan, session: Session) -> bool:
    agreement = plan.agreement
    return (plan.status in rules.RUNNING and agreement is not None and agreement.ends_on is not None
            and agreement.ends_on < today_in(plan.municipality_code, session=session))


def _check_effective_on(plan: CarePlan, on: date) -> None:
    """A running plan's next status takes effect within it: not before it starts,
    nor before its current status took effect."""
    earliest = max(plan.starts_on, transitions.current_run_start(plan))
    if on < earliest:
        raise Invalid("effective_on", f"must be on or after {earliest}")


def _not_ready(plan: CarePlan, *, on: date | None = None) -> list[FieldError]:
    """What the plan itself lacks to run from ``on`` (its start by default)."""
    errors: list[FieldError] = []
    if not plan.lines:
        errors.append(("lines", "the plan has no lines"))
    agreement, day = plan.agreement, on or plan.starts_on
    if agreement is not None and not rules.in_force(agreement.starts_on, agreement.ends_on, day):
        errors.append(("agreement_id", (f"agreement {agreement.number} is not in force on {day} "
                                        f"({agreement.starts_on}..{agreement.ends_on})")))
    return errors


def _client_not_ready(client: Client) -> list[FieldError]:
    """Services start only for a client who is active (not moved, deceased or inactive);
    the consent to services is checked after, with ``require_consent``."""
    if client.status != client_rules.ACTIVE:
        return [("client", f"the client is {client.status}")]
    return []


def _conflict(errors: list[FieldError]) -> Conflict:
    """409: the plan or the client is not in a state that lets the plan run."""
    detail = "the plan cannot run yet: " + "; ".join(message for _, message in errors)
    return Conflict(detail, field=errors[0][0], errors=[{"field": f, "message": m} for f, m in errors])


# -- care plans: reading -------------------------------------------------------------------


def get_plan(plan_id: uuid.UUID, principal: Principal, *, session: Session) -> CarePlan:
    """A plan the caller may not read (another municipality's...) is answered as not found."""
    return get_readable(session, CarePlan, plan_id, principal, what="care plan")


def plan_to_change(plan_id: uuid.UUID, principal: Principal, *, session: Session) -> CarePlan:
    """The plan, locked after its client until the transaction ends: two changes of one plan,
    or a plan's move and its client's consent decision, run one after the other."""
    return transitions.lock_plan(get_plan(plan_id, principal, session=session), session=session)


def list_plans(filters: CarePlanFilters, principal: Principal, *, session: Session) -> Page[CarePlan]:
    """A page of the plans in the caller's scope, the newest first (403 for a municipality outside it)."""
    query = select(CarePlan).where(readable(principal, CarePlan, only=filters.municipality))
    if filters.client_id:
        query = query.where(CarePlan.client_id == filters.client_id)
    query = _with_status(query, filters)
    return paginate(session, query.options(selectinload(CarePlan.lines)),  # one query for the page's lines
                    filters, order=(CarePlan.created_at.desc(), CarePlan.id))


def _with_status(query: Select, filters: CarePlanFilters) -> Select:
    if filters.status is None and filters.as_of is not None:
        raise Invalid("as_of", "is the day the status filter refers to: give status too")
    if filters.status is None:
        return query
    status = CarePlan.status if filters.as_of is None else _status_on(filters.as_of)
    return query.where(status == filters.status)


def _status_on(day: date) -> ColumnElement[str]:
    """A plan's status on ``day``: that of its last move taking effect by then (a draft before any)."""
    change = CarePlanStatusChange
    last = (select(change.status).where(change.care_plan_id == CarePlan.id, change.effective_on <= day)
            .order_by(change.effective_on.desc(), change.changed_at.desc()).limit(1)
            .correlate(CarePlan).scalar_subquery())
    return func.coalesce(last, rules.DRAFT)
