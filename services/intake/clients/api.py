from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from services.intake.clients import service
from services.intake.clients.schemas import ClientCreate, ClientRead
from shared.auth import Principal, Role, current_principal
from shared.web import db_session

router = APIRouter(tags=["clients"])


@router.post("/clients", response_model=ClientRead, status_code=201,
             summary="Register a client in one of your municipalities")
def register_client(body: ClientCreate, principal: Principal = Depends(current_principal),
                    session: Session = Depends(db_session)):
    principal.require_role(Role.NETWORK_ADMIN, Role.COORDINATOR)
    principal.require_municipality(body.municipality)
    return service.register_client(body, registered_by=principal.subject, session=session)


@router.get("/clients/{client_id}", response_model=ClientRead, summary="One client")
def get_client(client_id: uuid.UUID, principal: Principal = Depends(current_principal),
               session: Session = Depends(db_session)):
    return service.get_client(client_id, principal, session=session)
