"""Is this the same person? Pure functions behind duplicate detection and search.

Names are compared in a folded form: case, accents, punctuation and spacing are
ignored and Cyrillic is transliterated to Latin, so that "Мария  Петрова",
"MARIA PETROVA" and "Maria Petrova" look alike. Phones are compared by their
last nine digits, so that a national and an international spelling match.

Only what is known counts: a settlement never tells two people apart (people
move within a municipality), nor does a birth date that one of them lacks.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

# Two folded names at least this similar (difflib ratio, 0..1) are the same name.
# 0.85 lets one or two letters differ in a two-word name of 13-16 letters (Мария /
# Maria / Mariya Petrova ~0.96, Галина / Halyna Kovalenko ~0.88) while a different
# given name in the same family stays apart (Maria / Elena Petrova ~0.69). Near names
# (Maria / Marina) are still offered as candidates: the caller decides.
NAME_SIMILARITY_THRESHOLD = 0.85

# National numbers of bg, pl and uk are nine digits after the trunk or country prefix.
PHONE_SIGNIFICANT_DIGITS = 9

# One table for Bulgarian and Ukrainian (the Bulgarian reading where they differ):
# a matching aid, not an official transliteration.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ё": "yo",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h",
    "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}
# Latin letters that NFKD does not take apart, and spellings that sound alike (Jan / Ян, Wiśniewska / Вишневска).
_LATIN = {"ł": "l", "ß": "ss", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "j": "y", "w": "v"}
_FOLD = str.maketrans({**_CYRILLIC, **_LATIN})
_APOSTROPHES = re.compile(r"['’ʼ`]")


def fold(text: str) -> str:
    """``" Мар'яна  Петрова-Іванова "`` -> ``"maryana petrova ivanova"``."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def phone_digits(phone: str | None) -> str:
    """The digits of a phone number without an international ``00`` or trunk ``0`` prefix."""
    return re.sub(r"\D", "", phone or "").lstrip("0")


def phone_key(phone: str | None) -> str:
    """What two spellings of one number share: ``+359 888 100 201`` and ``0888100201`` -> ``888100201``."""
    return phone_digits(phone)[-PHONE_SIGNIFICANT_DIGITS:]


def same_phone(a: str | None, b: str | None) -> bool:
    return bool(phone_key(a)) and phone_key(a) == phone_key(b)


def _ratio(a: str, b: str) -> float:
    # difflib's ratio may differ with the order of its arguments; a fixed order makes it symmetric.
    first, second = sorted((a, b))
    return SequenceMatcher(None, first, second, autojunk=False).ratio()


def name_similarity(given_a: str, family_a: str, given_b: str, family_b: str) -> float:
    """0..1; the better of the names as written and with their words sorted
    (a given and a family name entered the wrong way round still match)."""
    a, b = fold(f"{given_a} {family_a}"), fold(f"{given_b} {family_b}")
    return max(_ratio(a, b), _ratio(" ".join(sorted(a.split())), " ".join(sorted(b.split()))))


@dataclass(frozen=True)
class PersonFacts:
    """What duplicate detection compares; built from a registration or a client row."""

    given_name: str
    family_name: str
    birth_date: date | None = None
    phone: str | None = None


SAME_PHONE = "same_phone"
SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
SIMILAR_NAME_BIRTH_DATE_UNKNOWN = "similar_name_birth_date_unknown"


def match_reason(a: PersonFacts, b: PersonFacts) -> str | None:
    """Why ``a`` and ``b`` are likely one person, or None: the same phone, or similar
    names with birth dates that do not differ (the same, or one of them unknown)."""
    if same_phone(a.phone, b.phone):
        return SAME_PHONE
    if name_similarity(a.given_name, a.family_name, b.given_name, b.family_name) < NAME_SIMILARITY_THRESHOLD:
        return None
    if a.birth_date is None or b.birth_date is None:
        return SIMILAR_NAME_BIRTH_DATE_UNKNOWN
    return SIMILAR_NAME_SAME_BIRTH_DATE if a.birth_date == b.birth_date else None


def likely_same_person(a: PersonFacts, b: PersonFacts) -> bool:
    return match_reason(a, b) is not None


def search_text(given_name: str, family_name: str, phone: str | None) -> str:
    """The folded names and the phone's digits, kept on the client row for ``q`` searches."""
    return f"{fold(given_name)} {fold(family_name)}|{phone_digits(phone)}"


LIKE_ESCAPE = "/"  # as SQLAlchemy's autoescape: a backslash means different things to SQLite and PostgreSQL


def search_pattern(q: str) -> str:
    """The LIKE pattern of a search (with ``LIKE_ESCAPE``): a phone-like query matches the
    digits, any other the folded names. No character of ``q`` is a wildcard: folding
    turns punctuation into spaces, and what remains is escaped should that ever change."""
    if re.fullmatch(r"[\s+().\-/0-9]*[0-9][\s+().\-/0-9]*", q):
        return f"%|%{phone_digits(q)}%"
    return f"%{_escape_like(fold(q))}%|%"


def _escape_like(text: str) -> str:
    return re.sub(r"[%_/]", lambda found: LIKE_ESCAPE + found.group(), text)
