"""Checks that a request names what scheduling's catalogue holds; other features call them."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from services.scheduling.models import Municipality, ServiceType, StaffRole
from shared.errors import Invalid


def require_municipality(code: str, *, session: Session, field: str = "municipality") -> Municipality:
    """The municipality ``code`` as intake registered it (else 422 naming ``field``)."""
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise Invalid(field, f"no municipality {code} (known to scheduling from intake)")
    return municipality


def require_staff_roles(codes: list[str], *, session: Session, field: str = "roles") -> list[str]:
    """``codes``, each an active entry of intake's staff-role list (else 422 naming the entry)."""
    for index, code in enumerate(codes):
        role = session.get(StaffRole, code)
        if role is None or not role.active:
            raise Invalid(f"{field}.{index}", f"{code} is not an active staff role of the network's list")
    return codes


def zone_of(code: str, *, session: Session) -> str:
    """The municipality's time zone: its visits' days and hours are its local ones (UTC until known)."""
    municipality = session.get(Municipality, code)
    return municipality.timezone if municipality else "UTC"


def local_day(code: str, moment: datetime, *, session: Session) -> date:
    """The day ``moment`` falls on in the municipality's calendar."""
    return moment.astimezone(ZoneInfo(zone_of(code, session=session))).date()


def mode_of(service_type: str, *, session: Session) -> str | None:
    """How the service is delivered (home_visit, centre, group, phone, mobile_unit); None until known."""
    found = session.get(ServiceType, service_type)
    return found.mode if found else None


def roles_for(service_type: str, *, session: Session) -> frozenset[str]:
    """The staff roles that deliver the service (none until it is known)."""
    found = session.get(ServiceType, service_type)
    return frozenset(found.staff_roles) if found else frozenset()


def duration_of(service_type: str, *, session: Session) -> int:
    """The service's default length in minutes (an hour until it is known)."""
    found = session.get(ServiceType, service_type)
    return found.default_duration_minutes if found else 60
