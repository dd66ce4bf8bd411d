"""Indicators computed from the read models, and the read models kept from events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.models import ClientRegistration
from shared.auth import Principal
from shared.events.intake import ClientRegistered
from shared.scope import in_scope


def count_registration(event: ClientRegistered, *, registered_at: datetime, session: Session) -> None:
    """Once per client: a repeated event finds the row already there."""
    session.merge(ClientRegistration(client_id=event.client_id, municipality=event.municipality,
                                     registered_at=registered_at))


def registered_clients(principal: Principal, *, municipality: str | None, session: Session) -> dict[str, int]:
    """Registered clients per municipality of the caller's scope (one, if ``municipality`` is given)."""
    query = select(ClientRegistration.municipality, func.count()).group_by(ClientRegistration.municipality)
    query = in_scope(query, principal, ClientRegistration.municipality, only=municipality)
    counts = dict(session.execute(query).all())
    return {municipality: counts.get(municipality, 0)} if municipality else dict(sorted(counts.items()))
