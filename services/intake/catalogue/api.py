from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from services.intake.catalogue import service
from services.intake.catalogue.schemas import MunicipalityCreate, MunicipalityRead
from shared.auth import Principal, Role, current_principal
from shared.web import db_session

router = APIRouter(tags=["catalogue"])


@router.post("/municipalities", response_model=MunicipalityRead, status_code=201,
             summary="Register a municipality (network admin)")
def register_municipality(body: MunicipalityCreate, principal: Principal = Depends(current_principal),
                          session: Session = Depends(db_session)):
    principal.require_role(Role.NETWORK_ADMIN)
    return service.register_municipality(body, session=session)


@router.get("/municipalities", response_model=list[MunicipalityRead],
            summary="Municipalities in your scope")
def list_municipalities(principal: Principal = Depends(current_principal), session: Session = Depends(db_session)):
    return [m for m in service.list_municipalities(session=session) if principal.can_access(m.code)]
