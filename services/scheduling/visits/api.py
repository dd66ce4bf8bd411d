from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.visits import schemas, service
from shared.auth import Coordinator, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["visits"])


@router.get("/visits", response_model=Page[schemas.VisitRead],
            summary="Visits by start: filter by worker, client, plan, status, unstaffed (a worker: their own)")
def list_visits(filters: Annotated[schemas.VisitFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_visits(filters, caller, session=session).map(schemas.VisitRead.of)


@router.get("/visits/{visit_id}", response_model=schemas.VisitRead, summary="One visit (a worker: their own)")
def get_visit(visit_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return schemas.VisitRead.of(service.get_visit(visit_id, caller, session=session))


@router.patch("/visits/{visit_id}", response_model=schemas.VisitRead,
              responses={409: {"description": "The visit is no longer planned (`field: status`), or the member is "
                                              "away, booked then, or (unless `override`) outside their usual week "
                                              "or over their contracted hours (`reason`)"}},
              summary="Reschedule or reassign a planned visit (coordinators), checked like planning")
def move_visit(visit_id: uuid.UUID, body: schemas.VisitMove, caller: Coordinator, session: Db):
    return schemas.VisitRead.of(service.move_visit(visit_id, body, caller, now=datetime.now(UTC), session=session))


@router.post("/visits/{visit_id}/cancel", response_model=schemas.VisitRead,
             summary="Cancel a planned visit, with the reason (coordinators)")
def cancel_visit(visit_id: uuid.UUID, body: schemas.VisitCancel, caller: Coordinator, session: Db):
    return schemas.VisitRead.of(service.cancel_visit(visit_id, body, caller, now=datetime.now(UTC), session=session))
