"""Events scheduling consumes, one function per type: each translates the event
into a call of a feature's service function."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from services.scheduling.catalogue import service as catalogue
from services.scheduling.visits import service as visits
from shared.events import Envelope
from shared.events.intake import (
    CarePlanActivated,
    CarePlanChanged,
    CarePlanEnded,
    CarePlanSuspended,
    CodeChanged,
    CodeRegistered,
    MunicipalityRegistered,
    ServiceTypeChanged,
    ServiceTypeRegistered,
)
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()


@registry.on(MunicipalityRegistered)
def on_municipality_registered(event: MunicipalityRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_municipality(event, as_of=envelope.time, session=session)


@registry.on(ServiceTypeRegistered)
def on_service_type_registered(event: ServiceTypeRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_service_type(event, active=True, as_of=envelope.time, session=session)


@registry.on(ServiceTypeChanged)
def on_service_type_changed(event: ServiceTypeChanged, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_service_type(event, active=event.active, as_of=envelope.time, session=session)


@registry.on(CodeRegistered)
def on_code_registered(event: CodeRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_staff_role(event, active=True, as_of=envelope.time, session=session)


@registry.on(CodeChanged)
def on_code_changed(event: CodeChanged, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_staff_role(event, active=event.active, as_of=envelope.time, session=session)


@registry.on(CarePlanActivated)
def on_careplan_activated(event: CarePlanActivated, envelope: Envelope, *, session: Session) -> None:
    """The plan's visits are planned over the horizon and given to staff."""
    visits.keep_plan_in_force(event, as_of=envelope.time, now=datetime.now(UTC), session=session)


@registry.on(CarePlanChanged)
def on_careplan_changed(event: CarePlanChanged, envelope: Envelope, *, session: Session) -> None:
    """Its visits that have not started are planned again."""
    visits.keep_plan_in_force(event, as_of=envelope.time, now=datetime.now(UTC), session=session)


@registry.on(CarePlanSuspended)
def on_careplan_suspended(event: CarePlanSuspended, envelope: Envelope, *, session: Session) -> None:
    visits.keep_plan_stopped(event, status="suspended", as_of=envelope.time, now=datetime.now(UTC), session=session)


@registry.on(CarePlanEnded)
def on_careplan_ended(event: CarePlanEnded, envelope: Envelope, *, session: Session) -> None:
    visits.keep_plan_stopped(event, status="ended", as_of=envelope.time, now=datetime.now(UTC), session=session)
