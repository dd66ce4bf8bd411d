"""Consent per purpose: the latest decision is in force."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.models import Consent


def consent_in_force(client_id: uuid.UUID, purpose: str, *, session: Session) -> bool:
    """Whether the client's latest decision for ``purpose`` is a consent."""
    latest = session.scalars(
        select(Consent).where(Consent.client_id == client_id, Consent.purpose == purpose)
        .order_by(Consent.decided_on.desc(), Consent.recorded_at.desc()).limit(1)
    ).first()
    return bool(latest and latest.given)
