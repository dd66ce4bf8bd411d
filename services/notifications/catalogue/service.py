"""Notifications' copies of intake's municipalities (the language and time zone messages go
out in) and service types (their names, for texts about visits), kept from events; and each
municipality's timing: reminder lead time, quiet hours, the hour of workers' day plans."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.notifications.catalogue import rules
from services.notifications.catalogue.schemas import TimingWrite
from services.notifications.models import Municipality, MunicipalityTiming, ServiceType
from shared.auth import Principal
from shared.events.intake import MunicipalityRegistered, ServiceTypeChanged, ServiceTypeRegistered
from shared.replicas import keep_latest
from shared.scope import get_in_scope, in_scope


def keep_municipality(event: MunicipalityRegistered, *, as_of: datetime, session: Session) -> None:
    keep_latest(session, Municipality(code=event.code, name=event.name, language=event.language,
                                      timezone=event.timezone, as_of=as_of))


def keep_service_type(event: ServiceTypeRegistered | ServiceTypeChanged, *, as_of: datetime, session: Session) -> None:
    keep_latest(session, ServiceType(code=event.code, names=event.names, mode=event.mode, as_of=as_of))


def list_municipalities(principal: Principal, *, session: Session) -> list[Municipality]:
    query = in_scope(select(Municipality).order_by(Municipality.code), principal, Municipality.code)
    return list(session.scalars(query))


def zone_of(code: str, *, session: Session) -> str:
    found = session.get(Municipality, code)
    return found.timezone if found else "UTC"


def language_of(code: str, *, session: Session) -> str:
    found = session.get(Municipality, code)
    return found.language if found else "en"


def service_name(code: str, language: str, *, session: Session) -> str:
    """The service type's name in ``language`` (else in English, else its code)."""
    found = session.get(ServiceType, code)
    names = found.names if found else {}
    return names.get(language) or names.get("en") or code


# -- timing ---------------------------------------------------------------------------------------


def timing_of(code: str, *, session: Session) -> rules.Timing:
    found = session.get(MunicipalityTiming, code)
    if found is None:
        return rules.DEFAULT
    return rules.Timing(reminder_lead=timedelta(hours=found.reminder_lead_hours), quiet_from=found.quiet_from,
                        quiet_until=found.quiet_until, day_plan_at=found.day_plan_at)


def get_timing(code: str, principal: Principal, *, session: Session) -> tuple[str, rules.Timing]:
    get_in_scope(session, Municipality, code, principal, what="municipality", municipality="code")
    return code, timing_of(code, session=session)


def set_timing(code: str, change: TimingWrite, principal: Principal, *, now: datetime,
               session: Session) -> tuple[str, rules.Timing]:
    get_in_scope(session, Municipality, code, principal, what="municipality", municipality="code")
    session.merge(MunicipalityTiming(code=code, **change.model_dump(), updated_at=now, updated_by=principal.subject))
    session.flush()
    return code, timing_of(code, session=session)


def unreminded_service_types() -> Select:
    """The codes of the service types whose visits need no reminder (``rules.REMINDER_KINDS``)."""
    return select(ServiceType.code).where(ServiceType.mode.not_in(rules.REMINDER_KINDS))


def reminder_kind(service_type: str, *, session: Session) -> str:
    """The kind of message that reminds a client of a visit of ``service_type`` (a home visit's when unknown)."""
    found = session.get(ServiceType, service_type)
    return rules.REMINDER_KINDS.get(found.mode if found else "home_visit", "visit_reminder")
