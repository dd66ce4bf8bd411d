from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.activities import schemas, service
from shared.auth import Coordinator, FieldStaff, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["activities"])


@router.post("/activities", response_model=schemas.ActivityRead, status_code=201,
             summary="Plan a one-off activity: a health campaign, a training, a public discussion, a coalition "
                     "meeting (coordinators)")
def plan_activity(body: schemas.ActivityCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return service.plan_activity(body, now=datetime.now(UTC), session=session)


@router.get("/activities", response_model=Page[schemas.ActivityRead],
            summary="Activities of your municipalities by start")
def list_activities(filters: Annotated[schemas.ActivityFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_activities(filters, caller, session=session).map(schemas.ActivityRead.model_validate)


@router.get("/activities/{activity_id}", response_model=schemas.ActivityRead, summary="One activity")
def get_activity(activity_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return service.get_activity(activity_id, caller, session=session)


@router.put("/activities/{activity_id}/held", response_model=schemas.ActivityRead,
            summary="It took place, with so many participants (field staff; again to correct it)")
def record_held(activity_id: uuid.UUID, body: schemas.ActivityHeld, caller: FieldStaff, session: Db):
    activity = service.get_activity(activity_id, caller, session=session, for_update=True)
    return service.record_held(activity, body, now=datetime.now(UTC), session=session)


@router.post("/activities/{activity_id}/cancel", response_model=schemas.ActivityRead,
             summary="Cancel an activity not yet held (coordinators)")
def cancel_activity(activity_id: uuid.UUID, caller: Coordinator, session: Db):
    return service.cancel_activity(service.get_activity(activity_id, caller, session=session, for_update=True))
