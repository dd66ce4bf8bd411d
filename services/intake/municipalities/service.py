"""Registering municipalities: the catalogue is data, never code."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.intake.models import Municipality
from services.intake.municipalities.schemas import MunicipalityCreate
from shared.events.intake import MunicipalityRegistered
from shared.messaging.outbox import record_event
from shared.web import Conflict


def register_municipality(data: MunicipalityCreate, *, session: Session) -> Municipality:
    if session.get(Municipality, data.code) is not None:
        raise Conflict(f"municipality {data.code} is already registered", field="code")
    municipality = Municipality(**data.model_dump(), registered_at=datetime.now(UTC))
    session.add(municipality)
    record_event(session, MunicipalityRegistered(**data.model_dump()),
                 subject=data.code, municipality=data.code)
    session.commit()
    return municipality


def list_municipalities(*, session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.code)))
