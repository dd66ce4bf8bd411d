from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.notifications.templates.rules import Language
from shared.types import MunicipalityCode, RequestModel, line, note

Subject = line(min_length=1, max_length=200)
Body = note(min_length=1, max_length=1000)


class TemplateWrite(RequestModel):
    """The text of a kind of message in a language: ``$name`` placeholders among the kind's parameters."""

    subject: Subject = Field(examples=["Напомняне за посещение"])
    body: Body = Field(examples=["Напомняне: $starts_at ще ви посетим ($service)."])


class Cost(BaseModel):
    """What a text costs as SMS."""

    encoding: str = Field(description="GSM-7, or UCS-2 (Cyrillic, Polish letters outside GSM)")
    units: int = Field(description="Septets (GSM-7) or UTF-16 code units (UCS-2)")
    segments: int = Field(description="The SMS it takes")


class TemplateRead(BaseModel):
    kind: str
    language: Language
    to: str = Field(description="Who gets this kind: client, worker, coordinator, expert, member, caller (call list)")
    params: dict[str, str] = Field(description="Its placeholders and what they hold (moment, day, text)")
    subject: str
    body: str
    edited: bool = Field(description="false: the default text")
    updated_at: datetime | None
    updated_by: str | None


class PreviewRequest(RequestModel):
    """A text filled in as it would go out: the saved one, or the subject and body given (not saved)."""

    subject: Subject | None = None
    body: Body | None = None
    municipality: MunicipalityCode | None = Field(None, description="Whose time zone (else UTC)")


class Preview(BaseModel):
    subject: str
    text: str
    sms: Cost
    warning: str | None = Field(description="Set when the text costs more than one SMS")
