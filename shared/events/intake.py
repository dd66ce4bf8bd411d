"""Events published by intake. They carry what other services need (ids,
codes, numbers, a visit location for the route planner) and nothing else
personal: no names, phones, addresses, diagnoses or ethnicity."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import Event
from shared.types import CLOCK, CLOCK_OR_MIDNIGHT, CODE, LANGUAGE, MUNICIPALITY_CODE, SUBJECT, Location

ServiceMode = Literal["home_visit", "centre", "group", "phone", "mobile_unit"]
ServiceUnit = Literal["hour", "visit"]
Place = Literal["home", "centre", "group_venue", "phone", "mobile_unit"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ConsentPurpose = Literal["services", "contact_sms", "contact_email", "contact_phone", "share_partners"]
CaseOrigin = Literal["visit", "group_session", "campaign", "walk_in"]
CaseStatus = Literal["open", "in_progress", "referred", "resolved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]
FollowUpKind = Literal["consultation", "referral", "visit", "call"]


# The municipality a record belongs to, as every event names it.
MunicipalityRef = Annotated[str, Field(pattern=MUNICIPALITY_CODE)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeWindow(_Part):
    start: str = Field(pattern=CLOCK)
    end: str = Field(pattern=CLOCK_OR_MIDNIGHT)


# -- catalogue ---------------------------------------------------------------------


class MunicipalityRegistered(Event):
    type = "intake.municipality.registered.v1"
    code: str = Field(pattern=MUNICIPALITY_CODE)
    name: str
    language: str = Field(pattern=LANGUAGE)
    timezone: str
    network: str | None = None


class SettlementRegistered(Event):
    type = "intake.settlement.registered.v1"
    settlement_id: uuid.UUID
    municipality: MunicipalityRef
    name: str
    kind: str
    marginalised_community: bool
    location: Location | None = None


class CodeRegistered(Event):
    """An entry of a configurable code list (target group, case category, staff role)."""

    type = "intake.code.registered.v1"
    kind: str
    code: str = Field(pattern=CODE)
    names: dict[str, str]


class CodeChanged(CodeRegistered):
    """An entry was renamed, retired (``active`` false) or reactivated: the entry as it is now."""

    type = "intake.code.changed.v1"
    active: bool


class _ServiceType(Event):
    code: str = Field(pattern=CODE)
    names: dict[str, str]
    mode: ServiceMode
    staff_roles: list[str]
    default_duration_minutes: int
    unit: ServiceUnit


class ServiceTypeRegistered(_ServiceType):
    type = "intake.servicetype.registered.v1"


class ServiceTypeChanged(_ServiceType):
    """A service type was renamed, its staff roles or duration changed, or it was retired
    (``active`` false) or reactivated: the service type as it is now. Mode and unit never change."""

    type = "intake.servicetype.changed.v1"
    active: bool


class ProgrammeRegistered(Event):
    type = "intake.programme.registered.v1"
    code: str = Field(pattern=CODE)
    name: str
    funder: str | None = None  # unknown to the coordinator who registered it
    starts_on: date
    ends_on: date
    municipalities: list[str]
    service_types: list[str]


# -- clients and consent --------------------------------------------------------------


ClientSex = Literal["female", "male", "other", "unknown"]


class ClientRegistered(Event):
    """A client entered CareCircle. Only the pseudonymous id and codes leave intake: for
    figures by sex and age band, the sex and the year of birth, never the date."""

    type = "intake.client.registered.v1"
    client_id: uuid.UUID
    municipality: MunicipalityRef
    settlement_id: uuid.UUID | None = None
    target_groups: list[str] = []
    language: str = Field("bg", pattern=LANGUAGE)
    sex: ClientSex = "unknown"
    birth_year: int | None = Field(None, ge=1850, le=2200)


class ClientUpdated(Event):
    type = "intake.client.updated.v1"
    client_id: uuid.UUID
    municipality: MunicipalityRef
    settlement_id: uuid.UUID | None
    target_groups: list[str]
    language: str = Field(pattern=LANGUAGE)
    status: str
    sex: ClientSex = "unknown"
    birth_year: int | None = Field(None, ge=1850, le=2200)


class _ConsentDecision(Event):
    client_id: uuid.UUID
    municipality: MunicipalityRef
    purpose: ConsentPurpose
    decided_on: date


class ConsentGiven(_ConsentDecision):
    type = "intake.consent.given.v1"


class ConsentWithdrawn(_ConsentDecision):
    """Other services stop what the purpose covered: visits, messages, sharing."""

    type = "intake.consent.withdrawn.v1"


class AssessmentRecorded(Event):
    type = "intake.assessment.recorded.v1"
    assessment_id: uuid.UUID
    client_id: uuid.UUID
    municipality: MunicipalityRef
    template: str
    template_version: int
    assessed_on: date


# -- case register ------------------------------------------------------------------------


# A case's events carry ids and codes: its title, description and notes stay in intake.
class CaseOpened(Event):
    type = "intake.case.opened.v1"
    case_id: uuid.UUID
    municipality: MunicipalityRef
    client_id: uuid.UUID | None
    household_id: uuid.UUID | None
    origin: CaseOrigin  # where it was found
    origin_ref: uuid.UUID | None  # the visit's or group session's id
    category: str = Field(pattern=CODE)
    priority: Priority


class CaseStatusChanged(Event):
    type = "intake.case.status_changed.v1"
    case_id: uuid.UUID
    municipality: MunicipalityRef
    category: str = Field(pattern=CODE)
    previous_status: CaseStatus
    status: CaseStatus


class FollowUpRecorded(Event):
    """A consultation, referral, visit or call on a case, planned or done."""

    type = "intake.followup.recorded.v1"
    follow_up_id: uuid.UUID
    case_id: uuid.UUID
    municipality: MunicipalityRef
    kind: FollowUpKind
    due_on: date | None
    done_on: date | None
    # Who does it and who supervises (token subjects): notifications reminds and escalates.
    assignee: str | None = Field(None, pattern=SUBJECT)
    supervising_expert: str | None = Field(None, pattern=SUBJECT)


# -- agreements and care plans --------------------------------------------------------


class AgreementSigned(Event):
    type = "intake.agreement.signed.v1"
    agreement_id: uuid.UUID
    client_id: uuid.UUID
    municipality: MunicipalityRef
    programme: str
    signed_on: date
    starts_on: date
    ends_on: date | None


class CarePlanLine(_Part):
    line_id: uuid.UUID
    service_type: str
    unit: ServiceUnit
    per_week: float
    duration_minutes: int
    preferred_days: list[Weekday]
    time_windows: list[TimeWindow]
    preferred_worker: uuid.UUID | None  # a staff id of scheduling's
    place: Place


class _CarePlanInForce(Event):
    """What scheduling needs to plan visits; nothing else personal."""

    careplan_id: uuid.UUID
    client_id: uuid.UUID
    municipality: MunicipalityRef
    programme: str | None
    settlement_id: uuid.UUID | None
    location: Location | None
    language: str = Field(pattern=LANGUAGE)
    starts_on: date
    ends_on: date | None
    # The day its current run began: its start, or the day it was resumed after a suspension.
    active_since: date | None = None
    lines: list[CarePlanLine]


class CarePlanActivated(_CarePlanInForce):
    type = "intake.careplan.activated.v1"


class CarePlanChanged(_CarePlanInForce):
    """An active plan's lines, dates or visit location changed: the whole plan as it is now."""

    type = "intake.careplan.changed.v1"


class _CarePlanStopped(Event):
    careplan_id: uuid.UUID
    client_id: uuid.UUID
    municipality: MunicipalityRef
    effective_on: date
    # A code (hospital_stay, consent_withdrawn, deceased...), never words: the explanation stays in intake.
    reason: str | None = Field(None, pattern=CODE)


class CarePlanSuspended(_CarePlanStopped):
    type = "intake.careplan.suspended.v1"


class CarePlanEnded(_CarePlanStopped):
    type = "intake.careplan.ended.v1"
