from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.rounds import schemas, service
from services.scheduling.visits.schemas import VisitRead
from shared.auth import Coordinator, FieldStaff, PersonalDataReader
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["mobile rounds"])


@router.post("/rounds", response_model=schemas.RoundRead, status_code=201,
             responses={409: {"description": "A member of the team is away or booked then (`field: team.N`)"}},
             summary="Plan a mobile unit's stop at a settlement, its team booked (coordinators)")
def plan_round(body: schemas.RoundCreate, caller: Coordinator, session: Db):
    caller.require_municipality(body.municipality)
    return schemas.RoundRead.of(service.plan_round(body, now=datetime.now(UTC), session=session), 0)


@router.get("/rounds", response_model=Page[schemas.RoundRead], summary="Rounds of your municipalities by start")
def list_rounds(filters: Annotated[schemas.RoundFilters, Query()], caller: PersonalDataReader, session: Db):
    return service.list_rounds(filters, caller, session=session).map(
        lambda stop: schemas.RoundRead.of(stop, service.seen_count(stop, session=session)))


@router.get("/rounds/{round_id}", response_model=schemas.RoundRead, summary="One round")
def get_round(round_id: uuid.UUID, caller: PersonalDataReader, session: Db):
    stop = service.get_round(round_id, caller, session=session)
    return schemas.RoundRead.of(stop, service.seen_count(stop, session=session))


@router.post("/rounds/{round_id}/seen", response_model=VisitRead, status_code=201,
             summary="A client seen at the round, with the report (field staff): a completed visit of the round")
def record_seen(round_id: uuid.UUID, body: schemas.Seen, caller: FieldStaff, session: Db):
    stop = service.get_round(round_id, caller, session=session, for_update=True)
    return VisitRead.of(service.record_seen(stop, body, caller, now=datetime.now(UTC), session=session))


@router.post("/rounds/{round_id}/cancel", response_model=schemas.RoundRead,
             summary="Cancel a round not yet held (coordinators): its team is free again")
def cancel_round(round_id: uuid.UUID, caller: Coordinator, session: Db):
    stop = service.cancel_round(service.get_round(round_id, caller, session=session, for_update=True))
    return schemas.RoundRead.of(stop, 0)
