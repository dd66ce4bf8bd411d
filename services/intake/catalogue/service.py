"""The catalogue: networks, municipalities, settlements, programmes, service
types and code lists. All of it is data; adding to it is an API call."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.intake.models import CodeListEntry, Municipality, ServiceType
from shared.web import Invalid

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
