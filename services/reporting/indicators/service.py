"""Indicators computed from the read models."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.models import ClientRegistration


def registered_clients(*, session: Session) -> dict[str, int]:
    """Registered clients per municipality."""
    rows = session.execute(
        select(ClientRegistration.municipality, func.count()).group_by(ClientRegistration.municipality)
    )
    return {municipality: count for municipality, count in rows}
