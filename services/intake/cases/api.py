"""The case register over HTTP.

Workers, coordinators and admins open and move cases in their municipalities;
experts read them and record consultations and other follow-ups; analysts see
no cases (they get the aggregates in reporting).
"""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from services.intake.cases import service
from services.intake.cases.schemas import (
    CaseCreate, CaseDetail, CaseFilters, CasePage, CaseRead, CaseUpdate, FollowUpCreate, FollowUpRead,
    FollowUpRecordedRead, FollowUpUpdate, OverdueFilters, OverdueFollowUpPage, StatusChange,
)
from shared.auth import RoleGroup, Principal, Role, current_principal
from shared.web import db_session

router = APIRouter(tags=["cases"])

CASE_WORKERS = (Role.NETWORK_ADMIN, Role.COORDINATOR, Role.WORKER)
FOLLOWERS = (*CASE_WORKERS, Role.EXPERT)  # may read cases and record follow-ups

Caller = Annotated[Principal, Depends(current_principal)]
Db = Annotated[Session, Depends(db_session)]


def _case(case_id: uuid.UUID, principal: Principal, session: Session, *roles: Role, for_update: bool = False):
    principal.require_role(RoleGroup(*roles))
    return service.get_case(case_id, principal, session=session, for_update=for_update)


@router.post("/cases", response_model=CaseDetail, status_code=201,
             summary="Open a case for a client or a household of your municipality")
def open_case(body: CaseCreate, principal: Caller, session: Db):
    principal.require_role(RoleGroup(*CASE_WORKERS))
    principal.require_municipality(body.municipality)
    return service.open_case(body, opened_by=principal.subject, session=session)


@router.get("/cases", response_model=CasePage, summary="Cases in your municipalities, newest first")
def list_cases(filters: Annotated[CaseFilters, Query()], principal: Caller, session: Db):
    principal.require_role(RoleGroup(*FOLLOWERS))
    if filters.municipality:
        principal.require_municipality(filters.municipality)
    items, total = service.list_cases(filters, principal, session=session)
    return CasePage(items=[CaseRead.model_validate(c) for c in items], total=total,
                    limit=filters.limit, offset=filters.offset)


@router.get("/cases/{case_id}", response_model=CaseDetail, summary="One case with its follow-ups and history")
def get_case(case_id: uuid.UUID, principal: Caller, session: Db):
    return _case(case_id, principal, session, *FOLLOWERS)


@router.patch("/cases/{case_id}", response_model=CaseDetail,
              summary="Reassign, re-file or reprioritise a case (only the fields sent change)")
def update_case(case_id: uuid.UUID, body: CaseUpdate, principal: Caller, session: Db):
    case = _case(case_id, principal, session, *CASE_WORKERS, for_update=True)
    return service.update_case(case, body, session=session)


@router.post("/cases/{case_id}/status", response_model=CaseDetail,
             summary="Move a case: open → in_progress ⇄ referred → resolved → closed (409 when not allowed)")
def change_status(case_id: uuid.UUID, body: StatusChange, principal: Caller, session: Db):
    case = _case(case_id, principal, session, *CASE_WORKERS, for_update=True)
    return service.change_status(case, body, changed_by=principal.subject, session=session)


@router.post("/cases/{case_id}/follow-ups", response_model=FollowUpRecordedRead, status_code=201,
             summary="Plan or record a consultation, referral, visit or call")
def record_follow_up(case_id: uuid.UUID, body: FollowUpCreate, principal: Caller, session: Db):
    case = _case(case_id, principal, session, *FOLLOWERS, for_update=True)
    follow_up, scheduled = service.record_follow_up(case, body, recorded_by=principal.subject, session=session)
    return _recorded(follow_up, scheduled)


@router.patch("/cases/{case_id}/follow-ups/{follow_up_id}", response_model=FollowUpRecordedRead,
              summary="Record a follow-up as done (done_on, outcome) and schedule the next")
def update_follow_up(case_id: uuid.UUID, follow_up_id: uuid.UUID, body: FollowUpUpdate, principal: Caller,
                     session: Db):
    case = _case(case_id, principal, session, *FOLLOWERS, for_update=True)
    follow_up, scheduled = service.update_follow_up(case, follow_up_id, body, recorded_by=principal.subject,
                                                    session=session)
    return _recorded(follow_up, scheduled)


@router.get("/follow-ups/overdue", response_model=OverdueFollowUpPage,
            summary="Follow-ups not done and past due, most overdue first")
def overdue_follow_ups(filters: Annotated[OverdueFilters, Query()], principal: Caller, session: Db):
    principal.require_role(RoleGroup(*FOLLOWERS))
    if filters.municipality:
        principal.require_municipality(filters.municipality)
    items, total = service.overdue_follow_ups(filters, principal, session=session)
    return OverdueFollowUpPage(items=items, total=total, limit=filters.limit, offset=filters.offset)


def _recorded(follow_up, scheduled) -> FollowUpRecordedRead:
    answer = FollowUpRecordedRead.model_validate(follow_up)
    return answer.model_copy(update={"scheduled_next": scheduled and FollowUpRead.model_validate(scheduled)})
