from __future__ import annotations

from pydantic import ConfigDict

from shared.events.intake import ServiceTypeChanged
from shared.types import ReadModel


class MunicipalityRead(ReadModel):
    code: str
    name: str
    timezone: str


class ServiceTypeRead(ServiceTypeChanged):
    """A service type as scheduling keeps it: the facts of intake's latest event about it."""

    model_config = ConfigDict(from_attributes=True)
