"""The catalogue: networks, municipalities, settlements, programmes, service
types and code lists. All of it is data; adding to it is an API call that
publishes an event, so the other services pick it up with no restart."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from services.intake.catalogue.schemas import (CodeCreate, CodeUpdate, MunicipalityCreate, NetworkCreate,
                                               ProgrammeCreate, ServiceTypeCreate, ServiceTypeUpdate,
                                               SettlementCreate)
from services.intake.models import CodeListEntry, Municipality, Network, Programme, ServiceType, Settlement
from shared.auth import Principal
from shared.events.intake import (CodeChanged, CodeRegistered, Location, MunicipalityRegistered,
                                  ProgrammeRegistered, ServiceTypeChanged, ServiceTypeRegistered,
                                  SettlementRegistered)
from shared.messaging.outbox import record_event
from shared.errors import Conflict, Invalid, NotFound

CODE_LISTS = ("target_group", "case_category", "staff_role")

# -- lookups other features use (422 naming the field of their request) -------------------


def require_code(kind: str, code: str, *, session: Session, field: str) -> CodeListEntry:
    """The active entry ``code`` of the code list ``kind``, else 422 naming ``field``."""
    entry = session.get(CodeListEntry, (kind, code))
    if entry is None or not entry.active:
        raise Invalid(field, f"unknown {kind.replace('_', ' ')} {code!r}")
    return entry


def require_service_type(code: str, *, session: Session, field: str) -> ServiceType:
    service_type = session.get(ServiceType, code)
    if service_type is None or not service_type.active:
        raise Invalid(field, f"unknown service type {code!r}")
    return service_type


def require_municipality(code: str, *, session: Session, field: str = "municipality") -> Municipality:
    municipality = session.get(Municipality, code)
    if municipality is None:
        raise Invalid(field, f"unknown municipality {code!r}")
    return municipality


def today_in(municipality_code: str, *, session: Session) -> date:
    """Today where the municipality is: "not in the future" and "overdue" follow
    its calendar, not the server's."""
    municipality = session.get(Municipality, municipality_code)
    return datetime.now(ZoneInfo(municipality.timezone) if municipality else UTC).date()


def require_network(code: str, *, session: Session, field: str = "network") -> Network:
    network = session.get(Network, code)
    if network is None:
        raise Invalid(field, f"unknown network {code!r}")
    return network


def _distinct(codes: Iterable[str]) -> list[str]:
    """Codes in their order, each once (a repeated code is harmless, not an error)."""
    return list(dict.fromkeys(codes))


def save_unique(session: Session, duplicate: str, field: str) -> None:
    """Flush, answering 409 when a concurrent request registered the same key first."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict(duplicate, field=field) from None


# -- networks ----------------------------------------------------------------------------


def register_network(data: NetworkCreate, *, session: Session) -> Network:
    if session.get(Network, data.code) is not None:
        raise Conflict(f"network {data.code} is already registered", field="code")
    network = Network(code=data.code, name=data.name)
    session.add(network)
    save_unique(session, f"network {data.code} is already registered", "code")
    session.commit()
    return network


def list_networks(*, session: Session) -> list[Network]:
    return list(session.scalars(select(Network).order_by(Network.code)))


# -- municipalities ----------------------------------------------------------------------


def register_municipality(data: MunicipalityCreate, *, session: Session) -> Municipality:
    if session.get(Municipality, data.code) is not None:
        raise Conflict(f"municipality {data.code} is already registered", field="code")
    if data.network is not None:
        require_network(data.network, session=session)
    municipality = Municipality(code=data.code, name=data.name, names=dict(data.names), language=data.language,
                                timezone=data.timezone, network_code=data.network, registered_at=datetime.now(UTC))
    session.add(municipality)
    save_unique(session, f"municipality {data.code} is already registered", "code")
    record_event(session, MunicipalityRegistered(code=data.code, name=data.name, language=data.language,
                                                 timezone=data.timezone, network=data.network),
                 subject=data.code, municipality=data.code)
    session.commit()
    return municipality


def list_municipalities(*, session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.code)))


def get_municipality(code: str, principal: Principal, *, session: Session) -> Municipality:
    """The municipality, or 404 when it is unknown or outside the caller's scope."""
    municipality = session.get(Municipality, code)
    if municipality is None or not principal.can_access(code):
        raise NotFound("municipality", code)
    return municipality


