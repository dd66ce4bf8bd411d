"""The field types of shared/types.py in isolation: text bounded in characters of its NFC form,
a day only as YYYY-MM-DD, an update field that may be left out but not be null; and, over
every service's request models, that each bound sits where pydantic words it properly."""
from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any

import pytest
from hypothesis import given, strategies as st
from pydantic import Field, TypeAdapter, ValidationError, field_validator

from services.registry import all_specs
from shared.paging import PageQuery
from shared.types import (
    IsoDate,
    IsoDateTime,
    Line,
    RequestModel,
    distinct,
    each_once,
    iso_date,
    line,
    not_before,
    not_null,
    note,
)

NAME = TypeAdapter(line(min_length=1, max_length=5))
OPTIONAL_NOTE = TypeAdapter(Annotated[note(max_length=5) | None, Field(description="why")])
DAY = TypeAdapter(IsoDate)
PERIOD_DAY = TypeAdapter(iso_date(ge=date(2000, 1, 1), le=date(2099, 12, 31)))
MOMENT = TypeAdapter(IsoDateTime)
# Not a day as a request writes one: seconds since 1970 (pydantic's own date reads them), a
# moment, the basic ISO form, a day without its zeros, other digits, a number.
NOT_DAYS = ["0", "1700000000", "2021-07-01T00:00:00", "2021-07-01T00:00:00Z", "20210701", "2021-7-1",
            "２０２１-０７-０１", " 2021-07-01", "2021-07-01\n", 0, 1_700_000_000, 0.0, True, datetime(2021, 7, 1)]


def _messages(adapter: TypeAdapter, value: Any) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python(value)
    return [error["msg"] for error in raised.value.errors()]


# -- text: bounded in characters, counted in NFC ----------------------------------------------------


def test_a_bounded_line_words_its_bounds_in_characters():
    assert _messages(NAME, "Марияна") == ["String should have at most 5 characters"]
    assert _messages(NAME, "") == ["String should have at least 1 character"]
    assert _messages(OPTIONAL_NOTE, "a\nb\ncd") == ["String should have at most 5 characters"]
    assert OPTIONAL_NOTE.validate_python(None) is None


def test_the_bounds_count_the_nfc_text():
    decomposed = unicodedata.normalize("NFD", "Йосиф")  # as a Mac keyboard types it: И and a breve
    assert len(decomposed) == 6
    assert NAME.validate_python(decomposed) == "Йосиф"


@pytest.mark.parametrize("hidden", ["\x00", "\n", "\u200b", "\u202e", "\u2066", "\ufeff"])
def test_a_bounded_line_still_refuses_controls_and_invisible_characters(hidden):
    [message] = _messages(NAME, f"a{hidden}b")
    assert f"U+{ord(hidden):04X}" in message


def test_a_note_keeps_its_line_breaks_and_tabs():
    assert OPTIONAL_NOTE.validate_python("a\n\tb") == "a\n\tb"


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf")), min_size=1, max_size=12))
def test_any_line_within_its_bounds_is_accepted_in_nfc(text):
    normal = unicodedata.normalize("NFC", text)
    if len(normal) <= 5:
        assert NAME.validate_python(text) == normal
    else:
        assert _messages(NAME, text) == ["String should have at most 5 characters"]


def test_the_json_schema_shows_the_bounds_and_the_refused_characters():
    schema = NAME.json_schema()
    assert (schema["type"], schema["minLength"], schema["maxLength"]) == ("string", 1, 5)
    assert schema["pattern"] == TypeAdapter(Line).json_schema()["pattern"]
    assert OPTIONAL_NOTE.json_schema()["anyOf"][0]["maxLength"] == 5


# -- days: YYYY-MM-DD and nothing else ----------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_DAYS)
def test_a_day_is_written_yyyy_mm_dd(value):
    assert _messages(DAY, value) == ["Input should be a day written YYYY-MM-DD"]


def test_a_day_of_the_calendar_is_accepted_written_or_built():
    assert DAY.validate_python("2024-02-29") == date(2024, 2, 29)
    assert DAY.validate_python(date(2021, 7, 1)) == date(2021, 7, 1)
    assert _messages(DAY, "2023-02-29") == [
        "Input should be a valid date or datetime, day value is outside expected range"]
    assert DAY.json_schema() == {"type": "string", "format": "date"}


def test_a_bounded_day_words_its_bounds_as_days_and_keeps_its_schema_clean():
    assert _messages(PERIOD_DAY, "1999-12-31") == ["Input should be greater than or equal to 2000-01-01"]
    assert _messages(PERIOD_DAY, "2100-01-01") == ["Input should be less than or equal to 2099-12-31"]
    assert _messages(PERIOD_DAY, 0) == ["Input should be a day written YYYY-MM-DD"]
    assert PERIOD_DAY.json_schema() == {"type": "string", "format": "date"}


# -- moments: RFC 3339 with an offset ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", 0, 1_700_000_000, "2025-03-01", "2025-03-01T07:00:00", "2025-03-01T07:00Z",
                                   "2025-03-01 07:00:00Z", "20250301T070000Z", "2025-03-01T07:00:00+0200"])
def test_a_moment_is_written_rfc_3339_with_its_offset(value):
    [message] = _messages(MOMENT, value)
    assert message.startswith("Input should be a moment written YYYY-MM-DDTHH:MM:SS with its offset")


