"""The catalogue: networks, municipalities, settlements, programmes, service
types and code lists. All of it is data; adding to it is an API call."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.catalogue.schemas import MunicipalityCreate
from services.intake.models import CodeListEntry, Municipality, ServiceType
from shared.events.intake import MunicipalityRegistered
from shared.messaging.outbox import record_event
from shared.web import Conflict, Invalid

CODE_LISTS = ("target_group", "case_category", "staff_role")


def require_code(kind: str, code: str, *, session: Session, field: str) -> CodeListEntry:
    """The active entry ``code`` of the code list ``kind``, else 422 naming ``field``."""
    entry = session.get(CodeListEntry, (kind, code))
    if entry is None or not entry.active:
        raise Invalid(field, f"unknown {kind.replace('_', ' ')} {code!r}")
    return entry


def require_service_type(code: str, *, session: Session, field: str) -> ServiceType:
    service_type = session.get(ServiceType, code)
    if service_type is None or not service_type.active:
        raise Invalid(field, f"unknown service type {code!r}")
    return service_type


def require_municipality(code: str, *, session: Session, field: str = "municipality") -> Municipality:
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise Invalid(field, f"unknown municipality {code!r}")
    return municipality


def register_municipality(data: MunicipalityCreate, *, session: Session) -> Municipality:
    if session.get(Municipality, data.code) is not None:
        raise Conflict(f"municipality {data.code} is already registered", field="code")
    municipality = Municipality(**data.model_dump(), registered_at=datetime.now(UTC))
    session.add(municipality)
    record_event(session, MunicipalityRegistered(**data.model_dump()),
                 subject=data.code, municipality=data.code)
    session.commit()
    return municipality


def list_municipalities(*, session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.code)))
