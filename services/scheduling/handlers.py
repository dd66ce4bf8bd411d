"""Events scheduling consumes, one function per type."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.scheduling.models import Municipality, ServiceType
from shared.events import Envelope
from shared.events.intake import ServiceTypeChanged, ServiceTypeRegistered
from shared.messaging.handlers import HandlerRegistry
from shared.replicas import keep_municipality_replica

registry = HandlerRegistry()
keep_municipality_replica(registry, Municipality)


@registry.on(ServiceTypeRegistered)
def on_service_type_registered(event: ServiceTypeRegistered, envelope: Envelope, *, session: Session) -> None:
    keep_service_type(event, active=True, as_of=envelope.time, session=session)


@registry.on(ServiceTypeChanged)
def on_service_type_changed(event: ServiceTypeChanged, envelope: Envelope, *, session: Session) -> None:
    keep_service_type(event, active=event.active, as_of=envelope.time, session=session)


def keep_service_type(event: ServiceTypeRegistered | ServiceTypeChanged, *, active: bool, as_of: datetime,
                      session: Session) -> None:
    """Store the service type as the event describes it, unless a later event is already
    kept: a retried ``registered`` may arrive after the ``changed`` that followed it."""
    kept = session.get(ServiceType, event.code)
    if kept is not None and kept.as_of > as_of:
        return
    session.merge(ServiceType(code=event.code, names=event.names, mode=event.mode, staff_roles=event.staff_roles,
                              default_duration_minutes=event.default_duration_minutes, unit=event.unit,
                              active=active, as_of=as_of))

