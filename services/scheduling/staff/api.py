from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.scheduling.staff import schemas, service
from shared.auth import Coordinator, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["staff"])


@router.post("/staff", response_model=schemas.StaffRead, status_code=201,
             summary="Register a member of staff (network admin or coordinator of the municipality)")
def register_staff(body: schemas.StaffCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return schemas.StaffRead.of(service.register_staff(body, session=session))


@router.get("/staff", response_model=Page[schemas.StaffRead],
            summary="Staff of your municipalities, by name (not analysts)")
def list_staff(filters: Annotated[schemas.StaffFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_staff(filters, caller, session=session).map(schemas.StaffRead.of)


@router.get("/staff/{staff_id}", response_model=schemas.StaffRead, summary="One member of staff (not analysts)")
def get_staff(staff_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return schemas.StaffRead.of(service.get_staff(staff_id, caller, session=session))


@router.patch("/staff/{staff_id}", response_model=schemas.StaffRead,
              summary="Change a member's name, roles, skills, base, hours or usual week (coordinators)")
def update_staff(staff_id: uuid.UUID, body: schemas.StaffUpdate, caller: Coordinator, session: Db):
    staff = service.get_staff(staff_id, caller, session=session, for_update=True)
    return schemas.StaffRead.of(service.update_staff(staff, body, session=session))


@router.post("/staff/{staff_id}/leaving", response_model=schemas.StaffRead,
             summary="Record that a member leaves the staff (coordinators); 409 if they already left")
def record_leaving(staff_id: uuid.UUID, body: schemas.Leaving, caller: Coordinator, session: Db):
    staff = service.get_staff(staff_id, caller, session=session, for_update=True)
    return schemas.StaffRead.of(service.record_leaving(staff, body, session=session))


@router.get("/staff/{staff_id}/absences", response_model=list[schemas.AbsenceRead],
            summary="A member's absences, earliest first (not analysts)")
def list_absences(staff_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return service.list_absences(service.get_staff(staff_id, caller, session=session), session=session)


@router.delete("/staff/{staff_id}/absences/{absence_id}", status_code=204,
               summary="Withdraw an absence recorded by mistake (coordinators)")
def cancel_absence(staff_id: uuid.UUID, absence_id: uuid.UUID, caller: Coordinator, session: Db):
    staff = service.get_staff(staff_id, caller, session=session, for_update=True)
    service.cancel_absence(staff, absence_id, session=session)
    return Response(status_code=204)
