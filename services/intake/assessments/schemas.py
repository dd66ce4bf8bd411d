from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictInt, ValidationInfo, field_validator

from services.intake.assessments.rules import duplicate_codes
from services.intake.catalogue.schemas import FIRST_DAY, Day, Names, NetworkCode
from shared.types import Code, ReadModel, RequestModel, Subject, line, note

# A score, and the ends of a domain's scale. Strict: true or 2.5 is no score.
Score = Annotated[StrictInt, Field(ge=-100, le=100)]
Need = line(min_length=1, max_length=500)
AssessmentNotes = note(max_length=5000)
MAX_DOMAINS = 40


SUGGESTED_DOMAINS = [
    {"code": "self_care", "names": {"bg": "Самообслужване", "en": "Self-care"}, "min": 0, "max": 4},
    {"code": "health", "names": {"bg": "Здраве", "en": "Health"}, "min": 0, "max": 4},
    {"code": "housing", "names": {"bg": "Жилище", "en": "Housing"}, "min": 0, "max": 4},
    {"code": "income", "names": {"bg": "Доходи", "en": "Income"}, "min": 0, "max": 4},
    {"code": "social_contacts", "names": {"bg": "Социални контакти", "en": "Social contacts"}, "min": 0, "max": 4},
]


class Domain(RequestModel):
    """One area of life the assessor scores, on a scale from ``min`` to ``max``."""

    code: Code = Field(examples=["self_care"])
    names: Names = Field(min_length=1, description="By language: bg, pl, uk, en",
                         examples=[{"bg": "Самообслужване", "en": "Self-care"}])
    min: Score = Field(0, description="Lowest score")
    max: Score = Field(description="Highest score; greater than min", examples=[4])

    @field_validator("max")
    @classmethod
    def _above_min(cls, value: int, info: ValidationInfo) -> int:
        if "min" in info.data and value <= info.data["min"]:
            raise ValueError(f"max must be greater than min ({info.data['min']})")
        return value


class TemplateCreate(RequestModel):
    """Posting a (network, code) that exists creates its next version;
    assessments already recorded keep the version they were made with."""

    network: NetworkCode = Field(description="Code of a registered network")
    code: Code = Field(examples=["social_assessment"])
    names: Names = Field(min_length=1, examples=[{"bg": "Индивидуална социална оценка",
                                                  "en": "Individual social assessment"}])
    domains: list[Domain] = Field(min_length=1, max_length=MAX_DOMAINS, examples=[SUGGESTED_DOMAINS])

    @field_validator("domains")
    @classmethod
    def _unique_codes(cls, domains: list[Domain]) -> list[Domain]:
        if twice := duplicate_codes([d.code for d in domains]):
            raise ValueError(f"domain codes must be unique: {', '.join(twice)} appear more than once")
        return domains


class DomainRead(ReadModel):
    """A domain as stored: read as it is, even where a later rule would refuse it."""

    code: str
    names: dict[str, str]
    min: int
    max: int


class TemplateRead(ReadModel):
    id: uuid.UUID
    network: str = Field(validation_alias="network_code")
    code: str
    version: int
    names: dict[str, str]
    domains: list[DomainRead]
    created_at: datetime


class AssessmentCreate(RequestModel):
    template_id: uuid.UUID = Field(description="A version of an assessment template of the client's network")
    assessed_on: Day = Field(description=f"The day of the assessment; not in the future, not before {FIRST_DAY}",
                             examples=["2021-07-05"])
    scores: dict[Code, Score] = Field(max_length=MAX_DOMAINS,
                                      description="A score for every domain of the template, within its range",
                                      examples=[{"self_care": 1, "health": 2, "housing": 3, "income": 1,
                                                 "social_contacts": 0}])
    needs: list[Need] = Field(
        [], max_length=50, description="The needs found, in the assessor's words, one a line",
        examples=[["help with bathing twice a week", "medicines collected from the pharmacy"]])
    notes: AssessmentNotes | None = None
    assessor: Subject | None = Field(None, description=(
        "Who assessed, when you record it on their behalf (network admin, coordinator): the subject of "
        "their token. Omitted: you"))


class AssessmentRead(ReadModel):
    id: uuid.UUID
    client_id: uuid.UUID
    template_id: uuid.UUID
    template: str = Field(description="The template's code")
    template_version: int
    assessed_on: date
    assessor: str = Field(description="Who assessed: the subject of their token")
    recorded_by: str = Field(description="Who recorded it: the assessor, or a coordinator on their behalf")
    scores: dict[str, int]
    needs: list[str]
    notes: str | None
    recorded_at: datetime

    @classmethod
    def of(cls, assessment) -> AssessmentRead:
        """The assessment with the code and version of the template it was made with."""
        a = assessment
        return cls(id=a.id, client_id=a.client_id, template_id=a.template_id, template=a.template.code,
                   template_version=a.template.version, assessed_on=a.assessed_on, assessor=a.assessor,
                   recorded_by=a.recorded_by, scores=a.scores, needs=a.needs, notes=a.notes, recorded_at=a.recorded_at)
