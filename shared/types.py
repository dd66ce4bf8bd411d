"""Field types and base models that requests, answers and events share, declared once."""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MUNICIPALITY_CODE = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"
CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
LANGUAGE = r"^(bg|pl|uk|en)$"
LANGUAGES = ("bg", "pl", "uk", "en")
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOCK_OR_MIDNIGHT = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"

# Characters no name, address or note needs, and that hide or reorder what a reader
# sees: C0 and C1 controls, zero-width characters, bidirectional embeddings,
# overrides and isolates. A note may hold tabs and line breaks; a line may not.
_HIDDEN = "\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]")
_REFUSED_IN_NOTE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]")


def _text(refused: re.Pattern[str]):
    # Before pydantic's own checks, so that length limits given with Field() count the
    # normalised text. (They are then reported as "items", not "characters".)
    def clean(value: object) -> object:
        """NFC, so that the same name typed on two keyboards is the same text."""
        if not isinstance(value, str):
            return value  # pydantic answers "not a string"
        found = refused.search(value)
        if found:  # the code point, never the text: it may be personal data
            raise ValueError(f"must not contain U+{ord(found.group()):04X} (a control or invisible character)")
        return unicodedata.normalize("NFC", value)
    return clean


def _documented(refused: re.Pattern[str]) -> Any:
    """The refusal as a pattern of the JSON schema: clients (and fuzzers) see what is refused."""
    return Field(json_schema_extra={"pattern": f"^[^{refused.pattern[1:-1]}]*$"})


Line = Annotated[str, BeforeValidator(_text(_REFUSED_IN_LINE)), _documented(_REFUSED_IN_LINE)]
"""Text on one line: names, titles, addresses, labels."""
Note = Annotated[str, BeforeValidator(_text(_REFUSED_IN_NOTE)), _documented(_REFUSED_IN_NOTE)]
"""Free text of several lines: descriptions, observations, notes."""

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
