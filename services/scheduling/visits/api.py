from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.scheduling.visits import schemas, service
from shared.auth import PersonalDataReader
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
