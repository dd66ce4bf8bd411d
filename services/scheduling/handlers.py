"""Events scheduling consumes, one function per type: each translates the event
into a call of a feature's service function."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.scheduling.catalogue import service as catalogue
from shared.events import Envelope
from shared.events.intake import (
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
