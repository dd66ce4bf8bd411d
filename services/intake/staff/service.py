"""Intake's copy of scheduling's staff, kept from its events: who a plan or a case may name."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.intake.models import StaffMember
from shared.events.scheduling import StaffRegistered
from shared.replicas import keep_latest


def keep_staff_member(event: StaffRegistered, *, as_of: datetime, session: Session) -> None:
    """``registered``, ``changed`` and ``left`` each describe the whole member."""
    keep_latest(session, StaffMember(id=event.staff_id, subject=event.subject, municipality_code=event.municipality,
                                     roles=event.roles, left_on=event.left_on, as_of=as_of))
