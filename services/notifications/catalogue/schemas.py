from __future__ import annotations

from shared.types import ReadModel


class MunicipalityRead(ReadModel):
    code: str
    name: str
    language: str
    timezone: str
