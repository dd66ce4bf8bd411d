from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter

from services.scheduling.cover import schemas, service
from services.scheduling.plans import service as plans
from services.scheduling.plans.schemas import PlanRead
from services.scheduling.staff.schemas import AbsenceCreate
from shared.auth import Coordinator
from shared.web import Db

router = APIRouter(tags=["staff"])


@router.post("/staff/{staff_id}/absences", response_model=schemas.AbsenceCover, status_code=201,
             summary="Record leave, sickness or training (coordinators): the visits it affects, each with who may "
                     "cover it; 409 if it overlaps another absence")
def record_absence(staff_id: uuid.UUID, body: AbsenceCreate, caller: Coordinator, session: Db):
    return service.record_absence(staff_id, body, caller, now=datetime.now(UTC), session=session)


@router.get("/staff/{staff_id}/absences/{absence_id}/cover", response_model=schemas.AbsenceCover,
            summary="The member's planned visits during an absence, each with who may cover it, best first "
                    "(coordinators)")
def get_cover(staff_id: uuid.UUID, absence_id: uuid.UUID, caller: Coordinator, session: Db):
    staff, absence = service.find_absence(staff_id, absence_id, caller, session=session)
    return service.cover_of(staff, absence, now=datetime.now(UTC), session=session)


@router.post("/staff/{staff_id}/absences/{absence_id}/cover", response_model=list[schemas.Covered],
             summary="Give the visits of an absence to others (coordinators): to the member named, else the "
                     "best free one; a visit no one is free for is listed unstaffed")
def give_away(staff_id: uuid.UUID, absence_id: uuid.UUID, body: schemas.CoverRequest, caller: Coordinator,
              session: Db):
    return service.give_away(staff_id, absence_id, body, caller, now=datetime.now(UTC), session=session)


@router.post("/staff/{staff_id}/absences/{absence_id}/repair", response_model=PlanRead, status_code=202,
             summary="Ask the optimiser for the best repair of a day of the absence (coordinators): a plan of the "
                     "municipality's day without the member, applied like any plan")
def repair(staff_id: uuid.UUID, absence_id: uuid.UUID, body: schemas.RepairRequest, caller: Coordinator,
           session: Db):
    now = datetime.now(UTC)
    return plans.shown(service.repair(staff_id, absence_id, body, caller, now=now, session=session), now=now)
