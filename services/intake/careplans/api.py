from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from services.intake.careplans import service
from services.intake.careplans.rules import Status
from services.intake.careplans.schemas import (AgreementCreate, AgreementRead, CarePlanCreate, CarePlanPage,
                                               CarePlanRead, CarePlanUpdate, Ending, Resumption, Suspension)
from services.intake.clients.service import get_client
from shared.auth import RoleGroup, Principal, Role, current_principal
from shared.events.intake import MUNICIPALITY_CODE
from shared.web import db_session

router = APIRouter(tags=["agreements and care plans"])

WRITERS = (Role.NETWORK_ADMIN, Role.COORDINATOR)
# Who may see agreements and plans: everyone who works with clients, not analysts.
READERS = (Role.NETWORK_ADMIN, Role.COORDINATOR, Role.EXPERT, Role.WORKER)
_NOT_NOW = {409: {"description": "Not allowed from the plan's current status (`field: status`), or the plan "
                                 "cannot run yet (`field`: lines, consent, client or agreement_id)"}}

# -- agreements ---------------------------------------------------------------------------


@router.post("/clients/{client_id}/agreements", response_model=AgreementRead, status_code=201,
             summary="Record the agreement a client signed under a programme (network admin, coordinator)")
def sign_agreement(client_id: uuid.UUID, body: AgreementCreate, principal: Principal = Depends(current_principal),
                   session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*WRITERS))
    return service.sign_agreement(get_client(client_id, principal, session=session), body, session=session)


@router.get("/clients/{client_id}/agreements", response_model=list[AgreementRead],
            summary="A client's agreements, the latest first")
def list_agreements(client_id: uuid.UUID, principal: Principal = Depends(current_principal),
                    session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*READERS))
    return service.list_agreements(get_client(client_id, principal, session=session), session=session)


@router.get("/clients/{client_id}/agreements/{agreement_id}", response_model=AgreementRead,
            summary="One agreement of a client")
def get_agreement(client_id: uuid.UUID, agreement_id: uuid.UUID, principal: Principal = Depends(current_principal),
                  session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*READERS))
    client = get_client(client_id, principal, session=session)
    return service.get_agreement(client, agreement_id, session=session)


# -- care plans ----------------------------------------------------------------------------


@router.post("/clients/{client_id}/care-plans", response_model=CarePlanRead, status_code=201,
             summary="Draft a care plan for a client (network admin, coordinator)")
def create_plan(client_id: uuid.UUID, body: CarePlanCreate, principal: Principal = Depends(current_principal),
                session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*WRITERS))
    return service.create_plan(get_client(client_id, principal, session=session), body, session=session)


@router.get("/care-plans", response_model=CarePlanPage, summary="Care plans of your municipalities, newest first")
def list_plans(client_id: uuid.UUID | None = None, status: Status | None = None,
               municipality: str | None = Query(None, pattern=MUNICIPALITY_CODE,
                                                description="Only this municipality (in your scope)"),
               limit: int = Query(50, ge=1, le=200, description="Page size, 1 to 200"),
               offset: int = Query(0, ge=0, description="How many matching plans to skip"),
               principal: Principal = Depends(current_principal), session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*READERS))
    if municipality is not None:
        principal.require_municipality(municipality)
    items, total = service.list_plans(principal, client_id=client_id, status=status, municipality=municipality,
                                      limit=limit, offset=offset, session=session)
    return CarePlanPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/care-plans/{plan_id}", response_model=CarePlanRead, summary="One care plan")
def get_plan(plan_id: uuid.UUID, principal: Principal = Depends(current_principal),
             session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*READERS))
    return service.get_plan(plan_id, principal, session=session, for_update=True)


@router.patch("/care-plans/{plan_id}", response_model=CarePlanRead, responses=_NOT_NOW,
              summary="Change the dates, agreement or lines of a draft or active plan (network admin, coordinator)")
def change_plan(plan_id: uuid.UUID, body: CarePlanUpdate, principal: Principal = Depends(current_principal),
                session: Session = Depends(db_session)):
    return service.change_plan(_plan_to_write(plan_id, principal, session), body, session=session)


@router.post("/care-plans/{plan_id}/activate", response_model=CarePlanRead, responses=_NOT_NOW,
             summary="Start a draft plan: needs a line, the client's consent to services and, "
                     "if it has one, an agreement in force on its first day")
def activate(plan_id: uuid.UUID, principal: Principal = Depends(current_principal),
             session: Session = Depends(db_session)):
    return service.activate(_plan_to_write(plan_id, principal, session), session=session)


@router.post("/care-plans/{plan_id}/suspend", response_model=CarePlanRead, responses=_NOT_NOW,
             summary="Pause an active plan (a hospital stay, a quarantine...)")
def suspend(plan_id: uuid.UUID, body: Suspension, principal: Principal = Depends(current_principal),
            session: Session = Depends(db_session)):
    return service.suspend(_plan_to_write(plan_id, principal, session), body, session=session)


@router.post("/care-plans/{plan_id}/resume", response_model=CarePlanRead, responses=_NOT_NOW,
             summary="Run a suspended plan again (the consent to services must be in force)")
def resume(plan_id: uuid.UUID, body: Resumption | None = None, principal: Principal = Depends(current_principal),
           session: Session = Depends(db_session)):
    return service.resume(_plan_to_write(plan_id, principal, session), body or Resumption(), session=session)


@router.post("/care-plans/{plan_id}/end", response_model=CarePlanRead, responses=_NOT_NOW,
             summary="End an active or suspended plan, or cancel a draft")
def end(plan_id: uuid.UUID, body: Ending, principal: Principal = Depends(current_principal),
        session: Session = Depends(db_session)):
    return service.end(_plan_to_write(plan_id, principal, session), body, session=session)


def _plan_to_write(plan_id: uuid.UUID, principal: Principal, session: Session):
    """A plan the caller may change: 403 without the role, 404 outside their municipalities."""
    principal.require_role(RoleGroup(*WRITERS))
    return service.get_plan(plan_id, principal, session=session, for_update=True)
