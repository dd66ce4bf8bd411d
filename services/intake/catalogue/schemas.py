from __future__ import annotations

from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.events.intake import LANGUAGE, MUNICIPALITY_CODE


class MunicipalityCreate(BaseModel):
    code: str = Field(pattern=MUNICIPALITY_CODE, examples=["BG-MTR"],
                      description="Stable code, upper case: letters, digits, '-' and '_'")
    name: str = Field(min_length=1, max_length=200, examples=["Малко Търново"])
    language: str = Field(pattern=LANGUAGE, description="bg, pl, uk or en", examples=["bg"])
    timezone: str = Field(examples=["Europe/Sofia"])

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value


class MunicipalityRead(MunicipalityCreate):
    model_config = ConfigDict(from_attributes=True)
