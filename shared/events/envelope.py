"""The CloudEvents 1.0 envelope (JSON format) around every event."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.base import Event, event_model
from shared.tracing import current_traceparent

EVENT_ID_LENGTH = 36  # a uuid


class UnknownEventType(ValueError):
    pass


class Envelope(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    # At most the width of the inbox's event_id column: a longer id could never be recorded.
    id: str = Field(min_length=1, max_length=EVENT_ID_LENGTH)
    type: str = Field(min_length=1)
    source: str = Field(min_length=1)
    time: AwareDatetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    # Extensions: the municipality travels here, never in the routing key.
    municipality: str | None = None
    traceparent: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def wrap(cls, event: Event, *, subject: str | None = None, municipality: str | None = None) -> Envelope:
        return cls(
            id=str(uuid.uuid4()),
            type=event.type,
            source=event.source(),
            time=datetime.now(UTC),
            subject=subject,
            dataschema=event.schema_uri(),
            municipality=municipality,
            traceparent=current_traceparent(),
            data=event.model_dump(mode="json"),
        )

    def event(self) -> Event:
        """The typed payload; raises ``UnknownEventType`` or a validation error."""
        model = event_model(self.type)
        if model is None:
            raise UnknownEventType(self.type)
        return model.model_validate(self.data)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, body: bytes | str) -> Envelope:
        """The envelope alone, its payload unchecked; raises a validation error."""
        return cls.model_validate_json(body)