# -- settlements --------------------------------------------------------------------------


def register_settlement(municipality_code: str, data: SettlementCreate, *, session: Session) -> Settlement:
    """The caller's right to write in the municipality is checked by the route."""
    if session.get(Municipality, municipality_code) is None:
        raise NotFound("municipality", municipality_code)
    duplicate = f"{municipality_code} already has a settlement named {data.name!r}"
    # Python's casefold, not SQL lower(): SQLite lowers ASCII only, and names are Cyrillic.
    if any(name.casefold() == data.name.casefold() for name in _settlement_names(municipality_code, session)):
        raise Conflict(duplicate, field="name")
    location = data.location
    settlement = Settlement(municipality_code=municipality_code, name=data.name, kind=data.kind,
                            marginalised_community=data.marginalised_community,
                            latitude=location.latitude if location else None,
                            longitude=location.longitude if location else None)
    session.add(settlement)
    save_unique(session, duplicate, "name")
    record_event(session, SettlementRegistered(
        settlement_id=settlement.id, municipality=municipality_code, name=data.name, kind=data.kind,
        marginalised_community=data.marginalised_community,
        location=Location(**location.model_dump()) if location else None,
    ), subject=str(settlement.id), municipality=municipality_code)
    session.commit()
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
    duplicate = f"{kind} {data.code} is already registered (PATCH it to rename or reactivate)"
    if session.get(CodeListEntry, (require_code_list(kind), data.code)) is not None:
        raise Conflict(duplicate, field="code")
    entry = CodeListEntry(kind=kind, code=data.code, names=dict(data.names), active=True)
    session.add(entry)
    save_unique(session, duplicate, "code")
    record_event(session, CodeRegistered(kind=kind, code=data.code, names=entry.names), subject=f"{kind}/{data.code}")
    session.commit()
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
    session.commit()
    return entry


# -- service types ------------------------------------------------------------------------


def _require_staff_roles(codes: list[str], *, session: Session) -> list[str]:
    for index, code in enumerate(codes):
        require_code("staff_role", code, session=session, field=f"staff_roles.{index}")
    return _distinct(codes)


def register_service_type(data: ServiceTypeCreate, *, session: Session) -> ServiceType:
    duplicate = f"service type {data.code} is already registered"
    if session.get(ServiceType, data.code) is not None:
        raise Conflict(duplicate, field="code")
    service_type = ServiceType(code=data.code, names=dict(data.names), mode=data.mode,
                               staff_roles=_require_staff_roles(data.staff_roles, session=session),
                               default_duration_minutes=data.default_duration_minutes, unit=data.unit, active=True)
    session.add(service_type)
    save_unique(session, duplicate, "code")
    record_event(session, ServiceTypeRegistered(**_service_type_facts(service_type)), subject=data.code)
    session.commit()
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
    session.commit()
    return service_type


# -- programmes ---------------------------------------------------------------------------


def require_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid("ends_on", f"ends on {ends_on}, before it starts on {starts_on}")


def register_programme(data: ProgrammeCreate, *, session: Session) -> Programme:
    duplicate = f"programme {data.code} is already registered"
    if session.get(Programme, data.code) is not None:
        raise Conflict(duplicate, field="code")
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
    save_unique(session, duplicate, "code")
    record_event(session, ProgrammeRegistered(
        code=data.code, name=data.name, funder=data.funder, starts_on=data.starts_on, ends_on=data.ends_on,
        municipalities=sorted(municipalities), service_types=sorted(service_types),
    ), subject=data.code)
    session.commit()
    return programme


def _touches(programme: Programme, principal: Principal) -> bool:
    return any(principal.can_access(m.code) for m in programme.municipalities)


def list_programmes(principal: Principal, *, session: Session) -> list[Programme]:
    """The programmes running in at least one of the caller's municipalities."""
    query = (select(Programme).order_by(Programme.code)
             .options(selectinload(Programme.municipalities), selectinload(Programme.service_types)))
    if not principal.all_municipalities:
        query = query.where(Programme.municipalities.any(Municipality.code.in_(principal.municipalities)))
    return list(session.scalars(query))


def get_programme(code: str, principal: Principal, *, session: Session) -> Programme:
    programme = session.get(Programme, code)
    if programme is None or not _touches(programme, principal):
        raise NotFound("programme", code)
    return programme
