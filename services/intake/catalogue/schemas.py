"""Requests and answers of the catalogue: networks, municipalities, settlements,
code lists, service types and programmes (Create / Update / Read)."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, AliasChoices, Field, StrictBool, StrictInt, field_validator

from services.intake.models import Programme, Settlement
from shared.events.intake import ServiceMode, ServiceUnit
from shared.types import (
    Code,
    Language,
    Location,
    MunicipalityCode,
    ReadModel,
    RequestModel,
    iso_date,
    line,
    located,
    not_null,
)

SettlementKind = Literal["town", "village", "neighbourhood"]

# A network code looks like a municipality code: upper case, e.g. "BG-NNHM".
NetworkCode = Annotated[MunicipalityCode, Field(examples=["BG-NNHM"])]


def trimmed(value: str) -> str:
    """Trimmed (Python's notion of white space) and not blank: spaces alone name nothing."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# A line (no control or invisible character, NFC), its length counted in NFC, then trimmed.
Name = Annotated[line(min_length=1, max_length=200), AfterValidator(trimmed)]
LongName = Annotated[line(min_length=1, max_length=300), AfterValidator(trimmed)]
Translations = Annotated[dict[Language, Name], Field(
    description="A name per language; keys are bg, pl, uk or en, values are not blank",
    examples=[{"bg": "Домашен помощник", "en": "Home helper"}])]
# Names of a code-list entry or service type: at least one language.
Names = Annotated[Translations, Field(min_length=1)]

# The days the catalogue's and assessments' records lie in: from 2000 (as care plans) to the end
# of the century. A year 0021 or 2201 is a typing error, never a programme's day.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
Day = iso_date(ge=FIRST_DAY, le=LAST_DAY)
# How long one delivery of a service type takes. Strict: true or 60.5 minutes mean nothing.
Minutes = Annotated[StrictInt, Field(ge=5, le=600)]


# -- networks ----------------------------------------------------------------------------


class NetworkCreate(RequestModel):
    code: NetworkCode
    name: Name = Field(examples=["Национална мрежа на здравните медиатори"])


class NetworkRead(NetworkCreate, ReadModel):
    pass


# -- municipalities ----------------------------------------------------------------------


class MunicipalityCreate(RequestModel):
    code: MunicipalityCode = Field(examples=["BG-MTR"])
    name: Name = Field(examples=["Малко Търново"], description="The official name, in the municipality's language")
    names: Translations = Field(default_factory=dict, examples=[{"en": "Malko Tarnovo", "pl": "Małko Tyrnowo"}],
                                description="Translations of the name: keys bg, pl, uk or en")
    language: Language = Field(description="bg, pl, uk or en", examples=["bg"])
    timezone: str = Field(examples=["Europe/Sofia"], description="An IANA time zone; visits are planned in it")
    network: NetworkCode | None = Field(None, description="Code of a registered network the municipality belongs to")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value


class MunicipalityRead(ReadModel):
    code: str
    name: str
    names: dict[str, str]
    language: str
    timezone: str
    network: str | None = Field(validation_alias=AliasChoices("network_code", "network"))


# -- settlements --------------------------------------------------------------------------


class SettlementCreate(RequestModel):
    name: Name = Field(examples=["кв. Мошино"])
    kind: SettlementKind = Field(examples=["neighbourhood"])
    marginalised_community: StrictBool = Field(
        False, description="An attribute of the PLACE, used to target programmes at marginalised "
        "neighbourhoods and villages. It is never recorded about a person and never stands for "
        "anyone's ethnicity.")
    location: Location | None = Field(None, description="The settlement's centre, for route planning")


class SettlementRead(ReadModel):
    id: uuid.UUID
    municipality: str = Field(validation_alias=AliasChoices("municipality_code", "municipality"))
    name: str
    kind: str
    marginalised_community: bool
    location: Location | None

    @classmethod
    def of(cls, row: Settlement) -> SettlementRead:
        return cls(id=row.id, municipality=row.municipality_code, name=row.name, kind=row.kind,
                   marginalised_community=row.marginalised_community, location=located(row.latitude, row.longitude))


# -- code lists ---------------------------------------------------------------------------


class CodeCreate(RequestModel):
    code: Code = Field(examples=["over_65_unable_to_self_care"])
    names: Names = Field(examples=[{"bg": "Лица над 65 г. в невъзможност за самообслужване",
                                    "en": "65+ unable to look after themselves"}])


class CodeUpdate(RequestModel):
    """Only the fields sent change; neither may be null."""

    names: Names = Field(None, description="Replaces all the names of the entry")
    active: StrictBool = Field(None, description="false retires the code: existing records keep it, "
                                                 "new ones may no longer use it")

    _not_null = not_null("names", "active")


class CodeRead(ReadModel):
    kind: str
    code: str
    names: dict[str, str]
    active: bool


# -- service types ------------------------------------------------------------------------

# English is the one name every service type must have: the network spans Bulgarian, Polish
# and Ukrainian municipalities, and English is the name all of them (and cross-network
# reports) can fall back on when their own language is missing. The others are optional, so
# that a service only one country runs does not need invented translations.
REQUIRED_LANGUAGE = "en"


def require_english(names: dict[str, str]) -> dict[str, str]:
    if REQUIRED_LANGUAGE not in names:
        raise ValueError("an English (en) name is required; bg, pl and uk are optional")
    return names


ServiceTypeNames = Annotated[Names, AfterValidator(require_english), Field(
    description="Names per language: en is required (the common fallback of the network), bg, pl, uk optional",
    examples=[{"en": "Home helper visit", "bg": "Посещение на домашен помощник"}],
    json_schema_extra={"required": [REQUIRED_LANGUAGE]})]


class ServiceTypeCreate(RequestModel):
    code: Code = Field(examples=["home_help"])
    names: ServiceTypeNames
    mode: ServiceMode = Field(examples=["home_visit"], description="home_visit, centre, group, phone or mobile_unit")
    staff_roles: list[Code] = Field(min_length=1, examples=[["home_helper"]],
                                    description="Active codes of the staff_role code list: who may deliver it")
    default_duration_minutes: Minutes = Field(examples=[60])
    unit: ServiceUnit = Field(examples=["hour"], description="How care plans count it: hours or visits a week")


class ServiceTypeUpdate(RequestModel):
    """Mode and unit cannot change: care plans count their lines in the unit, so a different
    unit or mode is a new service type (register it and retire this one). Only the fields sent
    change; none may be null."""

    names: ServiceTypeNames = None
    staff_roles: list[Code] = Field(None, min_length=1)
    default_duration_minutes: Minutes = None
    active: StrictBool = Field(None, description="false retires the service type for new care plans")

    _not_null = not_null("names", "staff_roles", "default_duration_minutes", "active")


class ServiceTypeRead(ReadModel):
    code: str
    names: dict[str, str]
    mode: str
    staff_roles: list[str]
    default_duration_minutes: int
    unit: str
    active: bool


# -- programmes ---------------------------------------------------------------------------


class ProgrammeCreate(RequestModel):
    code: Code = Field(examples=["patronage_plus_rakitovo"])
    name: LongName = Field(examples=["Патронажна грижа + в община Ракитово"])
    funder: LongName | None = Field(None, examples=["ОП „Развитие на човешките ресурси“"],
                                    description="Who pays, if the coordinator knows")
    starts_on: Day = Field(examples=["2021-07-01"], description=f"From {FIRST_DAY} to {LAST_DAY}")
    ends_on: Day = Field(examples=["2022-06-30"], description=f"Not before starts_on, nor after {LAST_DAY}")
    network: NetworkCode | None = None
    municipalities: list[MunicipalityCode] = Field(min_length=1, examples=[["BG-RAK"]],
                                                  description="Codes of registered municipalities where it runs")
    service_types: list[Code] = Field(min_length=1, examples=[["home_help"]],
                                      description="Codes of active service types it pays for")


class ProgrammeRead(ReadModel):
    code: str
    name: str
    funder: str | None
    starts_on: date
    ends_on: date
    network: str | None
    municipalities: list[str]
    service_types: list[str]

    @classmethod
    def of(cls, row: Programme) -> ProgrammeRead:
        return cls(code=row.code, name=row.name, funder=row.funder, starts_on=row.starts_on, ends_on=row.ends_on,
                   network=row.network_code, municipalities=sorted(m.code for m in row.municipalities),
                   service_types=sorted(s.code for s in row.service_types))
