from __future__ import annotations

from shared.types import ReadModel


class MunicipalityRead(ReadModel):
    code: str
    name: str
    language: str
    timezone: str


class ServiceTypeRead(ReadModel):
    code: str
    names: dict[str, str]
    mode: str
    staff_roles: list[str]
    default_duration_minutes: int
    unit: str
    active: bool
