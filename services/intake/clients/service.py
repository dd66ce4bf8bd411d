"""Registering clients. Personal data stays here; the event carries the id only."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from services.intake.clients.schemas import ClientCreate
from services.intake.models import Client, Municipality
from shared.auth import Principal
from shared.events.intake import ClientRegistered
from shared.messaging.outbox import record_event
from shared.web import NotFound, Problem


def register_client(data: ClientCreate, *, registered_by: str, session: Session) -> Client:
    if session.get(Municipality, data.municipality) is None:
        raise Problem(422, "Invalid request", f"unknown municipality {data.municipality}", field="municipality")
    client = Client(
        id=uuid.uuid4(), municipality_code=data.municipality, given_name=data.given_name,
        family_name=data.family_name, phone=data.phone, preferred_language=data.preferred_language,
        registered_at=datetime.now(UTC), registered_by=registered_by,
    )
    session.add(client)
    record_event(session, ClientRegistered(client_id=client.id, municipality=client.municipality_code),
                 subject=str(client.id), municipality=client.municipality_code)
    session.commit()
    return client


def get_client(client_id: uuid.UUID, principal: Principal, *, session: Session) -> Client:
    """Another municipality's client is answered as not found, never shown."""
    client = session.get(Client, client_id)
    if client is None or not principal.can_access(client.municipality_code):
        raise NotFound("client", client_id)
    return client
