"""The catalogue: networks, municipalities, settlements, programmes, service
types and code lists. All of it is data; adding to it is an API call that
publishes an event, so the other services pick it up with no restart."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from services.intake.catalogue.lookups import require_code, require_municipality, require_network, require_service_type
from services.intake.catalogue.schemas import (
    CodeCreate,
    CodeUpdate,
    MunicipalityCreate,
    NetworkCreate,
    ProgrammeCreate,
    ServiceTypeCreate,
    ServiceTypeUpdate,
    SettlementCreate,
)
from services.intake.models import CodeListEntry, Municipality, Network, Programme, ServiceType, Settlement
from shared.auth import Principal
from shared.db import flush_unique
from shared.errors import Conflict, Invalid, NotFound
from shared.events.intake import (
    CodeChanged,
    CodeRegistered,
    MunicipalityRegistered,
    ProgrammeRegistered,
    ServiceTypeChanged,
    ServiceTypeRegistered,
    SettlementRegistered,
)
from shared.messaging.outbox import record_event
from shared.scope import get_in_scope, in_scope, scope_filter
from shared.types import coordinates

CODE_LISTS = ("target_group", "case_category", "staff_role", "suspension_reason")


def _distinct(codes: Iterable[str]) -> list[str]:
    """Codes in their order, each once (a repeated code is harmless, not an error)."""
    return list(dict.fromkeys(codes))


def _refuse_registered(model: type, key: object, taken: Conflict, *, session: Session) -> None:
    """409 ``taken`` when ``key`` is registered already. The flush answers the same when a
    concurrent request registers it between this check and the insert."""
    if session.get(model, key) is not None:
        raise taken


# -- networks ----------------------------------------------------------------------------


def register_network(data: NetworkCreate, *, session: Session) -> Network:
    taken = Conflict(f"network {data.code} is already registered", field="code")
    _refuse_registered(Network, data.code, taken, session=session)
    network = Network(code=data.code, name=data.name)
    session.add(network)
    flush_unique(session, taken)
    return network


def list_networks(*, session: Session) -> list[Network]:
    return list(session.scalars(select(Network).order_by(Network.code)))


# -- municipalities ----------------------------------------------------------------------


def register_municipality(data: MunicipalityCreate, *, session: Session) -> Municipality:
    taken = Conflict(f"municipality {data.code} is already registered", field="code")
    _refuse_registered(Municipality, data.code, taken, session=session)
    if data.network is not None:
        require_network(data.network, session=session)
    municipality = Municipality(code=data.code, name=data.name, names=dict(data.names), language=data.language,
                                timezone=data.timezone, network_code=data.network, registered_at=datetime.now(UTC))
    session.add(municipality)
    flush_unique(session, taken)
    record_event(session, MunicipalityRegistered(code=data.code, name=data.name, language=data.language,
                                                 timezone=data.timezone, network=data.network),
                 subject=data.code, municipality=data.code)
    return municipality


def list_municipalities(principal: Principal, *, session: Session) -> list[Municipality]:
    """The caller's municipalities."""
    return list(session.scalars(in_scope(select(Municipality), principal, Municipality.code)
                                .order_by(Municipality.code)))


def get_municipality(code: str, principal: Principal, *, session: Session) -> Municipality:
    """The municipality, or 404 when it is unknown or outside the caller's scope."""
    return get_in_scope(session, Municipality, code, principal, what="municipality", municipality="code")


# -- settlements --------------------------------------------------------------------------


def register_settlement(municipality_code: str, data: SettlementCreate, *, session: Session) -> Settlement:
    """The caller's right to write in the municipality is checked by the route."""
    if session.get(Municipality, municipality_code) is None:
        raise NotFound("municipality", municipality_code)
    taken = Conflict(f"{municipality_code} already has a settlement named {data.name!r}", field="name")
    # Python's casefold, not SQL lower(): SQLite lowers ASCII only, and names are Cyrillic.
    if any(name.casefold() == data.name.casefold() for name in _settlement_names(municipality_code, session)):
        raise taken
    latitude, longitude = coordinates(data.location)
    settlement = Settlement(municipality_code=municipality_code, name=data.name, kind=data.kind,
                            marginalised_community=data.marginalised_community,
                            latitude=latitude, longitude=longitude)
    session.add(settlement)
    flush_unique(session, taken)
    record_event(session, SettlementRegistered(
        settlement_id=settlement.id, municipality=municipality_code, name=data.name, kind=data.kind,
        marginalised_community=data.marginalised_community, location=data.location,
    ), subject=str(settlement.id), municipality=municipality_code)
    return settlement


def _settlement_names(municipality_code: str, session: Session) -> list[str]:
    return list(session.scalars(select(Settlement.name).where(Settlement.municipality_code == municipality_code)))


def list_settlements(municipality_code: str, *, session: Session) -> list[Settlement]:
    query = select(Settlement).where(Settlement.municipality_code == municipality_code).order_by(Settlement.name)
    return list(session.scalars(query))


# -- code lists ---------------------------------------------------------------------------


def require_code_list(kind: str) -> str:
    """404 for a code list that does not exist: the lists are fixed, their entries are data."""
    if kind not in CODE_LISTS:
        raise NotFound("code list", kind)
    return kind


def register_code(kind: str, data: CodeCreate, *, session: Session) -> CodeListEntry:
    taken = Conflict(f"{kind} {data.code} is already registered (PATCH it to rename or reactivate)", field="code")
    _refuse_registered(CodeListEntry, (require_code_list(kind), data.code), taken, session=session)
    entry = CodeListEntry(kind=kind, code=data.code, names=dict(data.names), active=True)
    session.add(entry)
    flush_unique(session, taken)
    record_event(session, CodeRegistered(kind=kind, code=data.code, names=entry.names), subject=f"{kind}/{data.code}")
    return entry


