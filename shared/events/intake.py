"""Events published by intake."""
from __future__ import annotations

import uuid

from pydantic import Field

from shared.events.base import Event

MUNICIPALITY_CODE = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"
LANGUAGE = r"^(bg|pl|uk|en)$"


class MunicipalityRegistered(Event):
    type = "intake.municipality.registered.v1"
    code: str = Field(pattern=MUNICIPALITY_CODE)
    name: str
    language: str = Field(pattern=LANGUAGE)
    timezone: str


class ClientRegistered(Event):
    """A client entered CareCircle. Only the pseudonymous id leaves intake."""

    type = "intake.client.registered.v1"
    client_id: uuid.UUID
    municipality: str = Field(pattern=MUNICIPALITY_CODE)
