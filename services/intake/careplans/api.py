from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.access.api import AccessLog, Reads
from services.intake.careplans import schemas, service
from services.intake.clients.api import ClientToRead, ClientToWrite
from services.intake.models import CarePlan
from shared.auth import Coordinator, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["agreements and care plans"])

_NOT_NOW = {409: {"description": "Not allowed from the plan's current status (`field: status`), or the plan "
                                 "cannot run yet (`field`: lines, consent, client or agreement_id)"}}

# -- agreements ---------------------------------------------------------------------------


@router.post("/clients/{client_id}/agreements", response_model=schemas.AgreementRead, status_code=201,
             summary="Record the agreement a client signed under a programme (network admin, coordinator)")
def sign_agreement(client: ClientToWrite, body: schemas.AgreementCreate, session: Db):
    return service.sign_agreement(client, body, session=session)


@router.get("/clients/{client_id}/agreements", response_model=list[schemas.AgreementRead],
            summary="A client's agreements, the latest first")
def list_agreements(client: ClientToRead, session: Db):
    return service.list_agreements(client, session=session)


@router.get("/clients/{client_id}/agreements/{agreement_id}", response_model=schemas.AgreementRead,
            summary="One agreement of a client")
def get_agreement(client: ClientToRead, agreement_id: uuid.UUID, session: Db):
    return service.get_agreement(client, agreement_id, session=session)


@router.get("/agreements", response_model=Page[schemas.AgreementRead],
            summary="Agreements of your municipalities by programme, client, signing days or day in force, "
                    "the latest signed first")
def find_agreements(filters: Annotated[schemas.AgreementFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.find_agreements(filters, caller, session=session).map(schemas.AgreementRead.model_validate)


# -- care plans ----------------------------------------------------------------------------


@router.post("/clients/{client_id}/care-plans", response_model=schemas.CarePlanDetail, status_code=201,
             summary="Draft a care plan for a client (network admin, coordinator)")
def create_plan(client: ClientToWrite, body: schemas.CarePlanCreate, caller: Coordinator, session: Db):
    return service.create_plan(client, body, created_by=caller.subject, session=session)


@router.get("/care-plans", response_model=Page[schemas.CarePlanRead],
            summary="Care plans of your municipalities, newest first; by status now or on a day (as_of)")
def list_plans(filters: Annotated[schemas.CarePlanFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_plans(filters, caller, session=session).map(schemas.CarePlanRead.model_validate)


@router.get("/care-plans/{plan_id}", response_model=schemas.CarePlanDetail, summary="One care plan, with its history")
def get_plan(plan_id: uuid.UUID, caller: PersonalDataReader, reads: Reads, session: Db):
    return _shown(service.get_plan(plan_id, caller, session=session), reads)


@router.patch("/care-plans/{plan_id}", response_model=schemas.CarePlanDetail, responses=_NOT_NOW,
              summary="Change the dates, agreement or lines of a draft or active plan (network admin, coordinator)")
def change_plan(plan_id: uuid.UUID, body: schemas.CarePlanUpdate, caller: Coordinator, reads: Reads, session: Db):
    plan = service.plan_to_change(plan_id, caller, session=session)
    return _shown(service.change_plan(plan, body, session=session), reads)


@router.post("/care-plans/{plan_id}/activate", response_model=schemas.CarePlanDetail, responses=_NOT_NOW,
             summary="Start a draft plan: needs a line, the client's consent to services and, "
                     "if it has one, an agreement in force on its first day")
def activate(plan_id: uuid.UUID, caller: Coordinator, reads: Reads, session: Db):
    plan = service.plan_to_change(plan_id, caller, session=session)
    return _shown(service.activate(plan, by=caller.subject, session=session), reads)


@router.post("/care-plans/{plan_id}/suspend", response_model=schemas.CarePlanDetail, responses=_NOT_NOW,
             summary="Pause an active plan (a hospital stay, a quarantine...) for a reason of the "
                     "suspension_reason code list")
def suspend(plan_id: uuid.UUID, body: schemas.Suspension, caller: Coordinator, reads: Reads, session: Db):
    plan = service.plan_to_change(plan_id, caller, session=session)
    return _shown(service.suspend(plan, body, by=caller.subject, session=session), reads)


@router.post("/care-plans/{plan_id}/resume", response_model=schemas.CarePlanDetail, responses=_NOT_NOW,
             summary="Run a suspended plan again (the consent to services must be in force)")
def resume(plan_id: uuid.UUID, caller: Coordinator, reads: Reads, session: Db,
           body: schemas.Resumption | None = None):
    plan = service.plan_to_change(plan_id, caller, session=session)
    return _shown(service.resume(plan, body or schemas.Resumption(), by=caller.subject, session=session), reads)


@router.post("/care-plans/{plan_id}/end", response_model=schemas.CarePlanDetail, responses=_NOT_NOW,
             summary="End an active or suspended plan, or cancel a draft")
def end(plan_id: uuid.UUID, body: schemas.Ending, caller: Coordinator, reads: Reads, session: Db):
    plan = service.plan_to_change(plan_id, caller, session=session)
    return _shown(service.end(plan, body, by=caller.subject, session=session), reads)


def _shown(plan: CarePlan, reads: AccessLog) -> CarePlan:
    """The plan, its reading logged: the answer shows the notes of its status history."""
    reads.clients("care_plan", [plan.client_id])
    return plan
