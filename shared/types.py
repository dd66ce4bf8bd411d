"""Field types and base models that requests, answers and events share, declared once."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MUNICIPALITY_CODE = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"
CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
LANGUAGE = r"^(bg|pl|uk|en)$"
LANGUAGES = ("bg", "pl", "uk", "en")
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOCK_OR_MIDNIGHT = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"

Language = Literal["bg", "pl", "uk", "en"]
Code = Annotated[str, Field(pattern=CODE, examples=["home_help"],
                            description="Stable code, lower case: letters, digits, '_', '.' and '-'")]
MunicipalityCode = Annotated[str, Field(pattern=MUNICIPALITY_CODE, examples=["BG-RAK"],
                                        description="Stable code, upper case: letters, digits, '-' and '_'")]
Clock = Annotated[str, Field(pattern=CLOCK, examples=["09:00"])]
ClockOrMidnight = Annotated[str, Field(pattern=CLOCK_OR_MIDNIGHT, examples=["12:00"],
                                       description="24:00 is the end of the day")]


class RequestModel(BaseModel):
    """Base of every request body: an unknown field is an error naming it, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    """Base of every answer: built from a row's attributes (``model_validate(row)``)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


# A point, for route planning: a settlement's centre or a client's visit place. (No
# docstring or examples: events carry it, and their schemas are snapshotted.)
class Location(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