def list_codes(kind: str, *, include_inactive: bool = False, session: Session) -> list[CodeListEntry]:
    query = select(CodeListEntry).where(CodeListEntry.kind == require_code_list(kind))
    if not include_inactive:
        query = query.where(CodeListEntry.active.is_(True))
    return list(session.scalars(query.order_by(CodeListEntry.code)))


def update_code(kind: str, code: str, data: CodeUpdate, *, session: Session) -> CodeListEntry:
    """Rename or (de)activate an entry. Records that use a retired code keep it."""
    entry = session.get(CodeListEntry, (require_code_list(kind), code))
    if entry is None:
        raise NotFound(kind.replace("_", " "), code)
    before = (entry.names, entry.active)
    if data.names is not None:
        entry.names = dict(data.names)
    if data.active is not None:
        entry.active = data.active
    if (entry.names, entry.active) != before:
        record_event(session, CodeChanged(kind=kind, code=code, names=entry.names, active=entry.active),
                     subject=f"{kind}/{code}")
    return entry


# -- service types ------------------------------------------------------------------------


def _require_staff_roles(codes: list[str], *, session: Session) -> list[str]:
    for index, code in enumerate(codes):
        require_code("staff_role", code, session=session, field=f"staff_roles.{index}")
    return _distinct(codes)


def register_service_type(data: ServiceTypeCreate, *, session: Session) -> ServiceType:
    taken = Conflict(f"service type {data.code} is already registered", field="code")
    _refuse_registered(ServiceType, data.code, taken, session=session)
    service_type = ServiceType(code=data.code, names=dict(data.names), mode=data.mode,
                               staff_roles=_require_staff_roles(data.staff_roles, session=session),
                               default_duration_minutes=data.default_duration_minutes, unit=data.unit, active=True)
    session.add(service_type)
    flush_unique(session, taken)
    record_event(session, ServiceTypeRegistered(**_service_type_facts(service_type)), subject=data.code)
    return service_type


def _service_type_facts(service_type: ServiceType) -> dict:
    return {"code": service_type.code, "names": service_type.names, "mode": service_type.mode,
            "staff_roles": service_type.staff_roles, "unit": service_type.unit,
            "default_duration_minutes": service_type.default_duration_minutes}


def list_service_types(*, include_inactive: bool = False, session: Session) -> list[ServiceType]:
    query = select(ServiceType).order_by(ServiceType.code)
    if not include_inactive:
        query = query.where(ServiceType.active.is_(True))
    return list(session.scalars(query))


def get_service_type(code: str, *, session: Session) -> ServiceType:
    service_type = session.get(ServiceType, code)
    if service_type is None:
        raise NotFound("service type", code)
    return service_type


def update_service_type(code: str, data: ServiceTypeUpdate, *, session: Session) -> ServiceType:
    """Rename, change who delivers it or how long it takes, retire or reactivate it.
    Care plans already in force keep their lines; new lines see the change."""
    service_type = get_service_type(code, session=session)
    before = _service_type_facts(service_type) | {"active": service_type.active}
    if data.names is not None:
        service_type.names = dict(data.names)
    if data.staff_roles is not None:
        service_type.staff_roles = _require_staff_roles(data.staff_roles, session=session)
    if data.default_duration_minutes is not None:
        service_type.default_duration_minutes = data.default_duration_minutes
    if data.active is not None:
        service_type.active = data.active
    after = _service_type_facts(service_type) | {"active": service_type.active}
    if after != before:
        record_event(session, ServiceTypeChanged(**after), subject=code)
    return service_type


# -- programmes ---------------------------------------------------------------------------


def require_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid("ends_on", f"ends on {ends_on}, before it starts on {starts_on}")


def register_programme(data: ProgrammeCreate, *, session: Session) -> Programme:
    taken = Conflict(f"programme {data.code} is already registered", field="code")
    _refuse_registered(Programme, data.code, taken, session=session)
    require_period(data.starts_on, data.ends_on)
    if data.network is not None:
        require_network(data.network, session=session)
    municipalities = {code: require_municipality(code, session=session, field=f"municipalities.{index}")
                      for index, code in enumerate(data.municipalities)}
    service_types = {code: require_service_type(code, session=session, field=f"service_types.{index}")
                     for index, code in enumerate(data.service_types)}
    programme = Programme(code=data.code, name=data.name, funder=data.funder, starts_on=data.starts_on,
                          ends_on=data.ends_on, network_code=data.network,
                          municipalities=list(municipalities.values()), service_types=list(service_types.values()))
    session.add(programme)
    flush_unique(session, taken)
    record_event(session, ProgrammeRegistered(
        code=data.code, name=data.name, funder=data.funder, starts_on=data.starts_on, ends_on=data.ends_on,
        municipalities=sorted(municipalities), service_types=sorted(service_types),
    ), subject=data.code)
    return programme


def _runs_in_scope(principal: Principal) -> ColumnElement[bool]:
    """A programme is the caller's when it runs in at least one of their municipalities."""
    return Programme.municipalities.any(scope_filter(principal, Municipality.code))


def list_programmes(principal: Principal, *, session: Session) -> list[Programme]:
    """The programmes running in at least one of the caller's municipalities."""
    query = (select(Programme).where(_runs_in_scope(principal)).order_by(Programme.code)
             .options(selectinload(Programme.municipalities), selectinload(Programme.service_types)))
    return list(session.scalars(query))


def get_programme(code: str, principal: Principal, *, session: Session) -> Programme:
    programme = session.scalar(select(Programme).where(Programme.code == code, _runs_in_scope(principal)))
    if programme is None:
        raise NotFound("programme", code)
    return programme