def test_a_moment_with_its_offset_is_accepted_written_or_built():
    assert MOMENT.validate_python("2025-03-01T09:00:00+02:00") == datetime(2025, 3, 1, 7, tzinfo=UTC)
    assert MOMENT.validate_python("2025-03-01t07:00:00.5z") == datetime(2025, 3, 1, 7, 0, 0, 500_000, tzinfo=UTC)
    assert MOMENT.validate_python(datetime(2025, 3, 1, 7, tzinfo=UTC)) == datetime(2025, 3, 1, 7, tzinfo=UTC)
    assert _messages(MOMENT, datetime(2025, 3, 1, 7)) == ["Input should have timezone info"]
    assert MOMENT.json_schema() == {"type": "string", "format": "date-time"}


# -- an update's field that may be left out but not be null ---------------------------------------------


class _Change(RequestModel):
    title: line(min_length=1, max_length=20) = None
    comment: note(max_length=20) | None = None

    _not_null = not_null("title")


def test_a_field_that_may_not_be_null_may_be_left_out():
    assert _Change.model_validate({}).model_fields_set == set()
    assert _Change.model_validate({"comment": None}).comment is None


def test_null_is_refused_where_the_schema_does_not_offer_it():
    with pytest.raises(ValidationError) as raised:
        _Change.model_validate({"title": None})
    assert [(e["loc"], e["msg"]) for e in raised.value.errors()] == [(("title",), "may be left out, not set to null")]
    properties = _Change.model_json_schema()["properties"]
    assert properties["title"]["type"] == "string" and "anyOf" not in properties["title"]
    assert {"type": "null"} in properties["comment"]["anyOf"]


# -- every service's request models -----------------------------------------------------------------------


def _request_models() -> list[type]:
    all_specs()  # imports every service, and so every model
    found, roots = [], [RequestModel, PageQuery]
    while roots:
        for model in roots.pop().__subclasses__():
            if model not in found and not model.__module__.startswith("tests."):
                found.append(model)
                roots.append(model)
    return found


def _bounds_behind_a_validator(schema: Any) -> list[str]:
    """The bounds pydantic checks around a validator function instead of on the type itself: it
    then words them "items after validation" or "datetime.date(...)" and its JSON schema may
    carry a stray key. (pydantic falls back to a partial of its own _validators there.)"""
    if isinstance(schema, dict):
        function = schema.get("function")
        inner = function.get("function") if isinstance(function, dict) else None
        here = ([f"{inner.func.__name__}{inner.keywords}"] if isinstance(inner, partial)
                and inner.func.__module__ == "pydantic._internal._validators" else [])
        return here + [found for value in schema.values() for found in _bounds_behind_a_validator(value)]
    if isinstance(schema, list | tuple):
        return [found for value in schema for found in _bounds_behind_a_validator(value)]
    return []


def test_every_bound_of_a_request_sits_on_its_type():
    misplaced = {f"{model.__module__}.{model.__name__}": found for model in _request_models()
                 if (found := _bounds_behind_a_validator(model.__pydantic_core_schema__))}
    assert misplaced == {}


def _fields_of_format(model: type, form: str) -> list[str]:
    properties = model.model_json_schema()["properties"]
    return [name for name, schema in properties.items()
            if any(s.get("format") == form for s in schema.get("anyOf", [schema]))]


def _refusals(model: type, name: str, value: Any) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate({name: value})
    return [error["msg"] for error in raised.value.errors() if error["loc"][:1] == (name,)]


def test_every_day_a_request_takes_is_written_yyyy_mm_dd():
    days = [(model, name) for model in _request_models() for name in _fields_of_format(model, "date")]
    assert len(days) > 20  # bodies and query parameters of intake
    for model, name in days:
        for value in ("0", 0, "2021-07-01T00:00:00"):
            assert "Input should be a day written YYYY-MM-DD" in _refusals(model, name, value), (model, name, value)


def test_every_moment_a_request_takes_is_written_rfc_3339():
    for model in _request_models():
        for name in _fields_of_format(model, "date-time"):
            for value in ("0", 0, "2025-03-01T07:00:00"):
                [message] = _refusals(model, name, value)
                assert message.startswith("Input should be a moment written"), (model, name, value)


def test_each_once_refuses_a_value_or_key_given_twice_and_keeps_the_list():
    assert each_once(["a", "b"], "code") == ["a", "b"] and each_once(None, "code") is None
    with pytest.raises(ValueError, match="each code may appear once"):
        each_once(["a", "b", "a"], "code")
    by_first = distinct("pair", key=lambda pair: pair[0])
    assert by_first([(1, "x"), (2, "x")]) == [(1, "x"), (2, "x")]
    with pytest.raises(ValueError, match="each pair may appear once"):
        by_first([(1, "x"), (1, "y")])


class _Period(RequestModel):
    starts_on: IsoDate
    ends_on: IsoDate | None = None
    _ends_after = field_validator("ends_on")(not_before("starts_on"))


def test_a_later_field_is_refused_before_the_earlier_one_and_taken_on_or_after_it():
    assert _Period(starts_on="2026-12-01", ends_on="2026-12-01").ends_on == date(2026, 12, 1)
    assert _Period(starts_on="2026-12-01").ends_on is None
    with pytest.raises(ValidationError, match=r"must be on or after starts_on \(2026-12-01\)"):
        _Period(starts_on="2026-12-01", ends_on="2026-11-30")
    assert not_before("start", strictly=True)("09:00", _Info({"start": "08:00"})) == "09:00"
    with pytest.raises(ValueError, match="must be after start"):
        not_before("start", strictly=True)("08:00", _Info({"start": "08:00"}))


class _Info:
    def __init__(self, data: dict) -> None:
        self.data = data
