"""Checks that a request names what scheduling's catalogue holds; other features call them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.scheduling.models import Municipality, StaffRole
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
