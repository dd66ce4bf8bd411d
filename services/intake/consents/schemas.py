"""Requests and answers of the consent API."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.models import Consent
from shared.events.intake import ConsentPurpose
from shared.types import IsoDate, ReadModel, RequestModel, note

ConsentNote = note(max_length=1000)
ContactChannel = Literal["sms", "email", "phone"]
MAX_CONTACTS = 100  # clients one contacts lookup answers for


class ContactFilters(BaseModel):
    channel: ContactChannel = Field(description="How the message goes: sms and phone need the phone, email the e-mail")


class ContactRead(BaseModel):
    """How to reach the client by ``channel`` now: their consent to it in force, and still in care."""

    client_id: uuid.UUID
    channel: ContactChannel
    address: str = Field(description="The phone (E.164) or e-mail address")
    language: str


class ContactWanted(RequestModel):
    client_id: uuid.UUID
    channel: ContactChannel


class ContactsWanted(RequestModel):
    """The clients a send task is about to message, each by a channel."""

    wanted: list[ContactWanted] = Field(min_length=1, max_length=MAX_CONTACTS)


class ContactAnswer(BaseModel):
    """One client's address for the channel, or why not (``refused``: ``status``, ``consent``,
    ``address`` as the single lookup's 409 names it, or ``unknown``: erased or no such client)."""

    client_id: uuid.UUID
    channel: ContactChannel
    address: str | None = None
    refused: Literal["status", "consent", "address", "unknown"] | None = None


class ContactAnswers(BaseModel):
    contacts: list[ContactAnswer]


class ConsentCreate(RequestModel):
    """A decision of the client about one purpose; who recorded it is taken from the token."""

    model_config = ConfigDict(str_strip_whitespace=True)
    purpose: ConsentPurpose = Field(description=(
        "services: receiving services (needed to activate a care plan); contact_sms, contact_email, "
        "contact_phone: being contacted that way; share_partners: data shared with partner institutions"),
        examples=["services"])
    given: bool = Field(strict=True, description="true: consent given; false: refused or withdrawn", examples=[True])
    decided_on: IsoDate = Field(description="The day the client decided; not in the future, nor before the "
                                            "client was born", examples=["2024-03-01"])
    note: ConsentNote | None = Field(None, examples=["signed form no. 12 in the client's file"])


class ConsentRead(ReadModel):
    id: uuid.UUID
    client_id: uuid.UUID
    purpose: ConsentPurpose
    given: bool
    decided_on: date
    recorded_by: str
    recorded_at: datetime
    note: str | None


class ConsentRecorded(ConsentRead):
    in_force: bool = Field(description="Whether this decision is now the one in force for its purpose "
                                        "(false for a decision dated before the one in force)")

    @classmethod
    def of(cls, consent: Consent, *, in_force: bool) -> ConsentRecorded:
        return cls(**ConsentRead.model_validate(consent).model_dump(), in_force=in_force)


class ConsentState(BaseModel):
    given: bool = Field(description="false also when nothing was decided yet")
    decided_on: date | None
    consent_id: uuid.UUID | None = Field(description="The decision in force, if any")

    @classmethod
    def of(cls, decision: Consent | None) -> ConsentState:
        if decision is None:
            return cls(given=False, decided_on=None, consent_id=None)
        return cls(given=decision.given, decided_on=decision.decided_on, consent_id=decision.id)


class ConsentOverview(BaseModel):
    client_id: uuid.UUID
    in_force: dict[ConsentPurpose, ConsentState] = Field(description="Every purpose and the decision in force")
    history: list[ConsentRead] = Field(description="Every decision, the latest first")
