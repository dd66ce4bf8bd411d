from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from services.notifications.channels import installed_kinds
from services.notifications.templates.rules import Language
from shared.types import ReadModel, RequestModel


class PreferenceWrite(RequestModel):
    opted_out: bool = Field(False, description="No messages at all (escalations about them still reach staff)")
    channel: str | None = Field(None, description="The channel to use (sms, email...); none: the network's default")
    language: Language | None = Field(None, description="The language to write in; none: the client's, else the town's")

    @field_validator("channel")
    @classmethod
    def _installed(cls, channel: str | None) -> str | None:
        if channel is not None and channel not in installed_kinds():
            raise ValueError(f"unknown channel; one of: {', '.join(sorted(installed_kinds()))}")
        return channel


class PreferenceRead(ReadModel):
    recipient: str
    opted_out: bool
    channel: str | None
    language: str | None
    updated_at: datetime | None = None
