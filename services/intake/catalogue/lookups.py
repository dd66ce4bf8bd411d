"""Catalogue lookups the other features of intake use: a code, service type,
municipality or network a request names (else 422 naming the request's field),
and today's date in a municipality."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.intake.models import CodeListEntry, Municipality, Network, ServiceType
from shared.errors import Invalid


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


def require_network(code: str, *, session: Session, field: str = "network") -> Network:
    network = session.get(Network, code)
    if network is None:
        raise Invalid(field, f"unknown network {code!r}")
    return network


def today_in(municipality_code: str, *, session: Session) -> date:
    """Today where the municipality is: "not in the future" and "overdue" follow
    its calendar, not the server's."""
    municipality = session.get(Municipality, municipality_code)
    return datetime.now(ZoneInfo(municipality.timezone) if municipality else UTC).date()
