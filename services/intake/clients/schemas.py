"""Requests and answers of the clients and households API."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.intake.clients.rules import ACTIVE, ClientStatus, RegistrationStatus, check_birth_date
from services.intake.models import Client, Household
from shared.events.intake import ClientSex
from shared.paging import PageQuery
from shared.types import (
    Code,
    IsoDate,
    Language,
    Location,
    MunicipalityCode,
    ReadModel,
    RequestModel,
    line,
    located,
    not_null,
)

Sex = ClientSex  # the one list, as events carry it


def _has_a_letter(value: str) -> str:
    if not any(c.isalpha() for c in value):
        raise ValueError("a name needs at least one letter")
    return value


def _has_a_letter_or_digit(value: str) -> str:
    if not any(c.isalnum() for c in value):
        raise ValueError("search for a letter or a digit: punctuation and wildcards alone would match everyone")
    return value


def _plausible_birth_date(value: date) -> date:
    return check_birth_date(value, today=date.today())  # noqa: DTZ011 - the server's calendar, as before


def _one_household(value: str | None, info: ValidationInfo) -> str | None:
    if value is not None and info.data.get("household_id") is not None:
        raise ValueError("give household_id or new_household_label, not both")
    return value


Name = Annotated[line(min_length=1, max_length=100), AfterValidator(_has_a_letter)]
BirthDate = Annotated[IsoDate, AfterValidator(_plausible_birth_date),
                      Field(description="Not in the future, not before 1900", examples=["1948-03-12"])]
Phone = Annotated[line(max_length=32), Field(
    pattern=r"^\+?[0-9 ().\-/]+$", examples=["0888 123 456"],
    description="A number that exists, in the national spelling of the municipality's country or after + and a "
                "country code; spaces, dots, dashes and brackets are allowed: stored as E.164, +359888123456")]
Email = Annotated[line(max_length=200), Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["m.petrova@abv.bg"])]
Address = Annotated[line(max_length=300), Field(examples=["ул. Иван Вазов 12"])]
HouseholdLabel = Annotated[line(min_length=1, max_length=200), Field(examples=["Петрови, ул. Иван Вазов 12"])]
SearchText = Annotated[line(min_length=1, max_length=100), AfterValidator(_has_a_letter_or_digit)]
StatusSince = Annotated[IsoDate, Field(
    description="The day the status sent with it took effect: required with moved or deceased (the client's "
                "running care plans end on it), else today if left out. Not in the future, nor before the "
                "client's registration",
    examples=["2021-08-10"])]
TargetGroups = Annotated[list[Code], Field(
    max_length=20, examples=[["age_65_plus_dependent"]],
    description="Codes of the target_group code list (GET /code-lists/target_group)")]
VisitLocation = Annotated[Location, Field(description="Where visits happen (WGS84), read by the route planner",
                                          examples=[{"latitude": 42.0924, "longitude": 24.0859}])]


class ClientCreate(RequestModel):
    """A person entering CareCircle. Likely duplicates in the municipality are answered
    409 with the candidates; repeat with ``confirm_new_person: true`` if it is someone else."""

    model_config = ConfigDict(str_strip_whitespace=True)
    municipality: MunicipalityCode
    given_name: Name = Field(examples=["Мария"])
    family_name: Name = Field(examples=["Петрова"])
    birth_date: BirthDate | None = None
    sex: Sex = "unknown"
    phone: Phone | None = None
    email: Email | None = None
    preferred_language: Language | None = Field(
        None, description="bg, pl, uk or en; the municipality's language when not given")
    address: Address | None = None
    settlement_id: uuid.UUID | None = Field(None, description="A settlement of the same municipality")
    location: VisitLocation | None = None
    household_id: uuid.UUID | None = Field(None, description="An existing household of the same municipality")
    new_household_label: HouseholdLabel | None = Field(
        None, description="Registers a new household with this label and puts the client in it "
                          "(instead of household_id)")
    target_groups: TargetGroups = []
    status: RegistrationStatus = Field(ACTIVE, description="active, or inactive while waiting; a move or a death "
                                                            "is recorded later, with the day it happened")
    confirm_new_person: bool = Field(
        False, description="Register even though possible duplicates were found: the caller "
                           "checked the candidates of the 409 answer and this is someone else")

    _one_household = field_validator("new_household_label")(_one_household)


class ClientUpdate(RequestModel):
    """The fields to change; ``null`` clears an optional field. The municipality is not changed here."""

    model_config = ConfigDict(str_strip_whitespace=True)
    given_name: Name = None
    family_name: Name = None
    birth_date: BirthDate | None = None
    sex: Sex = None
    phone: Phone | None = None
    email: Email | None = None
    preferred_language: Language = None
    address: Address | None = None
    settlement_id: uuid.UUID | None = None
    location: VisitLocation | None = None
    household_id: uuid.UUID | None = None
    new_household_label: HouseholdLabel = Field(None, description="Moves the client into a new household")
    target_groups: TargetGroups = None
    status: ClientStatus = Field(None, description="active, inactive, moved or deceased (final)")
    status_since: StatusSince = None

    _one_household = field_validator("new_household_label")(_one_household)
    _not_null = not_null("given_name", "family_name", "sex", "preferred_language", "new_household_label",
                         "target_groups", "status", "status_since")


class ClientRead(BaseModel):
    id: uuid.UUID
    municipality: str
    given_name: str
    family_name: str
    birth_date: date | None
    sex: Sex
    phone: str | None
    email: str | None
    preferred_language: Language
    address: str | None
    settlement_id: uuid.UUID | None
    location: VisitLocation | None
    household_id: uuid.UUID | None
    target_groups: list[str]
    status: ClientStatus
    status_since: date | None = Field(description="When the status took effect: the registration, a death, a "
                                                  "move... (unknown for changes made before it was recorded)")
    registered_at: datetime
    registered_by: str

    @classmethod
    def of(cls, client: Client) -> ClientRead:
        location = located(client.latitude, client.longitude)
        return cls(
            id=client.id, municipality=client.municipality_code, given_name=client.given_name,
            family_name=client.family_name, birth_date=client.birth_date, sex=client.sex, phone=client.phone,
            email=client.email, preferred_language=client.preferred_language, address=client.address,
            settlement_id=client.settlement_id, location=location, household_id=client.household_id,
            target_groups=client.target_groups, status=client.status, status_since=client.status_since,
            registered_at=client.registered_at, registered_by=client.registered_by,
        )


class ClientFilters(PageQuery):
    """What ``GET /clients`` looks for: every filter given must match."""

    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")
    q: SearchText | None = Field(None, description=(
        "Words of a name, each by its start and in any order (case, accents and punctuation ignored; Cyrillic "
        "in its Bulgarian, Ukrainian, Polish-style or ISO 9 Latin spellings: Йорданка, Yordanka, Jordanka), or "
        "the start of a phone number in any spelling (0888 123, +359 888 123 401)"))
    settlement_id: uuid.UUID | None = None
    target_group: Code | None = None
    status: ClientStatus | None = None
    household_id: uuid.UUID | None = None


class DuplicateCandidate(BaseModel):
    """A registered client who is likely the person being registered (in a 409 answer)."""

    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date | None
    settlement_id: uuid.UUID | None
    settlement_name: str | None
    reason: Literal["same_phone", "similar_name_same_birth_date", "similar_name_birth_date_unknown"]


# -- households ----------------------------------------------------------------------


class HouseholdCreate(RequestModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    municipality: MunicipalityCode
    label: HouseholdLabel = Field(description="How the team refers to the household")


class HouseholdRead(ReadModel):
    id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    label: str


class HouseholdFilters(PageQuery):
    municipality: MunicipalityCode | None = Field(None, description="Only this municipality (in your scope)")


class HouseholdMember(ReadModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date | None
    status: ClientStatus


class HouseholdDetail(HouseholdRead):
    members: list[HouseholdMember]

    @classmethod
    def with_members(cls, household: Household, members: list[Client]) -> HouseholdDetail:
        return cls(**HouseholdRead.model_validate(household).model_dump(),
                   members=[HouseholdMember.model_validate(member) for member in members])
