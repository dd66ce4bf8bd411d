"""How people wish to hear from the network: a client's preferences (recorded by staff of
their municipality) and a member of staff's own."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter

from services.notifications.recipients import service
from services.notifications.recipients.schemas import PreferenceRead, PreferenceWrite
from shared.auth import Caller, FieldStaff
from shared.web import Db

router = APIRouter(tags=["preferences"])


@router.get("/clients/{client_id}/preferences", response_model=PreferenceRead,
            summary="A client's wishes: opted out, channel, language")
def client_preference(client_id: uuid.UUID, caller: FieldStaff, session: Db):
    return service.client_preference(client_id, caller, session=session)


@router.put("/clients/{client_id}/preferences", response_model=PreferenceRead,
            summary="Record a client's wishes (staff of their municipality)")
def set_client_preference(client_id: uuid.UUID, body: PreferenceWrite, caller: FieldStaff, session: Db):
    return service.set_client_preference(client_id, body, caller, now=datetime.now(UTC), session=session)


@router.get("/me/preferences", response_model=PreferenceRead, summary="Your own wishes as a member of staff")
def own_preference(caller: Caller, session: Db):
    return service.own_preference(caller, session=session)


@router.put("/me/preferences", response_model=PreferenceRead, summary="Set your own wishes as a member of staff")
def set_own_preference(body: PreferenceWrite, caller: Caller, session: Db):
    return service.set_own_preference(body, caller, now=datetime.now(UTC), session=session)
