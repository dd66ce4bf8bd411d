"""The client rules on their own: name folding and duplicate matching, phones,
birth dates, status changes and their days, search keys. Property-based where a property exists."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, timedelta, timezone

import pytest
from hypothesis import assume, given, strategies as st

from services.intake.clients import matching
from services.intake.clients.matching import (
    NAME_SIMILARITY_THRESHOLD,
    SCHEMES,
    PersonFacts,
    fold,
    likely_same_person,
    likeness_keys,
    match_reason,
    name_found,
    name_keys,
    name_similarity,
    phone_key,
    phone_query,
    prefix_range,
    query_words,
    same_phone,
    similar_names,
    spelling_key,
    word_keys,
)
from services.intake.clients.rules import (
    as_utc,
    check_birth_date,
    check_status_change,
    check_status_since,
    e164,
    phone_region,
)
from shared.errors import Conflict

TODAY = date(2025, 6, 1)
LETTERS = ("abcdefghijklmnopqrstuvwxyząćęłńóśźż"
           "абвгдежзийклмнопрстуфхцчшщъьюяєіїґ")
letters = st.text(alphabet=LETTERS + LETTERS.upper(), min_size=1, max_size=12)
names = st.lists(letters, min_size=1, max_size=3).map(" ".join)
spacing = st.text(alphabet=" \t", min_size=1, max_size=3)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
phones = st.one_of(st.none(), st.from_regex(r"\+359[0-9]{9}", fullmatch=True))
people = st.builds(PersonFacts, given_name=names, family_name=names, birth_date=st.one_of(st.none(), birth_dates),
                   phone=phones)


# -- folding names ----------------------------------------------------------------------


@pytest.mark.parametrize(("written", "folded"), [
    ("  Мария   Петрова ", "mariya petrova"),
    ("MARIA PETROVA", "maria petrova"),
    ("Krystyna Wiśniewska", "krystyna visnievska"),
    ("Мар'яна Петрова-Іванова", "maryana petrova ivanova"),
    ("Łukasz", "lukasz"),
    ("Щерев", "shterev"),
])
def test_fold(written, folded):
    assert fold(written) == folded


@given(names)
def test_folding_is_idempotent_and_leaves_plain_lower_case_latin(name):
    once = fold(name)
    assert fold(once) == once
    assert re.fullmatch(r"[a-z ]*", once)


@given(names, spacing, spacing)
def test_case_and_whitespace_do_not_change_a_folded_name(name, before, after):
    spaced = before + re.sub(" ", lambda _: " \t ", name) + after
    assert fold(name.upper()) == fold(name.lower()) == fold(spaced) == fold(name)


@pytest.mark.parametrize(("a", "b"), [
    (("Мария", "Петрова"), ("Maria", "Petrova")),
    (("Мария", "Петрова"), ("MARIYA", "petrova")),
    (("Галина", "Коваленко"), ("Halyna", "Kovalenko")),
    (("Petrova", "Maria"), ("Maria", "Petrova")),  # given and family names swapped
    (("Ahmed", "Ahmedov"), ("Ahmed", "Ahmedov ")),
])
def test_spellings_of_one_name_are_similar(a, b):
    assert name_similarity(*a, *b) >= NAME_SIMILARITY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), [
    (("Мария", "Петрова"), ("Елена", "Петрова")),
    (("Мария", "Петрова"), ("Мария", "Иванова")),
    (("Ivan", "Georgiev"), ("Stefan", "Nikolov")),
])
def test_different_names_are_not_similar(a, b):
    assert name_similarity(*a, *b) < NAME_SIMILARITY_THRESHOLD


@given(names, names, names, names)
def test_name_similarity_is_symmetric_and_between_0_and_1(given_a, family_a, given_b, family_b):
    forward = name_similarity(given_a, family_a, given_b, family_b)
    assert forward == name_similarity(given_b, family_b, given_a, family_a)
    assert 0 <= forward <= 1


@given(people, people)
def test_the_quick_similarity_check_answers_as_the_similarity(a, b):
    assert similar_names(a, b) == (
        name_similarity(a.given_name, a.family_name, b.given_name, b.family_name) >= NAME_SIMILARITY_THRESHOLD)


@given(names, names)
def test_a_name_is_fully_similar_to_itself_however_written(given_name, family_name):
    assert name_similarity(given_name, family_name, f" {given_name.upper()}", f"{family_name.lower()}  ") == 1


# -- phones --------------------------------------------------------------------------------


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_national_and_international_spellings_of_a_number_are_the_same_phone(national):
    spaced = f"0{national[:3]} {national[3:6]}-{national[6:]}"
    assert same_phone(f"+359{national}", spaced)
    assert same_phone(f"00359 {national}", f"+359 ({national[:3]}) {national[3:]}")
    assert phone_key(spaced) == national


@given(phones, phones)
def test_same_phone_is_symmetric_and_needs_a_number(a, b):
    assert same_phone(a, b) == same_phone(b, a)
    assert not same_phone(None, a)


BG_MOBILES = st.from_regex(r"8[789][0-9]{7}", fullmatch=True)


@given(BG_MOBILES, st.sampled_from(["0{}", "+359{}", "00359{}", "+359 ({}", "0{} "]))
def test_every_spelling_of_a_number_is_stored_as_one_e164(national, spelling):
    spaced = f"{national[:3]}) {national[3:6]}-{national[6:]}" if "(" in spelling else national
    assert e164(spelling.format(spaced), region="BG") == f"+359{national}"


@pytest.mark.parametrize(("phone", "region", "stored"), [
    ("0888 123 401", "BG", "+359888123401"),
    ("600 100 200", "PL", "+48600100200"),
    ("050 123 4567", "UA", "+380501234567"),
    ("+48 600 100 200", "BG", "+48600100200"),  # a number abroad, with its country code
    ("+359 888 123 401", None, "+359888123401"),
])
def test_a_number_is_read_in_the_municipalitys_country(phone, region, stored):
    assert e164(phone, region=region) == stored


@pytest.mark.parametrize(("phone", "region"), [
    ("12345", "BG"), ("0888 12", "BG"), ("0888 123 401 9", "BG"), ("+359 123", "BG"), ("0600 100 200", "PL"),
    ("0888 123 401", None),  # no country to read a national number in
])
def test_a_number_that_cannot_exist_is_refused(phone, region):
    with pytest.raises(ValueError):
        e164(phone, region=region)


@pytest.mark.parametrize(("municipality", "region"), [
    ("BG-RAK", "BG"), ("PL-PLO", "PL"), ("UA-LUB", "UA"), ("RAKITOVO", None), ("EU-NET", None)])
def test_the_region_of_a_municipality_is_the_country_its_code_starts_with(municipality, region):
    assert phone_region(municipality) == region


# -- matching people ---------------------------------------------------------------------------


@given(people, people)
def test_matching_is_symmetric(a, b):
    assert match_reason(a, b) == match_reason(b, a)


@given(people)
def test_a_person_matches_themselves(person):
    """Unless nothing tells who they are: no phone, no birth date, a name no scheme spells (ь)."""
    assume(person.phone or person.birth_date or name_keys(person.given_name, person.family_name))
    assert likely_same_person(person, person)


@given(people, names, names, spacing)
def test_case_and_whitespace_in_names_do_not_change_a_match(person, given_name, family_name, pad):
    other = PersonFacts(given_name, family_name, person.birth_date, None)
    respelled = PersonFacts(pad + given_name.upper() + pad, family_name.lower() + pad, person.birth_date, None)
    assert likely_same_person(person, other) == likely_same_person(person, respelled)


@given(people, people, birth_dates, st.integers(min_value=1, max_value=3650))
def test_different_birth_dates_and_phones_never_match(a, b, born, days_apart):
    a, b = replace(a, birth_date=born), replace(b, birth_date=born + timedelta(days=days_apart))
    assume(not same_phone(a.phone, b.phone))
    assert not likely_same_person(a, b)


def test_a_birth_date_tells_people_apart_only_when_both_are_known():
    maria = PersonFacts("Мария", "Петрова", date(1948, 3, 12), "+359888100201")
    assert match_reason(maria, PersonFacts("Maria", "Petrova", date(1948, 3, 12))) == (
        matching.SIMILAR_NAME_SAME_BIRTH_DATE)
    assert match_reason(maria, PersonFacts("Maria", "Petrova", date(1948, 3, 13))) is None
    assert match_reason(maria, PersonFacts("Maria", "Petrova")) == matching.SIMILAR_NAME_BIRTH_DATE_UNKNOWN
    assert match_reason(PersonFacts("Maria", "Petrova"), PersonFacts("Мария", "Петрова")) == (
        matching.SIMILAR_NAME_BIRTH_DATE_UNKNOWN)
    assert match_reason(maria, PersonFacts("Elena", "Ivanova", None, "0888 100 201")) == matching.SAME_PHONE
    assert match_reason(PersonFacts("Elena", "Petrova"), PersonFacts("Maria", "Petrova")) is None


def test_without_a_birth_date_names_alike_by_a_common_ending_are_not_a_match():
    """Similar as texts, but only one word in common: with a birth date unknown, not enough."""
    kwiatkowski, jankowski = PersonFacts("Kazimierz", "Kwiatkowski"), PersonFacts("Kazimierz", "Jankowski")
    assert similar_names(kwiatkowski, jankowski)
    assert match_reason(kwiatkowski, jankowski) is None
    born = date(1941, 5, 2)
    assert match_reason(replace(kwiatkowski, birth_date=born), replace(jankowski, birth_date=born)) == (
        matching.SIMILAR_NAME_SAME_BIRTH_DATE)
    assert match_reason(PersonFacts("Maria", "Petrova"), PersonFacts("Maria", "Pterova")) == (
        matching.SIMILAR_NAME_BIRTH_DATE_UNKNOWN)


# -- search ----------------------------------------------------------------------------------

CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъьюяєіїґ"
cyrillic_words = st.text(alphabet=CYRILLIC, min_size=1, max_size=10)
cyrillic_names = st.lists(cyrillic_words, min_size=1, max_size=2).map(" ".join)
# How a coordinator may write a Cyrillic word in Latin letters: each scheme, and fold's reading.
SPELLERS = {scheme.name: scheme.spell for scheme in SCHEMES} | {"fold": fold}


def finds(q: str, given_name: str, family_name: str) -> bool:
    return name_found(query_words(q), name_keys(given_name, family_name))


@pytest.mark.parametrize(("given_name", "family_name", "q"), [
    ("Йорданка", "Кехайова", "Yordanka"),  # the Bulgarian official spelling
    ("Йорданка", "Кехайова", "Jordanka"),  # Polish-style, ISO 9
    ("Йорданка", "Кехайова", "Iordanka"),
    ("Йорданка", "Кехайова", "Kehayova"),
    ("Георги", "Гьошев", "Gyoshev"),  # ьо is yo
    ("Георги", "Гьошев", "Gioszew"),
    ("Цветанка", "Стоянова", "Cvetanka"),
    ("Цветанка", "Стоянова", "Tsvetanka"),
    ("Цветанка", "Стоянова", "Stoianova"),
    ("Цветанка", "Стоянова", "Stoyanova"),
    ("Цветанка", "Стоянова", "Stojanowa"),
    ("Иван", "Хаджиев", "Hadjiev"),
    ("Иван", "Хаджиев", "Hadzhiev"),
    ("Иван", "Хаджиев", "Chadżiew"),
    ("Иван", "Хаджиев", "Hadžiev"),
    ("Мария", "Петрова", "Maria"),  # a final ия is ia
    ("Мария", "Петрова", "Mariya"),
    ("Мария", "Петрова", "Petrova Maria"),  # the family name first
    ("Мария", "Петрова", "petr mar"),
    ("Галина", "Коваленко", "Halyna Kovalenko"),  # Ukrainian official
    ("Юлія", "Щербак", "Yuliia Shcherbak"),
    ("Юлія", "Щербак", "Julia Szczerbak"),  # Polish-style
    ("Юлія", "Щербак", "Ulia Serbak"),  # ISO 9 without its diacritics (Ûlìâ Ŝerbak)
    ("Юлія", "Щербак", "Ûlìâ Ŝerbak"),
    ("Олександр", "Григорчук", "Hryhorczuk"),
    ("Maria", "Petrova", "Мария Петрова"),  # Cyrillic finds Latin too
    ("Anna", "Ahmedova", "Ахмед"),
])
def test_official_and_common_spellings_find_a_name(given_name, family_name, q):
    assert finds(q, given_name, family_name)


@pytest.mark.parametrize(("given_name", "family_name", "q"), [
    ("Мария", "Петрова", "Elena"),
    ("Мария", "Петрова", "etrova"),  # a word is found by its start
    ("Мария", "Петрова", "Maria Ivanova"),  # every word of the query
    ("Йорданка", "Кехайова", "Kehayova Maria"),
    ("Мария", "Петрова", "888"),
])
def test_other_names_are_not_found(given_name, family_name, q):
    assert not finds(q, given_name, family_name)


@given(cyrillic_names, cyrillic_names, st.sampled_from(sorted(SPELLERS)), st.data())
def test_any_spelling_of_a_name_in_any_order_found_by_its_words_starts(given_name, family_name, scheme, data):
    """Each scheme's spelling of a Cyrillic name, its words in any order, each cut to any
    start of at least two letters, in any case, finds the name."""
    words = [spelled for word in f"{given_name} {family_name}".split() if (spelled := SPELLERS[scheme](word))]
    typed = [word[:data.draw(st.integers(min(2, len(word)), len(word)))] for word in data.draw(st.permutations(words))]
    q = " ".join(typed)
    assert finds(data.draw(st.sampled_from([q, q.upper(), q.title()])), given_name, family_name)


@given(cyrillic_names, cyrillic_names, st.data())
def test_the_start_of_each_cyrillic_word_in_any_order_finds_the_name(given_name, family_name, data):
    words = data.draw(st.permutations(f"{given_name} {family_name}".split()))
    assert finds(" ".join(word[:data.draw(st.integers(1, len(word)))] for word in words), given_name, family_name)


@given(cyrillic_names, cyrillic_names, st.sampled_from(sorted(SPELLERS)))
def test_a_spelling_of_a_name_has_only_keys_of_the_name(given_name, family_name, scheme):
    """So the duplicate check, which looks for a shared key, finds a name written in another script."""
    spell = SPELLERS[scheme]
    assert name_keys(spell(given_name), spell(family_name)) <= name_keys(given_name, family_name)


@given(cyrillic_names, cyrillic_names, st.sampled_from(sorted(SPELLERS)))
def test_a_spelling_of_a_name_shares_its_likeness_keys(given_name, family_name, scheme):
    """So the duplicate check compares a name written in another script with the name."""
    spell = SPELLERS[scheme]
    spelled = likeness_keys(spell(given_name), spell(family_name))
    assert spelled <= likeness_keys(given_name, family_name)
    assert spelled or not name_keys(spell(given_name), spell(family_name))


@pytest.mark.parametrize(("a", "b"), [
    (("Maria", "Petrova"), ("Maria", "Pterova")),  # a typo in one word
    (("Maria", "Petrova"), ("Mraia", "Petrova")),
    (("Petrova", "Maria"), ("Мария", "Петрова")),  # the family name first, another script
    (("Yelena", "Koval"), ("Олена", "Коваль")),  # a word begins with another vowel
    (("Yevheniia", "Koval"), ("Evheniia", "Koval")),
    (("Cvetanka", "Stoyanova"), ("Цветанка", "Стоянова")),
    (("Anna Maria", "Kowalska"), ("Anna", "Kowalska-Nowak")),
])
def test_names_worth_comparing_share_a_likeness_key(a, b):
    assert likeness_keys(*a) & likeness_keys(*b)


@pytest.mark.parametrize(("a", "b"), [
    (("Maria", "Petrova"), ("Maria", "Ivanova")),  # namesakes by one word: every Maria
    (("Maria", "Petrova"), ("Elena", "Petrova")),
    (("Maria", "Petrova"), ("Maria", "Betrova")),  # a typo in a first consonant: left to the birth date and phone
])
def test_names_alike_by_one_word_only_share_no_likeness_key(a, b):
    assert not likeness_keys(*a) & likeness_keys(*b)


_TAILS = st.text(alphabet="abcdefghiklmnoprstuvz", max_size=8)


@st.composite
def _word(draw, consonant: str) -> str:
    """A word whose first consonant is ``consonant``, after some vowels or none."""
    return draw(st.text(alphabet="aeiou", max_size=2)) + consonant + draw(_TAILS)


@given(st.lists(st.text(alphabet="abcdefghiklmnoprstuvz", min_size=1, max_size=10), min_size=1, max_size=2),
       st.sampled_from("bdfgklmnprstvz"), st.data())
def test_names_that_differ_in_one_word_after_its_first_consonant_share_a_likeness_key(others, consonant, data):
    words = [data.draw(_word(consonant)), *others]
    written = [data.draw(_word(consonant)), *others]
    written = data.draw(st.permutations(written))  # in any order
    assert likeness_keys(words[0], " ".join(words[1:])) & likeness_keys(written[0], " ".join(written[1:]))


@given(names, names, spacing)
def test_case_spacing_and_word_order_do_not_change_the_keys(given_name, family_name, pad):
    keys = name_keys(given_name, family_name)
    assert name_keys(family_name.upper() + pad, pad + given_name) == keys
    assert likeness_keys(family_name.upper() + pad, pad + given_name) == likeness_keys(given_name, family_name)
    assert all(re.fullmatch(r"[a-z0-9]{1,64}", key) for key in keys)


@given(st.text(alphabet="abcdeghijklorstuvwxyz", max_size=16), st.data())
def test_the_key_of_the_start_of_a_word_is_the_start_of_its_key(word, data):
    start = word[:data.draw(st.integers(0, len(word)))]
    assert spelling_key(word).startswith(spelling_key(start))


@pytest.mark.parametrize("spellings", [
    ("Yordanka", "Jordanka", "Iordanka"), ("Maria", "Mariya", "Marija", "Mariia"), ("Stoyanova", "Stoianova"),
    ("Tsvetanka", "Cvetanka", "Tzvetanka"), ("Hadzhiev", "Hadjiev", "Hadziev"), ("Shcherbak", "Szczerbak", "Shterbak"),
    ("Kehayova", "Kehajova", "Kekhaiova"), ("Zhanna", "Żanna", "Žanna"), ("Chernenko", "Czernenko"),
])
def test_spellings_of_one_sound_have_one_key(spellings):
    assert len({frozenset(word_keys(spelling)) for spelling in spellings}) == 1


@given(st.text(st.characters(codec="utf-8", exclude_characters="\U0010ffff"), min_size=1, max_size=4),
       st.text(st.characters(codec="utf-8"), max_size=6))
def test_a_prefix_is_a_range(start, text):
    low, high = prefix_range(start)
    assert (low <= text < high) == text.startswith(start)


@given(BG_MOBILES, st.integers(min_value=1, max_value=9),
       st.sampled_from(["0{}", "+359 {}", "00359 {}", "(0{}", "+359 (0){}"]))
def test_the_start_of_a_number_in_any_spelling_finds_it(national, length, spelling):
    digits = phone_query(spelling.format(national[:length]))
    assert digits == national[:length]
    assert phone_key(f"+359{national}").startswith(digits)


@pytest.mark.parametrize(("q", "digits"), [
    ("0888 100 201", "888100201"), ("+359888100201", "888100201"), ("359888100201", "888100201"),
    ("+48 600 100 200", "600100200"), ("+359", ""), ("+3", ""), ("Мария", None), ("m 0888", None),
])
def test_a_phone_like_query_looks_for_the_start_of_a_national_number(q, digits):
    assert phone_query(q) == digits


# -- birth dates, statuses, times ----------------------------------------------------------------


@given(birth_dates)
def test_birth_dates_from_1900_to_today_are_accepted(day):
    assert check_birth_date(day, today=TODAY) == day


@given(st.one_of(st.dates(max_value=date(1899, 12, 31)), st.dates(min_value=TODAY + timedelta(days=1))))
def test_birth_dates_before_1900_or_in_the_future_are_refused(day):
    with pytest.raises(ValueError):
        check_birth_date(day, today=TODAY)


STATUSES = st.sampled_from(["active", "inactive", "moved", "deceased"])


@given(STATUSES, STATUSES)
def test_any_status_may_follow_another_but_death_is_final(current, new):
    if current == "deceased" and new != "deceased":
        with pytest.raises(Conflict) as refused:
            check_status_change(current, new)
        assert (refused.value.status, refused.value.extra["field"]) == (409, "status")
    else:
        check_status_change(current, new)


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=3))])))
def test_naive_and_aware_times_compare_as_utc(moment):
    assert as_utc(moment) == moment
    assert as_utc(moment.astimezone(UTC).replace(tzinfo=None)) == moment


@given(st.sampled_from(["moved", "deceased"]), st.dates(max_value=TODAY), st.dates(max_value=TODAY))
def test_a_departure_needs_its_day_between_the_earliest_and_today(status, since, earliest):
    with pytest.raises(ValueError):
        check_status_since(status, None, today=TODAY, earliest=earliest)
    if since < earliest:
        with pytest.raises(ValueError):
            check_status_since(status, since, today=TODAY, earliest=earliest)
    else:
        assert check_status_since(status, since, today=TODAY, earliest=earliest) == since


@given(STATUSES, st.dates(min_value=TODAY + timedelta(days=1)))
def test_no_status_takes_effect_in_the_future(status, since):
    with pytest.raises(ValueError):
        check_status_since(status, since, today=TODAY, earliest=date(1900, 1, 1))


@given(st.sampled_from(["active", "inactive"]))
def test_another_status_takes_effect_today_unless_told(status):
    assert check_status_since(status, None, today=TODAY, earliest=TODAY) == TODAY
