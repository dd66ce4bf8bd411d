"""Scheduling's copy of intake's catalogue: municipalities (visits are planned in
their time zone), service types (durations, staff roles) and the staff-role code
list, kept from events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.models import Municipality, ServiceType, StaffRole
from shared.auth import Principal
from shared.events.intake import CodeRegistered, MunicipalityRegistered, ServiceTypeRegistered
from shared.replicas import keep_latest
from shared.scope import in_scope


def keep_municipality(event: MunicipalityRegistered, *, as_of: datetime, session: Session) -> None:
    keep_latest(session, Municipality(code=event.code, name=event.name, timezone=event.timezone, as_of=as_of))


def keep_service_type(event: ServiceTypeRegistered, *, active: bool, as_of: datetime, session: Session) -> None:
    """``registered`` and ``changed`` both describe the whole service type."""
    keep_latest(session, ServiceType(
        code=event.code, names=event.names, mode=event.mode, staff_roles=event.staff_roles,
        default_duration_minutes=event.default_duration_minutes, unit=event.unit, active=active, as_of=as_of))


STAFF_ROLE = "staff_role"  # the code list whose entries scheduling keeps


def keep_staff_role(event: CodeRegistered, *, active: bool, as_of: datetime, session: Session) -> None:
    if event.kind == STAFF_ROLE:
        keep_latest(session, StaffRole(code=event.code, active=active, as_of=as_of))


def list_municipalities(principal: Principal, *, session: Session) -> list[Municipality]:
    query = in_scope(select(Municipality).order_by(Municipality.code), principal, Municipality.code)
    return list(session.scalars(query))


def list_service_types(*, include_inactive: bool, session: Session) -> list[ServiceType]:
    query = select(ServiceType).order_by(ServiceType.code)
    if not include_inactive:
        query = query.where(ServiceType.active.is_(True))
    return list(session.scalars(query))
