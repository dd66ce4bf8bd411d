"""Checks that a reference to a worker names a member of staff scheduling has published;
the features that hold such references call them."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.models import StaffMember
from shared.errors import Invalid
from shared.events.scheduling import has_left


def require_staff_member(staff_id: uuid.UUID, municipality: str, *, on: date, field: str,
                         session: Session) -> StaffMember:
    """The member ``staff_id`` of ``municipality``'s staff, working on ``on`` (else 422 naming ``field``)."""
    member = session.get(StaffMember, staff_id)
    if member is None or member.municipality_code != municipality or has_left(member.left_on, on=on):
        raise Invalid(field, f"no member of staff {staff_id} working in {municipality} on {on}")
    return member


def require_staff_subject(subject: str, municipality: str | None, *, on: date, field: str,
                          session: Session) -> str:
    """``subject``, the token subject of a member of staff working on ``on``, of ``municipality``
    unless None (an expert supervises across the network); else 422 naming ``field``."""
    query = select(StaffMember).where(StaffMember.subject == subject)
    if municipality is not None:
        query = query.where(StaffMember.municipality_code == municipality)
    if not any(not has_left(member.left_on, on=on) for member in session.scalars(query)):
        where = f" of {municipality}" if municipality else ""
        raise Invalid(field, f"{subject} is not a member of staff{where} working on {on}")
    return subject
