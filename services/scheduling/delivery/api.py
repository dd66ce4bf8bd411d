from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.delivery import schemas, service
from services.scheduling.visits.schemas import VisitRead
from shared.auth import FieldStaff, PersonalDataReader
from shared.web import AppSettings, Db

router = APIRouter(tags=["visit delivery"])

_NOT_NOW = {409: {"description": "Not allowed from the visit's status (`field: status`, with the allowed "
                                 "actions), or the visit has no worker (`field: staff_id`)"}}


@router.post("/visits/{visit_id}/check-in", response_model=VisitRead, responses=_NOT_NOW,
             summary="The worker is at the visit (their own; a coordinator for them): when, and where the device is")
def check_in(visit_id: uuid.UUID, body: schemas.CheckIn, caller: FieldStaff, settings: AppSettings, session: Db):
    return VisitRead.of(service.check_in(visit_id, body, caller, now=datetime.now(UTC),
                                         far_metres=settings.checkin_far_metres, session=session))


@router.post("/visits/{visit_id}/check-out", response_model=VisitRead, responses=_NOT_NOW,
             summary="The visit is over: its report (services delivered, observations, a concern for a case)")
def check_out(visit_id: uuid.UUID, body: schemas.CheckOut, caller: FieldStaff, session: Db):
    return VisitRead.of(service.check_out(visit_id, body, caller, now=datetime.now(UTC), session=session))


@router.post("/visits/{visit_id}/call", response_model=VisitRead, responses=_NOT_NOW,
             summary="The outcome of a phone check-in: answered, no answer (escalated) or needs help (a concern)")
def record_call(visit_id: uuid.UUID, body: schemas.Call, caller: FieldStaff, session: Db):
    return VisitRead.of(service.record_call(visit_id, body, caller, now=datetime.now(UTC), session=session))


@router.post("/visits/{visit_id}/missed", response_model=VisitRead, responses=_NOT_NOW,
             summary="The visit could not happen: no one at home, refused, or the worker could not come")
def record_missed(visit_id: uuid.UUID, body: schemas.Missed, caller: FieldStaff, session: Db):
    return VisitRead.of(service.record_missed(visit_id, body, caller, now=datetime.now(UTC), session=session))


@router.get("/visits/{visit_id}/report", response_model=schemas.ReportRead,
            summary="The report of a completed visit or call (a worker: their own visits)")
def get_report(visit_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return service.get_report(visit_id, caller, session=session)


@router.get("/my-day", response_model=schemas.Day,
            summary="The caller's visits of a day (today) in order, with what they need to know")
def my_day(filters: Annotated[schemas.DayFilters, Query()], caller: FieldStaff, session: Db):
    return service.day(service.member_of(caller, session=session), filters.on, now=datetime.now(UTC),
                       session=session)


@router.get("/staff/{staff_id}/day", response_model=schemas.Day,
            summary="A member's visits of a day (today) in order (a worker: their own)")
def staff_day(staff_id: uuid.UUID, filters: Annotated[schemas.DayFilters, Query()], caller: PersonalDataReader,
              session: Db):
    return service.day(service.member_in_reach(staff_id, caller, session=session), filters.on,
                       now=datetime.now(UTC), session=session)
