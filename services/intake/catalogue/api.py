"""The catalogue's routes. The network admin writes the network-wide catalogue
(networks, municipalities, code lists, service types, programmes); a coordinator
adds settlements in their municipality. Every read needs a token."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.intake.catalogue import service
from services.intake.catalogue.schemas import (
    CodeCreate,
    CodeRead,
    CodeUpdate,
    MunicipalityCreate,
    MunicipalityRead,
    NetworkCreate,
    NetworkRead,
    ProgrammeCreate,
    ProgrammeRead,
    ServiceTypeCreate,
    ServiceTypeRead,
    ServiceTypeUpdate,
    SettlementCreate,
    SettlementRead,
)
from shared.auth import Caller, Coordinator, NetworkAdmin
from shared.web import Db

router = APIRouter(tags=["catalogue"])

CodeListKind = Annotated[str, Path(description="target_group, case_category or staff_role; any other is 404",
                                   json_schema_extra={"enum": list(service.CODE_LISTS)})]
IncludeInactive = Annotated[bool, Query(description="Also list retired entries")]


# -- networks ----------------------------------------------------------------------------


@router.post("/networks", response_model=NetworkRead, status_code=201, summary="Register a network (network admin)")
def register_network(body: NetworkCreate, _admin: NetworkAdmin, session: Db):
    return service.register_network(body, session=session)


@router.get("/networks", response_model=list[NetworkRead], summary="All networks")
def list_networks(_caller: Caller, session: Db):
    return service.list_networks(session=session)


# -- municipalities ----------------------------------------------------------------------


@router.post("/municipalities", response_model=MunicipalityRead, status_code=201,
             summary="Register a municipality (network admin)")
def register_municipality(body: MunicipalityCreate, _admin: NetworkAdmin, session: Db):
    return service.register_municipality(body, session=session)


@router.get("/municipalities", response_model=list[MunicipalityRead], summary="Municipalities in your scope")
def list_municipalities(caller: Caller, session: Db):
    return service.list_municipalities(caller, session=session)


@router.get("/municipalities/{code}", response_model=MunicipalityRead,
            summary="One municipality (404 outside your scope)")
def get_municipality(code: str, caller: Caller, session: Db):
    return service.get_municipality(code, caller, session=session)


# -- settlements --------------------------------------------------------------------------


@router.post("/municipalities/{code}/settlements", response_model=SettlementRead, status_code=201,
             summary="Register a village, town or neighbourhood (network admin, or the municipality's coordinator)")
def register_settlement(code: str, body: SettlementCreate, caller: Coordinator,
                        session: Db):
    caller.require_municipality(code)
    return SettlementRead.of(service.register_settlement(code, body, session=session))


@router.get("/municipalities/{code}/settlements", response_model=list[SettlementRead],
            summary="Settlements of a municipality in your scope")
def list_settlements(code: str, caller: Caller, session: Db):
    service.get_municipality(code, caller, session=session)
    return [SettlementRead.of(s) for s in service.list_settlements(code, session=session)]


# -- code lists ---------------------------------------------------------------------------


@router.post("/code-lists/{kind}", response_model=CodeRead, status_code=201,
             summary="Add an entry to a code list (network admin)")
def register_code(kind: CodeListKind, body: CodeCreate, _admin: NetworkAdmin, session: Db):
    return service.register_code(kind, body, session=session)


@router.get("/code-lists/{kind}", response_model=list[CodeRead], summary="The entries of a code list")
def list_codes(kind: CodeListKind, _caller: Caller, session: Db, include_inactive: IncludeInactive = False):
    return service.list_codes(kind, include_inactive=include_inactive, session=session)


@router.patch("/code-lists/{kind}/{code}", response_model=CodeRead,
              summary="Rename, retire or reactivate a code (network admin)")
def update_code(kind: CodeListKind, code: str, body: CodeUpdate, _admin: NetworkAdmin, session: Db):
    return service.update_code(kind, code, body, session=session)


# -- service types ------------------------------------------------------------------------


@router.post("/service-types", response_model=ServiceTypeRead, status_code=201,
             summary="Register a service type (network admin)")
def register_service_type(body: ServiceTypeCreate, _admin: NetworkAdmin, session: Db):
    return service.register_service_type(body, session=session)


@router.get("/service-types", response_model=list[ServiceTypeRead], summary="Service types of the network")
def list_service_types(_caller: Caller, session: Db, include_inactive: IncludeInactive = False):
    return service.list_service_types(include_inactive=include_inactive, session=session)


@router.get("/service-types/{code}", response_model=ServiceTypeRead, summary="One service type")
def get_service_type(code: str, _caller: Caller, session: Db):
    return service.get_service_type(code, session=session)


@router.patch("/service-types/{code}", response_model=ServiceTypeRead,
              summary="Rename, change staff roles or duration, retire or reactivate (network admin)")
def update_service_type(code: str, body: ServiceTypeUpdate, _admin: NetworkAdmin, session: Db):
    return service.update_service_type(code, body, session=session)


# -- programmes ---------------------------------------------------------------------------


@router.post("/programmes", response_model=ProgrammeRead, status_code=201,
             summary="Register a funded programme (network admin)")
def register_programme(body: ProgrammeCreate, _admin: NetworkAdmin, session: Db):
    return ProgrammeRead.of(service.register_programme(body, session=session))


@router.get("/programmes", response_model=list[ProgrammeRead],
            summary="Programmes running in at least one of your municipalities")
def list_programmes(caller: Caller, session: Db):
    return [ProgrammeRead.of(p) for p in service.list_programmes(caller, session=session)]


@router.get("/programmes/{code}", response_model=ProgrammeRead,
            summary="One programme (404 unless it runs in one of your municipalities)")
def get_programme(code: str, caller: Caller, session: Db):
    return ProgrammeRead.of(service.get_programme(code, caller, session=session))
