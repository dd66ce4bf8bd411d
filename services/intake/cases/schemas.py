"""Requests and answers of the case register."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from services.intake.cases import rules
from shared.events.intake import CaseOrigin, CaseStatus, FollowUpKind, Priority
from shared.paging import PageQuery
from shared.types import Code, Line, MunicipalityCode, Note, ReadModel, RequestModel


def _within_reach(day: date) -> date:
    """Coarse, on the server's UTC date: the municipality's own calendar is checked later."""
    problem = rules.date_problem(day, datetime.now(UTC).date())
    if problem:
        raise ValueError(problem)
    return day


CaseDate = Annotated[date, AfterValidator(_within_reach)]
Staff = Annotated[Line, Field(min_length=1, max_length=200)]  # the subject of a staff member's token


def _refuse_null(value):
    if value is None:
        raise ValueError("may be changed but not cleared")
    return value


def not_cleared(*fields: str):
    """The validator of a PATCH body whose ``fields`` may be changed but not cleared with null."""
    return field_validator(*fields)(_refuse_null)


class CaseCreate(RequestModel):
    municipality: MunicipalityCode = Field(examples=["BG-MTR"])
    client_id: uuid.UUID | None = Field(None, description="The client the case is about (or give household_id)")
    household_id: uuid.UUID | None = Field(None, description="The household the case is about (or give client_id)")
    origin: CaseOrigin = Field(description="Where the problem was found", examples=["group_session"])
    origin_ref: uuid.UUID | None = Field(None, description=(
        "Id of the visit or group session (scheduling's); a campaign or walk-in has none"),
        examples=["9b2f6c1e-1d7a-4a55-8f0e-2b8c0d1f7e11"])
    category: Code = Field(description="A code of the case_category code list", examples=["identity_documents"])
    priority: Priority = "normal"
    title: Line = Field(min_length=1, max_length=200, examples=["Детето няма личен лекар"])
    description: Note | None = Field(None, max_length=10_000)
    assignee: Staff | None = Field(None, description="Staff subject who follows the case up",
                                   examples=["mediator-ivanova"])
    supervising_expert: Staff | None = Field(None, description="Expert who supervises the mediator",
                                             examples=["expert-nmzm-petrov"])


class CaseUpdate(RequestModel):
    """Only the fields sent change; assignee, expert and description may be cleared with null."""

    title: Line | None = Field(None, min_length=1, max_length=200)
    category: Code | None = None
    priority: Priority | None = None
    description: Note | None = Field(None, max_length=10_000)
    assignee: Staff | None = None
    supervising_expert: Staff | None = None

    _not_cleared = not_cleared("title", "category", "priority")


class StatusChange(RequestModel):
    status: CaseStatus = Field(examples=["in_progress"])
    note: Note | None = Field(None, max_length=2000, description="Why; kept in the case's status history",
                             examples=["Насочен към РЗИ Бургас"])


class FollowUpCreate(RequestModel):
    kind: FollowUpKind = Field(examples=["referral"])
    description: Note = Field(min_length=1, max_length=10_000, examples=["Насочване към ГРАО за лична карта"])
    institution: Line | None = Field(None, min_length=1, max_length=200,
                                     description="Required for a referral", examples=["ГРАО Малко Търново"])
    expert: Staff | None = Field(None, description="For a consultation; defaults to the case's supervising expert")
    due_on: CaseDate | None = Field(None, description="When it is planned")
    done_on: CaseDate | None = Field(None, description="When it was done; not in the future")
    outcome: Note | None = Field(None, max_length=10_000, description="What came of it (with done_on)")
    next_due_on: CaseDate | None = Field(None, description="Schedules the next follow-up of the same kind, due then")


class FollowUpUpdate(RequestModel):
    """Record that a planned follow-up was done (done_on + outcome), or reschedule it."""

    description: Note | None = Field(None, min_length=1, max_length=10_000)
    due_on: CaseDate | None = None
    done_on: CaseDate | None = None
    outcome: Note | None = Field(None, max_length=10_000)
    next_due_on: CaseDate | None = Field(None, description="Schedules the next follow-up, when this one is done")

    _not_cleared = not_cleared("description")


class FollowUpRead(ReadModel):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: FollowUpKind
    description: str
    institution: str | None
    expert: str | None
    due_on: date | None
    done_on: date | None
    outcome: str | None
    created_at: datetime
    created_by: str


class FollowUpRecordedRead(FollowUpRead):
    scheduled_next: FollowUpRead | None = Field(None, description="The follow-up next_due_on scheduled")


class CaseRead(ReadModel):
    id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    client_id: uuid.UUID | None
    household_id: uuid.UUID | None
    origin: CaseOrigin
    origin_ref: uuid.UUID | None
    category: str = Field(validation_alias="category_code")
    priority: Priority
    title: str
    description: str | None
    assignee: str | None
    supervising_expert: str | None
    status: CaseStatus
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None


class StatusChangeRead(ReadModel):
    previous_status: CaseStatus
    status: CaseStatus
    note: str | None
    changed_at: datetime
    changed_by: str


class CaseDetail(CaseRead):
    follow_ups: list[FollowUpRead]
    status_changes: list[StatusChangeRead]


class OverdueFollowUp(ReadModel):
    follow_up_id: uuid.UUID
    case_id: uuid.UUID
    title: str = Field(description="The case's title")
    client_name: str | None = Field(description="Who the case is about (null for a household's case)")
    household_label: str | None = Field(description="The household the case is about (null for a client's case)")
    municipality: str
    category: str
    assignee: str | None
    kind: FollowUpKind
    due_on: date
    days_overdue: int


class CaseFilters(PageQuery):
    municipality: MunicipalityCode | None = None
    status: CaseStatus | None = None
    category: Code | None = None
    priority: Priority | None = None
    assignee: Staff | None = None
    client_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    mine: bool = Field(False, description="Only the cases assigned to you")


class OverdueFilters(PageQuery):
    municipality: MunicipalityCode | None = None
    as_of: CaseDate | None = Field(None, description="Default: today in each municipality's time zone")
    assignee: Staff | None = None
    mine: bool = Field(False, description="Only follow-ups of the cases assigned to you")
