from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.events.intake import LANGUAGE, MUNICIPALITY_CODE


class ClientCreate(BaseModel):
    municipality: str = Field(pattern=MUNICIPALITY_CODE, examples=["BG-RAK"])
    given_name: str = Field(min_length=1, max_length=100, examples=["Мария"])
    family_name: str = Field(min_length=1, max_length=100, examples=["Петрова"])
    phone: str | None = Field(None, pattern=r"^\+?[0-9 ()-]{6,20}$", examples=["+359 888 123 456"])
    preferred_language: str = Field("bg", pattern=LANGUAGE)


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    municipality: str = Field(validation_alias="municipality_code")
    given_name: str
    family_name: str
    phone: str | None
    preferred_language: str
    registered_at: datetime
