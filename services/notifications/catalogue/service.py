"""Notifications' copy of intake's municipalities: the language and time zone
messages go out in, kept from events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.notifications.models import Municipality
from shared.auth import Principal
from shared.events.intake import MunicipalityRegistered
from shared.replicas import keep_latest
from shared.scope import in_scope


def keep_municipality(event: MunicipalityRegistered, *, as_of: datetime, session: Session) -> None:
    keep_latest(session, Municipality(code=event.code, name=event.name, language=event.language,
                                      timezone=event.timezone, as_of=as_of))


def list_municipalities(principal: Principal, *, session: Session) -> list[Municipality]:
    query = in_scope(select(Municipality).order_by(Municipality.code), principal, Municipality.code)
    return list(session.scalars(query))
