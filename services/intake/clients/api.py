from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from services.intake.clients import service
from services.intake.clients.schemas import (
    ClientCreate, ClientPage, ClientRead, ClientStatus, ClientUpdate, HouseholdCreate, HouseholdDetail,
    HouseholdPage, HouseholdRead,
)
from shared.auth import RoleGroup, Principal, Role, current_principal
from shared.events.intake import CODE, MUNICIPALITY_CODE
from shared.web import db_session

router = APIRouter(tags=["clients"])

Limit = Query(50, ge=1, le=200, description="Page size, 1 to 200")
Offset = Query(0, ge=0, description="How many matching records to skip")
MunicipalityFilter = Query(None, pattern=MUNICIPALITY_CODE, description="Only this municipality (in your scope)")
_DUPLICATES = {409: {"description": "Possible duplicates: `candidates` lists them; repeat with "
                                    "`confirm_new_person: true` if this is someone else"}}


@router.post("/clients", response_model=ClientRead, status_code=201, responses=_DUPLICATES,
             summary="Register a client (network admin, coordinator of the municipality)")
def register_client(body: ClientCreate, principal: Principal = Depends(current_principal),
                    session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR))
    principal.require_municipality(body.municipality)
    return ClientRead.of(service.register_client(body, registered_by=principal.subject, session=session))


@router.get("/clients", response_model=ClientPage,
            summary="Search the clients of your municipalities (not analysts)")
def search_clients(municipality: str | None = MunicipalityFilter,
                   q: str | None = Query(None, max_length=100, description=(
                       "Part of a name (case, accents and Cyrillic/Latin spelling ignored) or of a phone number")),
                   settlement_id: uuid.UUID | None = None,
                   target_group: str | None = Query(None, pattern=CODE),
                   status: ClientStatus | None = None,
                   household_id: uuid.UUID | None = None,
                   limit: int = Limit, offset: int = Offset,
                   principal: Principal = Depends(current_principal), session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*service.PERSONAL_DATA_READERS))
    if municipality is not None:
        principal.require_municipality(municipality)
    items, total = service.search_clients(
        principal, session=session, limit=limit, offset=offset, municipality=municipality, q=q,
        settlement_id=settlement_id, target_group=target_group, status=status, household_id=household_id)
    return ClientPage(items=[ClientRead.of(c) for c in items], total=total, limit=limit, offset=offset)


@router.get("/clients/{client_id}", response_model=ClientRead, summary="One client (not analysts)")
def get_client(client_id: uuid.UUID, principal: Principal = Depends(current_principal),
               session: Session = Depends(db_session)):
    return ClientRead.of(service.get_client(client_id, principal, session=session))


@router.patch("/clients/{client_id}", response_model=ClientRead,
              summary="Change a client's data (network admin, coordinator of the municipality)")
def update_client(client_id: uuid.UUID, body: ClientUpdate, principal: Principal = Depends(current_principal),
                  session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR))
    client = service.get_client(client_id, principal, session=session)
    return ClientRead.of(service.update_client(client, body, session=session))


# -- households ----------------------------------------------------------------------


@router.post("/households", response_model=HouseholdRead, status_code=201, tags=["households"],
             summary="Register a household (network admin, coordinator of the municipality)")
def register_household(body: HouseholdCreate, principal: Principal = Depends(current_principal),
                       session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR))
    principal.require_municipality(body.municipality)
    return HouseholdRead.of(service.register_household(body, session=session))


@router.get("/households", response_model=HouseholdPage, tags=["households"],
            summary="Households of your municipalities (not analysts)")
def list_households(municipality: str | None = MunicipalityFilter, limit: int = Limit, offset: int = Offset,
                    principal: Principal = Depends(current_principal), session: Session = Depends(db_session)):
    principal.require_role(RoleGroup(*service.PERSONAL_DATA_READERS))
    if municipality is not None:
        principal.require_municipality(municipality)
    items, total = service.list_households(principal, session=session, limit=limit, offset=offset,
                                           municipality=municipality)
    return HouseholdPage(items=[HouseholdRead.of(h) for h in items], total=total, limit=limit, offset=offset)


@router.get("/households/{household_id}", response_model=HouseholdDetail, tags=["households"],
            summary="One household with its members (not analysts)")
def get_household(household_id: uuid.UUID, principal: Principal = Depends(current_principal),
                  session: Session = Depends(db_session)):
    household, members = service.get_household(household_id, principal, session=session)
    return HouseholdDetail.with_members(household, members)
