"""The municipalities as notifications knows them (a replica of intake's), and when their
messages go out."""
from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from services.notifications.catalogue import service
from services.notifications.catalogue.schemas import MunicipalityRead, TimingRead, TimingWrite
from shared.auth import Caller, Coordinator
from shared.web import Db

router = APIRouter(tags=["catalogue"])


@router.get("/municipalities", response_model=list[MunicipalityRead],
            summary="Municipalities in your scope (replicated from intake)")
def list_municipalities(caller: Caller, session: Db):
    return service.list_municipalities(caller, session=session)


@router.get("/municipalities/{code}/timing", response_model=TimingRead,
            summary="When the municipality's messages go out: reminder lead time, quiet hours, day plans")
def get_timing(code: str, caller: Caller, session: Db):
    return TimingRead.of(*service.get_timing(code, caller, session=session))


@router.put("/municipalities/{code}/timing", response_model=TimingRead,
            summary="Set when the municipality's messages go out (coordinators of it, network admins)")
def set_timing(code: str, body: TimingWrite, caller: Coordinator, session: Db):
    return TimingRead.of(*service.set_timing(code, body, caller, now=datetime.now(UTC), session=session))
