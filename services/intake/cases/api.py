"""The case register over HTTP.

Workers, coordinators and admins open and move cases in their municipalities;
experts read them and record consultations and other follow-ups; analysts see
no cases (they get the aggregates in reporting).
"""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.access.api import Reads
from services.intake.cases import schemas, service
from services.intake.models import FollowUp
from shared.auth import FieldStaff, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["cases"])

# Field staff open and move cases; everyone who reads personal data (experts too)
# reads them and records follow-ups.


@router.post("/cases", response_model=schemas.CaseDetail, status_code=201,
             summary="Open a case for a client or a household of your municipality")
def open_case(body: schemas.CaseCreate, caller: FieldStaff, session: Db):
    caller.require_municipality(body.municipality)
    return service.open_case(body, opened_by=caller.subject, session=session)


@router.get("/cases", response_model=Page[schemas.CaseRead], summary="Cases in your municipalities, newest first")
def list_cases(filters: Annotated[schemas.CaseFilters, Query()], caller: PersonalDataReader, reads: Reads,
               session: Db):
    page = service.list_cases(filters, caller, session=session)
    reads.cases("case", [case.id for case in page.items])
    return page.map(schemas.CaseRead.model_validate)


@router.get("/cases/{case_id}", response_model=schemas.CaseDetail, summary="One case with its follow-ups and history")
def get_case(case_id: uuid.UUID, caller: PersonalDataReader, reads: Reads, session: Db):
    case = service.get_case(case_id, caller, session=session)
    reads.cases("case", [case.id])
    return case


@router.patch("/cases/{case_id}", response_model=schemas.CaseDetail,
              summary="Reassign, re-file or reprioritise a case (only the fields sent change)")
def update_case(case_id: uuid.UUID, body: schemas.CaseUpdate, caller: FieldStaff, reads: Reads, session: Db):
    case = service.get_case(case_id, caller, session=session, for_update=True)
    reads.cases("case", [case.id])  # the answer shows the whole case
    return service.update_case(case, body, session=session)


@router.post("/cases/{case_id}/status", response_model=schemas.CaseDetail,
             summary="Move a case: open → in_progress ⇄ referred → resolved → closed (409 when not allowed)")
def change_status(case_id: uuid.UUID, body: schemas.StatusChange, caller: FieldStaff, reads: Reads, session: Db):
    case = service.get_case(case_id, caller, session=session, for_update=True)
    reads.cases("case", [case.id])  # the answer shows the whole case
    return service.change_status(case, body, changed_by=caller.subject, session=session)


@router.post("/cases/{case_id}/follow-ups", response_model=schemas.FollowUpRecordedRead, status_code=201,
             summary="Plan or record a consultation, referral, visit or call")
def record_follow_up(case_id: uuid.UUID, body: schemas.FollowUpCreate, caller: PersonalDataReader, session: Db):
    case = service.get_case(case_id, caller, session=session, for_update=True)
    return _recorded(*service.record_follow_up(case, body, recorded_by=caller.subject, session=session))


@router.patch("/cases/{case_id}/follow-ups/{follow_up_id}", response_model=schemas.FollowUpRecordedRead,
              summary="Record a follow-up as done (done_on, outcome) and schedule the next")
def update_follow_up(case_id: uuid.UUID, follow_up_id: uuid.UUID, body: schemas.FollowUpUpdate,
                     caller: PersonalDataReader, reads: Reads, session: Db):
    case = service.get_case(case_id, caller, session=session, for_update=True)
    reads.cases("case", [case.id])  # the answer shows what was recorded before
    return _recorded(*service.update_follow_up(case, follow_up_id, body, recorded_by=caller.subject,
                                               session=session))


@router.get("/follow-ups/overdue", response_model=Page[schemas.OverdueFollowUp],
            summary="Follow-ups not done and past due, most overdue first")
def overdue_follow_ups(filters: Annotated[schemas.OverdueFilters, Query()], caller: PersonalDataReader,
                       reads: Reads, session: Db):
    page = service.overdue_follow_ups(filters, caller, session=session)
    reads.cases("overdue_follow_up", [row.case_id for row in page.items])
    return page


def _recorded(follow_up: FollowUp, scheduled: FollowUp | None) -> schemas.FollowUpRecordedRead:
    answer = schemas.FollowUpRecordedRead.model_validate(follow_up)
    return answer.model_copy(update={"scheduled_next": scheduled and schemas.FollowUpRead.model_validate(scheduled)})
