"""Local copies of intake's municipality catalogue, kept by events.

Scheduling and notifications keep their own replica (no service reads another's
database), built from ``intake.municipality.registered.v1``.
"""
from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.auth import Principal, current_principal
from shared.events import Envelope
from shared.events.intake import MunicipalityRegistered
from shared.messaging.handlers import HandlerRegistry
from shared.web import db_session


class MunicipalityReplica:
    """Mixin for a service's ``municipality`` table."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]


class MunicipalityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    language: str
    timezone: str


def keep_municipality_replica(handlers: HandlerRegistry, model: type[MunicipalityReplica]) -> None:
    @handlers.on(MunicipalityRegistered)
    def on_municipality_registered(event: MunicipalityRegistered, envelope: Envelope, *, session: Session) -> None:
        session.merge(model(code=event.code, name=event.name, language=event.language,
                            timezone=event.timezone, registered_at=envelope.time))


def municipality_replica_router(model: type[MunicipalityReplica]) -> APIRouter:
    router = APIRouter(tags=["municipalities"])

    @router.get("/municipalities", response_model=list[MunicipalityRead],
                summary="Municipalities known to this service (replicated from intake)")
    def list_municipalities(principal: Principal = Depends(current_principal),
                            session: Session = Depends(db_session)):
        rows = session.scalars(select(model).order_by(model.code))
        return [m for m in rows if principal.can_access(m.code)]

    return router
