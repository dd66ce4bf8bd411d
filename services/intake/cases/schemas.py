"""Requests and answers of the case register."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from services.intake.cases import rules
from shared.events.intake import CaseOrigin, CaseStatus, FollowUpKind, Priority
from shared.paging import PageQuery
from shared.types import Code, IsoDate, MunicipalityCode, ReadModel, RequestModel, line, not_null, note


def _within_reach(day: date) -> date:
    """Coarse, on the server's UTC date: the municipality's own calendar is checked later."""
    problem = rules.date_problem(day, datetime.now(UTC).date())
    if problem:
        raise ValueError(problem)
    return day


CaseDate = Annotated[IsoDate, AfterValidator(_within_reach)]
Staff = line(min_length=1, max_length=200)  # the subject of a staff member's token
Title = line(min_length=1, max_length=200)
Description = note(max_length=10_000)
FollowUpText = note(min_length=1, max_length=10_000)
Institution = line(min_length=1, max_length=200)
MoveNote = note(max_length=2000)


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
    title: Title = Field(examples=["Детето няма личен лекар"])
    description: Description | None = None
    assignee: Staff | None = Field(None, description="Staff subject who follows the case up",
                                   examples=["mediator-ivanova"])
    supervising_expert: Staff | None = Field(None, description="Expert who supervises the mediator",
                                             examples=["expert-nmzm-petrov"])


class CaseUpdate(RequestModel):
    """Only the fields sent change; assignee, expert and description may be cleared with null,
    title, category and priority may not."""

    title: Title = None
    category: Code = None
    priority: Priority = None
    description: Description | None = None
    assignee: Staff | None = None
    supervising_expert: Staff | None = None

    _not_null = not_null("title", "category", "priority")


class StatusChange(RequestModel):
    status: CaseStatus = Field(examples=["in_progress"])
    note: MoveNote | None = Field(None, description="Why; kept in the case's status history",
                                  examples=["Насочен към РЗИ Бургас"])


class FollowUpCreate(RequestModel):
    kind: FollowUpKind = Field(examples=["referral"])
    description: FollowUpText = Field(examples=["Насочване към ГРАО за лична карта"])
    institution: Institution | None = Field(None, description="Required for a referral",
                                            examples=["ГРАО Малко Търново"])
    expert: Staff | None = Field(None, description="For a consultation; defaults to the case's supervising expert")
    due_on: CaseDate | None = Field(None, description="When it is planned")
    done_on: CaseDate | None = Field(None, description="When it was done; not in the future")
    outcome: Description | None = Field(None, description="What came of it (with done_on)")
    next_due_on: CaseDate | None = Field(None, description="Schedules the next follow-up of the same kind, due then")


class FollowUpUpdate(RequestModel):
    """Record that a planned follow-up was done (done_on + outcome), or reschedule it. Only the
    fields sent change; description may not be null."""

    description: FollowUpText = None
    due_on: CaseDate | None = Field(None, description="null: not planned (then done_on is needed)")
    done_on: CaseDate | None = None
    outcome: Description | None = None
    next_due_on: CaseDate | None = Field(None, description="Schedules the next follow-up, when this one is done")

    _not_null = not_null("description")


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
    as_of: CaseDate | None = Field(None, examples=["2021-08-01"], description=(
        "The day to count from: follow-ups due before it are overdue (due on it: not yet). Default: today "
        "in each municipality's own time zone"))
    assignee: Staff | None = None
    mine: bool = Field(False, description="Only follow-ups of the cases assigned to you")
