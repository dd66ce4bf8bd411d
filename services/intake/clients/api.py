from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.intake.access.api import Reads
from services.intake.clients import schemas, service
from services.intake.models import Client
from shared.auth import (
    COORDINATORS,
    FIELD_STAFF,
    NOTIFIERS,
    PERSONAL_DATA_READERS,
    Caller,
    FieldStaff,
    PersonalDataReader,
    RoleGroup,
)
from shared.errors import Conflict
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["clients"])


@dataclass(frozen=True)
class _ClientOfPath:
    """The client named by the path's ``client_id``, for a caller with a role of ``group``
    (403 without one; 404 for an unknown client or one outside the caller's municipalities)."""

    group: RoleGroup

    def __call__(self, client_id: uuid.UUID, caller: Caller, session: Db) -> Client:
        caller.require_role(self.group)
        return service.get_client(client_id, caller, session=session)


# The client of a route under /clients/{client_id}/..., by what the route does with them.
ClientToRead = Annotated[Client, Depends(_ClientOfPath(PERSONAL_DATA_READERS))]
ClientToWrite = Annotated[Client, Depends(_ClientOfPath(COORDINATORS))]
ClientInCare = Annotated[Client, Depends(_ClientOfPath(FIELD_STAFF))]
ClientToNotify = Annotated[Client, Depends(_ClientOfPath(NOTIFIERS))]

_DUPLICATES = {409: {"description": "Possible duplicates: `candidates` lists them; repeat with "
                                    "`confirm_new_person: true` if this is someone else"}}


@router.post("/clients", response_model=schemas.ClientRead, status_code=201, responses=_DUPLICATES,
             summary="Register a client (network admin, coordinator or worker of the municipality)")
def register_client(body: schemas.ClientCreate, caller: FieldStaff, reads: Reads, session: Db):
    caller.require_municipality(body.municipality)
    try:
        client = service.register_client(body, registered_by=caller.subject, session=session)
    except Conflict as refused:
        if "candidates" not in refused.extra:
            raise
        shown = [uuid.UUID(candidate["id"]) for candidate in refused.extra["candidates"]]
        return reads.refusal(refused, "duplicate_candidate", shown)
    return schemas.ClientRead.of(client)


@router.get("/clients", response_model=Page[schemas.ClientRead],
            summary="Search the clients of your municipalities (not analysts)")
def search_clients(filters: Annotated[schemas.ClientFilters, Query()], caller: PersonalDataReader, reads: Reads,
                   session: Db):
    page = service.search_clients(filters, caller, session=session)
    reads.clients("client_search", [client.id for client in page.items])
    return page.map(schemas.ClientRead.of)


@router.get("/clients/{client_id}", response_model=schemas.ClientRead, summary="One client (not analysts)")
def get_client(client: ClientToRead, reads: Reads):
    reads.clients("client", [client.id])
    return schemas.ClientRead.of(client)


@router.patch("/clients/{client_id}", response_model=schemas.ClientRead,
              summary="Change a client's data (network admin, coordinator of the municipality)")
def update_client(client: ClientToWrite, body: schemas.ClientUpdate, caller: Caller, reads: Reads, session: Db):
    client = service.update_client(client, body, changed_by=caller.subject, session=session)
    reads.clients("client", [client.id])  # the answer shows the whole record
    return schemas.ClientRead.of(client)


# -- households ----------------------------------------------------------------------


@router.post("/households", response_model=schemas.HouseholdRead, status_code=201, tags=["households"],
             summary="Register a household (network admin, coordinator or worker of the municipality)")
def register_household(body: schemas.HouseholdCreate, caller: FieldStaff, session: Db):
    caller.require_municipality(body.municipality)
    return service.register_household(body, session=session)


@router.get("/households", response_model=Page[schemas.HouseholdRead], tags=["households"],
            summary="Households of your municipalities (not analysts)")
def list_households(filters: Annotated[schemas.HouseholdFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_households(filters, caller, session=session).map(schemas.HouseholdRead.model_validate)


@router.get("/households/{household_id}", response_model=schemas.HouseholdDetail, tags=["households"],
            summary="One household with its members (not analysts)")
def get_household(household_id: uuid.UUID, caller: PersonalDataReader, reads: Reads, session: Db):
    household, members = service.get_household(household_id, caller, session=session)
    reads.clients("household", [member.id for member in members])
    return schemas.HouseholdDetail.with_members(household, members)
