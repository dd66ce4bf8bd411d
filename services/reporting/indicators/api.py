from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from services.reporting.indicators import service
from services.reporting.indicators.schemas import ClientCount
from shared.auth import RoleGroup, Principal, Role, current_principal
from shared.events.intake import MUNICIPALITY_CODE
from shared.web import db_session

router = APIRouter(tags=["indicators"])


@router.get("/indicators/clients", response_model=list[ClientCount],
            summary="Registered clients per municipality")
def registered_clients(
    municipality: str | None = Query(None, pattern=MUNICIPALITY_CODE, description="Only this municipality"),
    principal: Principal = Depends(current_principal),
    session: Session = Depends(db_session),
):
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR, Role.ANALYST, Role.EXPERT))
    if municipality:
        principal.require_municipality(municipality)
    counts = service.registered_clients(session=session)
    codes = [municipality] if municipality else sorted(c for c in counts if principal.can_access(c))
    return [ClientCount(municipality=c, registered_clients=counts.get(c, 0)) for c in codes]
