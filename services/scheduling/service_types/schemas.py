from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ServiceTypeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    names: dict[str, str]
    mode: str
    staff_roles: list[str]
    default_duration_minutes: int
    unit: str
    active: bool
