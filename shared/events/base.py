"""Typed event models, declared once and imported by producer and consumer."""
from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

_TYPE_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+\.v[0-9]+$")
_registry: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of every event payload. Subclasses set ``type``, named
    ``<service>.<entity>.<past-tense verb>.v<N>``; a breaking change is a new
    class with the next version, and both stay registered until the old one is gone.

    Payloads carry pseudonymous ids, codes and numbers only: never a name,
    phone number, address, diagnosis or ethnicity.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: ClassVar[str]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "type" not in vars(cls):  # a shared base of several events, not an event itself
            return
        if not _TYPE_NAME.match(cls.type):
            raise ValueError(f"event type {cls.type!r} is not <service>.<entity>.<verb>.v<N>")
        if cls.type in _registry:
            raise ValueError(f"event type {cls.type} is declared twice")
        _registry[cls.type] = cls

    @classmethod
    def source(cls) -> str:
        return cls.type.split(".", 1)[0]

    @classmethod
    def schema_uri(cls) -> str:
        return f"urn:carecircle:event:{cls.type}"


def event_model(event_type: str) -> type[Event] | None:
    return _registry.get(event_type)


def registered_types() -> dict[str, type[Event]]:
    return dict(sorted(_registry.items()))
