"""The catalogue's routes. The network admin writes the network-wide catalogue
(networks, municipalities, code lists, service types, programmes); a coordinator
adds settlements in their municipality. Every read needs a token."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from services.intake.catalogue import service
from services.intake.catalogue.schemas import (CodeCreate, CodeRead, CodeUpdate, MunicipalityCreate,
                                               MunicipalityRead, NetworkCreate, NetworkRead, ProgrammeCreate,
                                               ProgrammeRead, ServiceTypeCreate, ServiceTypeRead, ServiceTypeUpdate,
                                               SettlementCreate, SettlementRead)
from shared.auth import RoleGroup, Principal, Role, current_principal
from shared.web import db_session

router = APIRouter(tags=["catalogue"])

Caller = Annotated[Principal, Depends(current_principal)]
DbSession = Annotated[Session, Depends(db_session)]
CodeListKind = Annotated[str, Path(description="target_group, case_category or staff_role; any other is 404",
                                   json_schema_extra={"enum": list(service.CODE_LISTS)})]
IncludeInactive = Annotated[bool, Query(description="Also list retired entries")]


def _network_admin(principal: Principal) -> None:
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN))


# -- networks ----------------------------------------------------------------------------


@router.post("/networks", response_model=NetworkRead, status_code=201, summary="Register a network (network admin)")
def register_network(body: NetworkCreate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.register_network(body, session=session)


@router.get("/networks", response_model=list[NetworkRead], summary="All networks")
def list_networks(_principal: Caller, session: DbSession):
    return service.list_networks(session=session)


# -- municipalities ----------------------------------------------------------------------


@router.post("/municipalities", response_model=MunicipalityRead, status_code=201,
             summary="Register a municipality (network admin)")
def register_municipality(body: MunicipalityCreate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.register_municipality(body, session=session)


@router.get("/municipalities", response_model=list[MunicipalityRead], summary="Municipalities in your scope")
def list_municipalities(principal: Caller, session: DbSession):
    return [m for m in service.list_municipalities(session=session) if principal.can_access(m.code)]


@router.get("/municipalities/{code}", response_model=MunicipalityRead,
            summary="One municipality (404 outside your scope)")
def get_municipality(code: str, principal: Caller, session: DbSession):
    return service.get_municipality(code, principal, session=session)


# -- settlements --------------------------------------------------------------------------


@router.post("/municipalities/{code}/settlements", response_model=SettlementRead, status_code=201,
             summary="Register a village, town or neighbourhood (network admin, or the municipality's coordinator)")
def register_settlement(code: str, body: SettlementCreate, principal: Caller, session: DbSession):
    principal.require_role(RoleGroup(Role.NETWORK_ADMIN, Role.COORDINATOR))
    principal.require_municipality(code)
    return SettlementRead.of(service.register_settlement(code, body, session=session))


@router.get("/municipalities/{code}/settlements", response_model=list[SettlementRead],
            summary="Settlements of a municipality in your scope")
def list_settlements(code: str, principal: Caller, session: DbSession):
    service.get_municipality(code, principal, session=session)
    return [SettlementRead.of(s) for s in service.list_settlements(code, session=session)]


# -- code lists ---------------------------------------------------------------------------


@router.post("/code-lists/{kind}", response_model=CodeRead, status_code=201,
             summary="Add an entry to a code list (network admin)")
def register_code(kind: CodeListKind, body: CodeCreate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.register_code(kind, body, session=session)


@router.get("/code-lists/{kind}", response_model=list[CodeRead], summary="The entries of a code list")
def list_codes(kind: CodeListKind, _principal: Caller, session: DbSession, include_inactive: IncludeInactive = False):
    return service.list_codes(kind, include_inactive=include_inactive, session=session)


@router.patch("/code-lists/{kind}/{code}", response_model=CodeRead,
              summary="Rename, retire or reactivate a code (network admin)")
def update_code(kind: CodeListKind, code: str, body: CodeUpdate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.update_code(kind, code, body, session=session)


# -- service types ------------------------------------------------------------------------


@router.post("/service-types", response_model=ServiceTypeRead, status_code=201,
             summary="Register a service type (network admin)")
def register_service_type(body: ServiceTypeCreate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.register_service_type(body, session=session)


@router.get("/service-types", response_model=list[ServiceTypeRead], summary="Service types of the network")
def list_service_types(_principal: Caller, session: DbSession, include_inactive: IncludeInactive = False):
    return service.list_service_types(include_inactive=include_inactive, session=session)


@router.get("/service-types/{code}", response_model=ServiceTypeRead, summary="One service type")
def get_service_type(code: str, _principal: Caller, session: DbSession):
    return service.get_service_type(code, session=session)


@router.patch("/service-types/{code}", response_model=ServiceTypeRead,
              summary="Rename, change staff roles or duration, retire or reactivate (network admin)")
def update_service_type(code: str, body: ServiceTypeUpdate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return service.update_service_type(code, body, session=session)


# -- programmes ---------------------------------------------------------------------------


@router.post("/programmes", response_model=ProgrammeRead, status_code=201,
             summary="Register a funded programme (network admin)")
def register_programme(body: ProgrammeCreate, principal: Caller, session: DbSession):
    _network_admin(principal)
    return ProgrammeRead.of(service.register_programme(body, session=session))


@router.get("/programmes", response_model=list[ProgrammeRead],
            summary="Programmes running in at least one of your municipalities")
def list_programmes(principal: Caller, session: DbSession):
    return [ProgrammeRead.of(p) for p in service.list_programmes(principal, session=session)]


@router.get("/programmes/{code}", response_model=ProgrammeRead,
            summary="One programme (404 unless it runs in one of your municipalities)")
def get_programme(code: str, principal: Caller, session: DbSession):
    return ProgrammeRead.of(service.get_programme(code, principal, session=session))
