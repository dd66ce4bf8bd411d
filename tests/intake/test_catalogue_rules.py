"""The catalogue's validators in isolation, with property-based tests."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given, strategies as st
from pydantic import TypeAdapter, ValidationError

from services.intake.catalogue.schemas import Names, ServiceTypeNames, Translations
from services.intake.catalogue.service import require_period
from shared.errors import Invalid
from shared.types import CODE, LANGUAGES, MUNICIPALITY_CODE, Code, Location, MunicipalityCode

NAMES, SERVICE_TYPE_NAMES, TRANSLATIONS = TypeAdapter(Names), TypeAdapter(ServiceTypeNames), TypeAdapter(Translations)
CODES, MUNICIPALITY_CODES = TypeAdapter(Code), TypeAdapter(MunicipalityCode)

languages = st.sampled_from(LANGUAGES)
other_keys = st.text(max_size=5).filter(lambda key: key not in LANGUAGES)
# Format characters (Cf) that hide or reorder text: refused in a Line, as controls (Cc) are.
INVISIBLE = [chr(c) for c in (*range(0x200B, 0x200E), 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
printable = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=INVISIBLE)
names = st.text(printable, min_size=1, max_size=40).filter(lambda name: name.strip())
WHITE_SPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]  # Python's, as str.strip() sees it
blanks = st.text(st.sampled_from(WHITE_SPACE), max_size=5)
controls = st.characters(whitelist_categories=("Cc",)) | st.sampled_from(INVISIBLE)
valid_names = st.dictionaries(languages, names, min_size=1)


def _rejected(adapter: TypeAdapter, value) -> list[tuple]:
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python(value)
    return [error["loc"] for error in raised.value.errors()]


# -- names: only bg/pl/uk/en keys, no blank name, at least one ------------------------------------


@given(valid_names)
def test_names_in_the_four_languages_are_accepted_in_nfc_and_trimmed(value):
    expected = {language: unicodedata.normalize("NFC", name).strip() for language, name in value.items()}
    assert NAMES.validate_python(value) == expected


@given(valid_names, other_keys, names)
def test_a_name_in_any_other_language_is_refused_naming_the_key(value, key, name):
    assert (key, "[key]") in _rejected(NAMES, {**value, key: name})


@given(valid_names, languages, blanks)
def test_a_blank_name_is_refused_naming_its_language(value, language, blank):
    assert (language,) in _rejected(NAMES, {**value, language: blank})


@given(valid_names, languages, names, controls, names)
def test_a_name_with_a_control_or_invisible_character_is_refused(value, language, before, control, after):
    assert (language,) in _rejected(NAMES, {**value, language: before + control + after})


def test_at_least_one_name_is_needed_but_translations_may_be_none():
    assert _rejected(NAMES, {}) == [()]
    assert TRANSLATIONS.validate_python({}) == {}


@given(valid_names)
def test_a_service_type_needs_an_english_name(value):
    if "en" in value:
        assert SERVICE_TYPE_NAMES.validate_python(value) == NAMES.validate_python(value)
    else:
        assert _rejected(SERVICE_TYPE_NAMES, value) == [()]


# -- codes -------------------------------------------------------------------------------------------------


@given(st.from_regex(CODE, fullmatch=True))
def test_every_code_of_the_pattern_is_accepted(code):
    assert CODES.validate_python(code) == code


@given(st.text(max_size=70))
def test_a_code_is_accepted_only_if_it_matches_the_pattern(text):
    lower_case_code = re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,63}", text) is not None
    try:
        CODES.validate_python(text)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == lower_case_code


@given(st.from_regex(CODE, fullmatch=True).filter(lambda code: re.search("[a-z]", code)))
def test_codes_are_lower_case(code):
    _rejected(CODES, code.upper())


@given(st.from_regex(MUNICIPALITY_CODE, fullmatch=True))
def test_municipality_codes_are_upper_case(code):
    assert MUNICIPALITY_CODES.validate_python(code) == code
    if re.search("[A-Z]", code):
        _rejected(MUNICIPALITY_CODES, code.lower())


# -- periods and places ------------------------------------------------------------------------------


@given(st.dates(), st.dates())
def test_a_programme_ends_on_or_after_its_start(starts_on: date, ends_on: date):
    if ends_on >= starts_on:
        require_period(starts_on, ends_on)
    else:
        with pytest.raises(Invalid) as raised:
            require_period(starts_on, ends_on)
        assert raised.value.extra["field"] == "ends_on"


@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_a_location_is_on_earth(latitude, longitude):
    on_earth = -90 <= latitude <= 90 and -180 <= longitude <= 180
    accepted, named = True, set()
    try:
        Location(latitude=latitude, longitude=longitude)
    except ValidationError as error:
        accepted, named = False, {e["loc"][0] for e in error.errors()}
    assert accepted == on_earth
    assert named <= {"latitude", "longitude"}
