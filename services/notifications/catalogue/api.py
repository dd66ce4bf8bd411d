"""The municipalities as notifications knows them: a replica of intake's."""
from __future__ import annotations

from fastapi import APIRouter

from services.notifications.catalogue import service
from services.notifications.catalogue.schemas import MunicipalityRead
from shared.auth import Caller
from shared.web import Db

router = APIRouter(tags=["catalogue"])


@router.get("/municipalities", response_model=list[MunicipalityRead],
            summary="Municipalities in your scope (replicated from intake)")
def list_municipalities(caller: Caller, session: Db):
    return service.list_municipalities(caller, session=session)
