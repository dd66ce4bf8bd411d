"""Field types and base models that requests, answers and events share, declared once."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

MUNICIPALITY_CODE = r"^[A-Z0-9][A-Z0-9_-]{1,31}$"
CODE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
LANGUAGE = r"^(bg|pl|uk|en)$"
LANGUAGES = ("bg", "pl", "uk", "en")
CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOCK_OR_MIDNIGHT = r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
# A token's subject (``sub``): an issuer's id for a person, e.g. a uuid, "mediator-ivanova", "auth0|5f7c".
SUBJECT = r"^[A-Za-z0-9][A-Za-z0-9._@|:-]{0,199}$"

# Characters no name, address or note needs, and that hide or reorder what a reader
# sees: C0 and C1 controls, zero-width characters, bidirectional embeddings,
# overrides and isolates. A note may hold tabs and line breaks; a line may not.
_HIDDEN = "\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069"
_REFUSED_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]")
_REFUSED_IN_NOTE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]")


def _text(refused: re.Pattern[str]):
    # Before pydantic's own checks, so that the length limits count the normalised text.
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
"""Text on one line: names, titles, addresses, labels. Bound its length with ``line()``."""
Note = Annotated[str, BeforeValidator(_text(_REFUSED_IN_NOTE)), _documented(_REFUSED_IN_NOTE)]
"""Free text of several lines: descriptions, observations, notes. Bound its length with ``note()``."""


# The bounds sit on the str itself, inside the cleaning: they count the NFC text, pydantic
# words them in characters and the JSON schema shows them. A bound given after the type
# (``Annotated[Line, Field(max_length=100)]``) would be checked around the cleaning, where
# pydantic can only say "should have at most 100 items after validation".
def line(*, min_length: int | None = None, max_length: int | None = None) -> Any:
    """A ``Line`` of ``min_length`` to ``max_length`` characters (of its NFC form)."""
    return _bounded(_REFUSED_IN_LINE, min_length, max_length)


def note(*, min_length: int | None = None, max_length: int | None = None) -> Any:
    """A ``Note`` of ``min_length`` to ``max_length`` characters (of its NFC form)."""
    return _bounded(_REFUSED_IN_NOTE, min_length, max_length)


def _bounded(refused: re.Pattern[str], min_length: int | None, max_length: int | None) -> Any:
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     BeforeValidator(_text(refused)), _documented(refused)]


# A day, as ISO 8601 writes it. Pydantic's own date also reads 0 or "1700000000" as seconds
# since 1970 and takes "2021-07-01T00:00"; a request names a day only as YYYY-MM-DD.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# The years a request may name: a day or moment outside them is a typing error, and near the
# ends of the calendar, arithmetic on it (a week later, another time zone) would overflow.
YEARS = (1900, 2999)


def _iso_day(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value  # built in Python, not sent
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return _within_years(value, "iso_date", "a day")  # pydantic then checks it is a day of the calendar
    raise PydanticCustomError("iso_date", "Input should be a day written YYYY-MM-DD")


def _within_years(value: str, kind: str, what: str) -> str:
    if not YEARS[0] <= int(value[:4]) <= YEARS[1]:
        raise PydanticCustomError(kind, f"Input should be {what} of the years {YEARS[0]} to {YEARS[1]}")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_day)]
"""A day of a request (a body field or a query parameter): YYYY-MM-DD, nothing else."""


def iso_date(*, ge: date | None = None, le: date | None = None) -> Any:
    """An ``IsoDate`` from ``ge`` to ``le``: the bounds, like ``line()``'s, sit inside the check of
    the form (given after it, pydantic would word them "datetime.date(2000, 1, 1)" and the JSON
    schema would carry a stray "ge")."""
    return Annotated[date, Field(ge=ge, le=le), BeforeValidator(_iso_day)]


# A moment, as RFC 3339 writes it: a day, a time to the second and the offset from UTC (pydantic's
# own reads 0 as 1970-01-01T00:00:00Z, and a moment without an offset is no moment).
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                         r"([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _iso_moment(value: object) -> object:
    if isinstance(value, datetime):
        return value  # built in Python, not sent
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        return _within_years(value, "iso_datetime", "a moment")  # pydantic then checks the calendar and offset
    raise PydanticCustomError("iso_datetime", "Input should be a moment written YYYY-MM-DDTHH:MM:SS with its "
                                              "offset, such as 2025-03-01T09:00:00+02:00 or 2025-03-01T07:00:00Z")


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_moment)]
"""A moment of a request: RFC 3339 with its offset from UTC, nothing else."""


def _refuse_null(value: object) -> object:
    if value is None:
        raise PydanticCustomError("not_null", "may be left out, not set to null")
    return value


def not_null(*fields: str) -> Any:
    """The validator of an update (PATCH) body whose ``fields`` may be left out but not set to
    null: declare them without ``| None`` and with the default None (``title: Title = None``),
    so that the schema does not offer null; a null sent is then refused in these words."""
    return field_validator(*fields, mode="before")(_refuse_null)


Language = Literal["bg", "pl", "uk", "en"]
Code = Annotated[str, Field(pattern=CODE, examples=["home_help"],
                            description="Stable code, lower case: letters, digits, '_', '.' and '-'")]
MunicipalityCode = Annotated[str, Field(pattern=MUNICIPALITY_CODE, examples=["BG-RAK"],
                                        description="Stable code, upper case: letters, digits, '-' and '_'")]
Clock = Annotated[str, Field(pattern=CLOCK, examples=["09:00"])]
ClockOrMidnight = Annotated[str, Field(pattern=CLOCK_OR_MIDNIGHT, examples=["12:00"],
                                       description="24:00 is the end of the day")]
Subject = Annotated[str, Field(pattern=SUBJECT, examples=["mediator-ivanova"],
                               description="Who, as the subject (sub) of their token: an id, never a name")]


H = TypeVar("H")


def each_once(values: list[H] | None, what: str, *, key: Callable[[H], Hashable] | None = None) -> list[H] | None:
    """A list validator's check: every value (or its ``key``) at most once (else "each ``what``
    may appear once")."""
    keys = [key(value) for value in values] if key and values else values
    if keys is not None and len(set(keys)) != len(keys):
        raise ValueError(f"each {what} may appear once")
    return values


def distinct(what: str, *, key: Callable[[Any], Hashable] | None = None) -> Callable[[list | None], list | None]:
    """``each_once`` as a list field's validator: ``field_validator("team")(distinct("member"))``."""
    def check(values: list | None) -> list | None:
        return each_once(values, what, key=key)
    return check


def not_before(earlier: str, *, strictly: bool = False) -> Callable[[Any, ValidationInfo], Any]:
    """A later field's validator: on or after the field ``earlier`` (``strictly``: after it) when
    both are given: ``field_validator("ends_on")(not_before("starts_on"))``."""
    def check(value: Any, info: ValidationInfo) -> Any:
        first = info.data.get(earlier)
        if value is not None and first is not None and (value <= first if strictly else value < first):
            raise ValueError(f"must be {'after' if strictly else 'on or after'} {earlier} ({first})")
        return value
    return check


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


def located(latitude: float | None, longitude: float | None) -> Location | None:
    """A point kept as two columns, or None where it is unknown."""
    return None if latitude is None or longitude is None else Location(latitude=latitude, longitude=longitude)


def coordinates(location: Location | None) -> tuple[float | None, float | None]:
    """A point as the two columns that keep it: (None, None) where it is unknown."""
    return (location.latitude, location.longitude) if location else (None, None)
