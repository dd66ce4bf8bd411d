from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.clients import service
from services.intake.clients.schemas import (
    ClientCreate,
    ClientFilters,
    ClientRead,
    ClientUpdate,
    HouseholdCreate,
    HouseholdDetail,
    HouseholdFilters,
    HouseholdRead,
)
from shared.auth import Coordinator, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["clients"])

_DUPLICATES = {409: {"description": "Possible duplicates: `candidates` lists them; repeat with "
                                    "`confirm_new_person: true` if this is someone else"}}


@router.post("/clients", response_model=ClientRead, status_code=201, responses=_DUPLICATES,
             summary="Register a client (network admin, coordinator of the municipality)")
def register_client(body: ClientCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return ClientRead.of(service.register_client(body, registered_by=caller.subject, session=session))


@router.get("/clients", response_model=Page[ClientRead],
            summary="Search the clients of your municipalities (not analysts)")
def search_clients(filters: Annotated[ClientFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.search_clients(filters, caller, session=session).map(ClientRead.of)


@router.get("/clients/{client_id}", response_model=ClientRead, summary="One client (not analysts)")
def get_client(client_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return ClientRead.of(service.get_client(client_id, caller, session=session))


@router.patch("/clients/{client_id}", response_model=ClientRead,
              summary="Change a client's data (network admin, coordinator of the municipality)")
def update_client(client_id: uuid.UUID, body: ClientUpdate, caller: Coordinator, session: Db):
    client = service.get_client(client_id, caller, session=session)
    return ClientRead.of(service.update_client(client, body, session=session))


# -- households ----------------------------------------------------------------------


@router.post("/households", response_model=HouseholdRead, status_code=201, tags=["households"],
             summary="Register a household (network admin, coordinator of the municipality)")
def register_household(body: HouseholdCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return service.register_household(body, session=session)


@router.get("/households", response_model=Page[HouseholdRead], tags=["households"],
            summary="Households of your municipalities (not analysts)")
def list_households(filters: Annotated[HouseholdFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_households(filters, caller, session=session).map(HouseholdRead.model_validate)


@router.get("/households/{household_id}", response_model=HouseholdDetail, tags=["households"],
            summary="One household with its members (not analysts)")
def get_household(household_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    household, members = service.get_household(household_id, caller, session=session)
    return HouseholdDetail.with_members(household, members)
