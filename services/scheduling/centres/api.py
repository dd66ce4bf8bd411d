from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.scheduling.centres import schemas, service
from services.scheduling.visits.schemas import VisitRead
from shared.auth import Coordinator, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["centres"])


@router.post("/centres", response_model=schemas.CentreRead, status_code=201,
             summary="Register a centre clients come to (coordinators)")
def register_centre(body: schemas.CentreCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return schemas.CentreRead.of(service.register_centre(body, session=session))


@router.get("/centres", response_model=Page[schemas.CentreRead], summary="Centres of your municipalities by name")
def list_centres(filters: Annotated[schemas.CentreFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_centres(filters, caller, session=session).map(schemas.CentreRead.of)


@router.get("/centres/{centre_id}", response_model=schemas.CentreRead, summary="One centre with its office hours")
def get_centre(centre_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    return schemas.CentreRead.of(service.get_centre(centre_id, caller, session=session))


@router.post("/centres/{centre_id}/hours", response_model=schemas.OfficeHoursRead, status_code=201,
             summary="A professional's weekly office hours for a service at the centre (coordinators); 409 over "
                     "their other office hours")
def add_hours(centre_id: uuid.UUID, body: schemas.OfficeHoursCreate, caller: Coordinator, session: Db):
    centre = service.get_centre(centre_id, caller, session=session, for_update=True)
    return schemas.OfficeHoursRead.of(service.add_hours(centre, body, session=session))


@router.delete("/centres/{centre_id}/hours/{hours_id}", status_code=204,
               summary="Remove office hours (coordinators); appointments booked stay")
def remove_hours(centre_id: uuid.UUID, hours_id: uuid.UUID, caller: Coordinator, session: Db):
    service.remove_hours(service.get_centre(centre_id, caller, session=session, for_update=True), hours_id)
    return Response(status_code=204)


@router.get("/centres/{centre_id}/slots", response_model=list[schemas.Slot],
            summary="Free appointment slots of the centre by start, for a service or a professional")
def free_slots(centre_id: uuid.UUID, filters: Annotated[schemas.SlotFilters, Query()], caller: PersonalDataReader,
               session: Db):
    centre = service.get_centre(centre_id, caller, session=session)
    return service.free_slots(centre, filters, now=datetime.now(UTC), session=session)


@router.post("/centres/{centre_id}/appointments", response_model=VisitRead, status_code=201,
             responses={409: {"description": "Not a free slot (`field: starts_at`), or taken meanwhile"}},
             summary="Book a client's appointment in a free slot (coordinators): a visit at the centre")
def book(centre_id: uuid.UUID, body: schemas.AppointmentCreate, caller: Coordinator, session: Db):
    centre = service.get_centre(centre_id, caller, session=session)
    return VisitRead.of(service.book(centre, body, now=datetime.now(UTC), session=session))
