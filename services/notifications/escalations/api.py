"""Escalations for coordinators: what must be acted on in their municipalities, taken and resolved."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.notifications.escalations import service
from services.notifications.escalations.schemas import EscalationAction, EscalationFilters, EscalationRead
from shared.auth import Coordinator
from shared.paging import Page
from shared.web import Db

router = APIRouter(tags=["escalations"])


@router.get("/escalations", response_model=Page[EscalationRead],
            summary="Escalations in your municipalities, the newest first")
def list_escalations(filters: Annotated[EscalationFilters, Query()], caller: Coordinator, session: Db):
    return service.list_escalations(filters, caller, session=session).map(EscalationRead.model_validate)


@router.post("/escalations/{escalation_id}", response_model=EscalationRead,
             summary="Acknowledge (you are on it) or resolve an escalation")
def handle(escalation_id: uuid.UUID, body: EscalationAction, caller: Coordinator, session: Db):
    return service.handle(escalation_id, body, caller, now=datetime.now(UTC), session=session)
