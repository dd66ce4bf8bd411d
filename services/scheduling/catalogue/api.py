"""The catalogue as scheduling knows it: a replica of intake's."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.catalogue import service
from services.scheduling.catalogue.schemas import MunicipalityRead, ServiceTypeRead
from shared.auth import Caller
from shared.web import Db

router = APIRouter(tags=["catalogue"])


@router.get("/municipalities", response_model=list[MunicipalityRead],
            summary="Municipalities in your scope (replicated from intake)")
def list_municipalities(caller: Caller, session: Db):
    return service.list_municipalities(caller, session=session)


@router.get("/service-types", response_model=list[ServiceTypeRead],
            summary="Service types known to scheduling (replicated from intake's catalogue)")
def list_service_types(_caller: Caller, session: Db,
                       include_inactive: Annotated[bool, Query(description="Also list retired ones")] = False):
    return service.list_service_types(include_inactive=include_inactive, session=session)
