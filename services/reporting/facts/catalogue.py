"""What figures are broken down by, counted in and labelled with: municipalities (network,
calendar, language), settlements, programmes, service types and code lists."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.reporting.models import CodeName, Municipality, Programme, ServiceType, Settlement
from shared.events.intake import (
    CodeRegistered,
    MunicipalityRegistered,
    ProgrammeRegistered,
    ServiceTypeRegistered,
    SettlementRegistered,
)
from shared.replicas import keep_latest_values


def keep_municipality(event: MunicipalityRegistered, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, Municipality.__table__, {
        "code": event.code, "name": event.name, "network": event.network, "language": event.language,
        "timezone": event.timezone, "as_of": at})


def keep_settlement(event: SettlementRegistered, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, Settlement.__table__, {
        "settlement_id": event.settlement_id, "municipality": event.municipality, "name": event.name, "as_of": at})


def keep_service_type(event: ServiceTypeRegistered, *, at: datetime, session: Session) -> None:
    """Registered and changed alike: a service type's mode never changes."""
    keep_latest_values(session, ServiceType.__table__, {
        "code": event.code, "mode": event.mode, "names": event.names, "as_of": at})


def keep_programme(event: ProgrammeRegistered, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, Programme.__table__, {
        "code": event.code, "name": event.name, "funder": event.funder, "starts_on": event.starts_on,
        "ends_on": event.ends_on, "as_of": at})


def keep_code(event: CodeRegistered, *, at: datetime, session: Session) -> None:
    """Registered and changed alike: a retired entry still labels what was counted under it."""
    keep_latest_values(session, CodeName.__table__, {
        "kind": event.kind, "code": event.code, "names": event.names, "as_of": at})
