"""The catalogue's routes. The network admin writes the network-wide catalogue
(networks, municipalities, code lists, service types, programmes); a coordinator
adds settlements in their municipality. Every read needs a token."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.intake.catalogue import schemas, service
from shared.auth import Caller, Coordinator, NetworkAdmin
from shared.web import Db

router = APIRouter(tags=["catalogue"])

CodeListKind = Annotated[str, Path(description="target_group, case_category or staff_role; any other is 404",
                                   json_schema_extra={"enum": list(service.CODE_LISTS)})]
IncludeInactive = Annotated[bool, Query(description="Also list retired entries")]


# -- networks ----------------------------------------------------------------------------


@router.post("/networks", response_model=schemas.NetworkRead, status_code=201,
             summary="Register a network (network admin)")
def register_network(body: schemas.NetworkCreate, _admin: NetworkAdmin, session: Db):
    return service.register_network(body, session=session)


@router.get("/networks", response_model=list[schemas.NetworkRead], summary="All networks")
def list_networks(_caller: Caller, session: Db):
    return service.list_networks(session=session)


# -- municipalities ----------------------------------------------------------------------


@router.post("/municipalities", response_model=schemas.MunicipalityRead, status_code=201,
             summary="Register a municipality (network admin)")
def register_municipality(body: schemas.MunicipalityCreate, _admin: NetworkAdmin, session: Db):
    return service.register_municipality(body, session=session)


@router.get("/municipalities", response_model=list[schemas.MunicipalityRead], summary="Municipalities in your scope")
def list_municipalities(caller: Caller, session: Db):
    return service.list_municipalities(caller, session=session)


@router.get("/municipalities/{code}", response_model=schemas.MunicipalityRead,
            summary="One municipality (404 outside your scope)")
def get_municipality(code: str, caller: Caller, session: Db):
    return service.get_municipality(code, caller, session=session)


# -- settlements --------------------------------------------------------------------------


@router.post("/municipalities/{code}/settlements", response_model=schemas.SettlementRead, status_code=201,
             summary="Register a village, town or neighbourhood (network admin, or the municipality's coordinator)")
def register_settlement(code: str, body: schemas.SettlementCreate, caller: Coordinator,
                        session: Db):
    caller.require_municipality(code)
    return schemas.SettlementRead.of(service.register_settlement(code, body, session=session))


@router.get("/municipalities/{code}/settlements", response_model=list[schemas.SettlementRead],
            summary="Settlements of a municipality in your scope")
def list_settlements(code: str, caller: Caller, session: Db):
    service.get_municipality(code, caller, session=session)
    return [schemas.SettlementRead.of(s) for s in service.list_settlements(code, session=session)]


# -- code lists ---------------------------------------------------------------------------


@router.post("/code-lists/{kind}", response_model=schemas.CodeRead, status_code=201,
             summary="Add an entry to a code list (network admin)")
def register_code(kind: CodeListKind, body: schemas.CodeCreate, _admin: NetworkAdmin, session: Db):
    return service.register_code(kind, body, session=session)


@router.get("/code-lists/{kind}", response_model=list[schemas.CodeRead], summary="The entries of a code list")
def list_codes(kind: CodeListKind, _caller: Caller, session: Db, include_inactive: IncludeInactive = False):
    return service.list_codes(kind, include_inactive=include_inactive, session=session)


@router.patch("/code-lists/{kind}/{code}", response_model=schemas.CodeRead,
              summary="Rename, retire or reactivate a code (network admin)")
def update_code(kind: CodeListKind, code: str, body: schemas.CodeUpdate, _admin: NetworkAdmin, session: Db):
    return service.update_code(kind, code, body, session=session)


# -- service types ------------------------------------------------------------------------


@router.post("/service-types", response_model=schemas.ServiceTypeRead, status_code=201,
             summary="Register a service type (network admin)")
def register_service_type(body: schemas.ServiceTypeCreate, _admin: NetworkAdmin, session: Db):
    return service.register_service_type(body, session=session)


@router.get("/service-types", response_model=list[schemas.ServiceTypeRead], summary="Service types of the network")
def list_service_types(_caller: Caller, session: Db, include_inactive: IncludeInactive = False):
    return service.list_service_types(include_inactive=include_inactive, session=session)


@router.get("/service-types/{code}", response_model=schemas.ServiceTypeRead, summary="One service type")
def get_service_type(code: str, _caller: Caller, session: Db):
    return service.get_service_type(code, session=session)


@router.patch("/service-types/{code}", response_model=schemas.ServiceTypeRead,
              summary="Rename, change staff roles or duration, retire or reactivate (network admin)")
def update_service_type(code: str, body: schemas.ServiceTypeUpdate, _admin: NetworkAdmin, session: Db):
    return service.update_service_type(code, body, session=session)


# -- programmes ---------------------------------------------------------------------------


@router.post("/programmes", response_model=schemas.ProgrammeRead, status_code=201,
             summary="Register a funded programme (network admin)")
def register_programme(body: schemas.ProgrammeCreate, _admin: NetworkAdmin, session: Db):
    return schemas.ProgrammeRead.of(service.register_programme(body, session=session))


@router.get("/programmes", response_model=list[schemas.ProgrammeRead],
            summary="Programmes running in at least one of your municipalities")
def list_programmes(caller: Caller, session: Db):
    return [schemas.ProgrammeRead.of(p) for p in service.list_programmes(caller, session=session)]


@router.get("/programmes/{code}", response_model=schemas.ProgrammeRead,
            summary="One programme (404 unless it runs in one of your municipalities)")
def get_programme(code: str, caller: Caller, session: Db):
    return schemas.ProgrammeRead.of(service.get_programme(code, caller, session=session))
