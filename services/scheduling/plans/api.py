from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.scheduling.plans import schemas, service
from shared.auth import Coordinator
from shared.paging import Page, PageQuery
from shared.types import MunicipalityCode
from shared.web import Db

router = APIRouter(tags=["plans"])
_NOT_NOW = {409: {"description": "Not ready, already applied, or the days changed since it was made (named)"}}


@router.post("/plans", response_model=schemas.PlanRead, status_code=202,
             summary="Ask the optimiser for routes and rosters of a municipality's days (coordinators): made in "
                     "the background within its time limit, its progress in the answer")
def ask_plan(body: schemas.PlanCreate, caller: Coordinator, session: Db, response: Response):
    plan = service.ask(body, caller, now=datetime.now(UTC), session=session)
    response.headers["Location"] = f"plans/{plan.id}"
    return service.shown(plan, now=datetime.now(UTC))


@router.get("/plans", response_model=Page[schemas.PlanRead], summary="Plans of your municipalities, newest first")
def list_plans(paging: Annotated[PageQuery, Query()], caller: Coordinator, session: Db):
    now = datetime.now(UTC)
    return service.list_plans(paging, caller, session=session).map(lambda plan: service.shown(plan, now=now))


@router.get("/plans/{plan_id}", response_model=schemas.PlanRead,
            summary="A plan: where its making stands; once ready, the proposed routes per worker and day, the "
                    "visits left out with the reason, and what it saves against the days as planned now")
def get_plan(plan_id: uuid.UUID, caller: Coordinator, session: Db):
    return service.shown(service.get(plan_id, caller, session=session), now=datetime.now(UTC))


@router.post("/plans/{plan_id}/apply", response_model=schemas.Applied, responses=_NOT_NOW,
             summary="Reschedule the plan's visits as it proposes, each announced as any move is, all or none")
def apply_plan(plan_id: uuid.UUID, caller: Coordinator, session: Db):
    return service.apply(plan_id, caller, now=datetime.now(UTC), session=session)


@router.put("/travel/{municipality}", response_model=schemas.TravelSettingsRead,
            summary="How the optimiser reckons travel in a municipality (coordinators)")
def set_travel(municipality: MunicipalityCode, body: schemas.TravelSettingsWrite, caller: Coordinator, session: Db):
    return service.set_travel(municipality, body, caller, session=session)


@router.get("/travel/{municipality}", response_model=schemas.TravelSettingsRead,
            summary="How the optimiser reckons travel in a municipality: its own settings, else the defaults")
def get_travel(municipality: MunicipalityCode, caller: Coordinator, session: Db):
    return service.get_travel(municipality, caller, session=session)
