"""Service types as scheduling knows them: a replica of intake's catalogue."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.models import ServiceType
from services.scheduling.service_types.schemas import ServiceTypeRead
from shared.auth import Principal, current_principal
from shared.web import db_session

router = APIRouter(tags=["service types"])


@router.get("/service-types", response_model=list[ServiceTypeRead],
            summary="Service types known to scheduling (replicated from intake's catalogue)")
def list_service_types(_principal: Annotated[Principal, Depends(current_principal)],
                       session: Annotated[Session, Depends(db_session)],
                       include_inactive: Annotated[bool, Query(description="Also list retired ones")] = False):
    query = select(ServiceType).order_by(ServiceType.code)
    if not include_inactive:
        query = query.where(ServiceType.active.is_(True))
    return list(session.scalars(query))
