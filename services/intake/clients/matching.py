"""Is this the same person? Pure functions behind duplicate detection and search.

Names are compared in a folded form: case, accents, punctuation and spacing are
ignored and Cyrillic is transliterated to Latin, so that "Мария  Петрова",
"MARIA PETROVA" and "Maria Petrova" look alike. Phones are compared by their
national significant number, so that a national and an international spelling match.

Only what is known counts: a settlement never tells two people apart (people
move within a municipality), nor does a birth date that one of them lacks.

Search looks names up by spelling keys (``name_keys``): each word of a name in each
transliteration a coordinator may type (Bulgarian, Ukrainian, Polish-style, ISO 9),
with the spellings of one sound made one (``spelling_key``). A client is found when
every word of the query begins some key of theirs (``name_found``), in any order.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache

import phonenumbers

# Two folded names at least this similar (difflib ratio, 0..1) are the same name.
# 0.85 lets one or two letters differ in a two-word name of 13-16 letters (Мария /
# Maria / Mariya Petrova ~0.96, Галина / Halyna Kovalenko ~0.88) while a different
# given name in the same family stays apart (Maria / Elena Petrova ~0.69). Near names
# (Maria / Marina) are still offered as candidates: the caller decides.
NAME_SIMILARITY_THRESHOLD = 0.85

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
_LATIN = {"ł": "l", "ß": "ss", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i"}
_SOUNDING_ALIKE = {"j": "y", "w": "v"}
_FOLD = str.maketrans({**_CYRILLIC, **_LATIN, **_SOUNDING_ALIKE})
_FOLD_LETTERS = str.maketrans({**_CYRILLIC, **_LATIN})  # for spelling keys, which tell dj from dy
_APOSTROPHES = re.compile(r"['’ʼ`]")


@lru_cache(maxsize=65536)  # the duplicate check folds the same common names again and again
def fold(text: str) -> str:
    """``" Мар'яна  Петрова-Іванова "`` -> ``"maryana petrova ivanova"``."""
    return _fold(text, _FOLD)


def _fold(text: str, table: dict[int, str]) -> str:
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).translate(table)
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


# Country calling codes (1 to 3 digits; no code is the start of another).
_COUNTRY_CODES = frozenset(str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
# Longer than any national number with its trunk 0 here (bg, pl, uk: 9 or 10 digits): an
# international number typed without its + or 00.
_LONGEST_NATIONAL = 10


def phone_key(phone: str | None) -> str:
    """The national significant number, what every spelling of one number shares (or the
    start of it, for the start of a number): ``+359 888 100 201``, ``00359888100201`` and
    ``0888 100 201`` -> ``888100201``; ``+359 88`` -> ``88``. Empty for a country code
    alone, or none known: ``+3`` -> ``""``."""
    text = (phone or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or digits.startswith("00"):
        return _after_country_code(digits.removeprefix("00") if not text.startswith("+") else digits)
    digits = digits.lstrip("0")
    return _after_country_code(digits) if len(digits) > _LONGEST_NATIONAL else digits


def _after_country_code(digits: str) -> str:
    for length in (1, 2, 3):
        if digits[:length] in _COUNTRY_CODES:
            return digits[length:].lstrip("0")  # "+359 (0)888...": a trunk 0 written after the code
    return ""


def same_phone(a: str | None, b: str | None) -> bool:
    return bool(key := phone_key(a)) and key == phone_key(b)


def _ratio(a: str, b: str) -> float:
    # difflib's ratio may differ with the order of its arguments; a fixed order makes it symmetric.
    first, second = sorted((a, b))
    return SequenceMatcher(None, first, second, autojunk=False).ratio()


def _words_sorted(folded: str) -> str:
    return " ".join(sorted(folded.split()))


def name_similarity(given_a: str, family_a: str, given_b: str, family_b: str) -> float:
    """0..1; the better of the names as written and with their words sorted
    (a given and a family name entered the wrong way round still match)."""
    a, b = fold(f"{given_a} {family_a}"), fold(f"{given_b} {family_b}")
    return max(_ratio(a, b), _ratio(_words_sorted(a), _words_sorted(b)))


@dataclass(frozen=True)
class PersonFacts:
    """What duplicate detection compares; built from a registration or a client row."""

    given_name: str
    family_name: str
    birth_date: date | None = None
    phone: str | None = None


def similar_names(a: PersonFacts, b: PersonFacts) -> bool:
    """``name_similarity`` reaches the threshold, told cheaply where it cannot: the letters both
    names have (difflib's quick ratio, the same with the words sorted) bound the similarity
    from above. The duplicate check compares a newcomer with many namesakes."""
    a_name, b_name = fold(f"{a.given_name} {a.family_name}"), fold(f"{b.given_name} {b.family_name}")
    if SequenceMatcher(None, a_name, b_name, autojunk=False).quick_ratio() < NAME_SIMILARITY_THRESHOLD:
        return False
    return max(_ratio(a_name, b_name), _ratio(_words_sorted(a_name), _words_sorted(b_name))) >= (
        NAME_SIMILARITY_THRESHOLD)


SAME_PHONE = "same_phone"
SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
SIMILAR_NAME_BIRTH_DATE_UNKNOWN = "similar_name_birth_date_unknown"


def match_reason(a: PersonFacts, b: PersonFacts) -> str | None:
    """Why ``a`` and ``b`` are likely one person, or None: the same phone, or similar names
    with the same birth date, or similar names sharing a likeness key when a birth date is
    unknown (less evidence asks for more of the name than a common ending: Kazimierz
    Jankowski is not Kazimierz Kwiatkowski, nor Maria Petrova Maria Ivanova)."""
    if same_phone(a.phone, b.phone):
        return SAME_PHONE
    if a.birth_date is not None and b.birth_date is not None and a.birth_date != b.birth_date:
        return None
    if not similar_names(a, b):
        return None
    if a.birth_date is not None and b.birth_date is not None:
        return SIMILAR_NAME_SAME_BIRTH_DATE
    if likeness_keys(a.given_name, a.family_name) & likeness_keys(b.given_name, b.family_name):
        return SIMILAR_NAME_BIRTH_DATE_UNKNOWN
    return None


def likely_same_person(a: PersonFacts, b: PersonFacts) -> bool:
    return match_reason(a, b) is not None


# -- search: the spellings of a name ---------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    """How one transliteration writes Cyrillic in Latin letters. A letter a scheme does not
    name is spelled as ``fold`` spells it."""

    name: str
    letters: dict[str, str]
    initial: dict[str, str] = field(default_factory=dict)  # at the start of a word
    # at the start of a word, after a vowel or a soft or hard sign (else ``letters``)
    after_vowel: dict[str, str] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)  # two letters spelled together
    endings: dict[str, str] = field(default_factory=dict)  # two letters ending a word

    def spell(self, word: str) -> str:
        """``word`` (lower case, NFC) in this scheme: Latin letters and digits pass unchanged."""
        spelled, i = [], 0
        while i < len(word):
            pair = word[i:i + 2]
            ending = i + 2 == len(word) and pair in self.endings
            if ending or pair in self.pairs:
                spelled.append(self.endings[pair] if ending else self.pairs[pair])
                i += 2
                continue
            letter = word[i]
            if i == 0 and letter in self.initial:
                spelled.append(self.initial[letter])
            elif (i == 0 or word[i - 1] in _VOWELS_AND_SIGNS) and letter in self.after_vowel:
                spelled.append(self.after_vowel[letter])
            else:
                spelled.append(self.letters.get(letter, _CYRILLIC.get(letter, letter)))
            i += 1
        return "".join(spelled)


_VOWELS_AND_SIGNS = frozenset("аеєиіїоуыэюяёьъ")
_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_POLISH = {"в": "w", "г": "h", "є": "ie", "ж": "ż", "и": "y", "ї": "i", "й": "j", "х": "ch", "ц": "c", "ч": "cz",
           "ш": "sz", "щ": "szcz", "ъ": "", "ь": "", "ю": "iu", "я": "ia", "ё": "io"}
_POLISH_AFTER_VOWEL = {"є": "je", "ї": "ji", "ю": "ju", "я": "ja", "ё": "jo"}

SCHEMES = (
    # Bulgarian official (the Streamlined System of the Transliteration Act, 2009): ь is y
    # (Гьошев, Gyoshev), a final ия is ia (Мария, Maria).
    Scheme("bg", {"ь": "y"}, endings={"ия": "ia"}),
    # Ukrainian official (Cabinet of Ministers resolution 55, 2010): г h, и y, х kh, щ shch,
    # є ї й ю я as ye yi y yu ya at the start of a word and ie i i iu ia elsewhere, зг zgh.
    Scheme("uk", {"г": "h", "ґ": "g", "и": "y", "х": "kh", "щ": "shch", "ь": "", "є": "ie", "ї": "i", "й": "i",
                  "ю": "iu", "я": "ia"}, initial=_UKRAINIAN_INITIAL, pairs={"зг": "zgh"}),
    # Polish-style, as Polish writes Ukrainian names (Hałyna, Hryhorczuk) and Bulgarian ones
    # (Georgi, Gioszew): cz, sz, szcz, ch, c, ż (дж dż), j-forms after a vowel.
    Scheme("pl-uk", _POLISH, after_vowel=_POLISH_AFTER_VOWEL, pairs={"ьо": "io"}),
    Scheme("pl-bg", {**_POLISH, "г": "g", "и": "i", "щ": "szt", "ъ": "a"}, after_vowel=_POLISH_AFTER_VOWEL,
           pairs={"ьо": "io"}),
    # ISO 9:1995 with its diacritics folded (č c, š s, ŝ s, ž z, û u, â a, ê e, ï i), signs dropped.
    Scheme("iso9", {"г": "g", "ґ": "g", "є": "e", "ё": "e", "ж": "z", "ї": "i", "й": "j", "х": "h", "ц": "c",
                    "ч": "c", "ш": "s", "щ": "s", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "u", "я": "a"}),
)

# Spellings of one sound made one, longest first where they overlap; each spelling becomes
# the longest of its group (х as h or kh: kh; ц as c, ts or tz: ts...), so that the key of
# the start of a word is the start of the word's key ("Had" of "Hadzhiev": "khad..."). The
# rest is one letter for one: y, j and i; w and v; doubled letters once.
_SAME_SOUND = {
    "shch": "shtsh", "szcz": "shtsh", "sht": "shtsh", "szt": "shtsh",  # щ
    "sh": "sh", "sz": "sh",  # ш
    "ch": "tsh", "cz": "tsh",  # ч
    "zh": "z", "dj": "dz",  # ж, and дж as dzh, dż, dž or dj
    "kh": "kh", "h": "kh",  # х
    "tz": "ts", "c": "ts",  # ц
    "x": "ks", "w": "v", "j": "i", "y": "i",
}
_SOUNDS = re.compile("|".join(sorted(_SAME_SOUND, key=len, reverse=True)))
_DOUBLED = re.compile(r"(.)\1+")
# Keys are cut here, as the query's are: a longer word is found by its first letters.
KEY_LENGTH = 64


def spelling_key(word: str) -> str:
    """What Latin spellings of one word share (``word`` as ``spellings`` gives it): Yordanka,
    Jordanka and Iordanka -> ``iordanka``; Mariya and Maria -> ``maria``; Hadzhiev and
    Hadjiev -> ``khadziev``. The key of a prefix of a word is a prefix of the word's key."""
    return _DOUBLED.sub(r"\1", _SOUNDS.sub(lambda found: _SAME_SOUND[found.group()], word))[:KEY_LENGTH]


def spellings(word: str) -> set[str]:
    """The folded spellings of one word of a name: a Cyrillic word's in every scheme and as
    ``fold`` reads it, a Latin word's own."""
    plain = _fold(word, _FOLD_LETTERS)
    if not any("\u0400" <= letter <= "\u04ff" for letter in word):
        return {plain}
    return {plain, *(_fold(scheme.spell(word), _FOLD_LETTERS) for scheme in SCHEMES)}


def _words(text: str) -> list[str]:
    """The words of a name or a query, lower case, without apostrophes (Мар'яна is one word)."""
    text = unicodedata.normalize("NFC", _APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold()))
    text = "".join(c for c in text if not unicodedata.combining(c))  # marks NFC could not join to a letter
    return "".join(c if c.isalnum() else " " for c in text).split()


@lru_cache(maxsize=65536)  # the words of common names come again and again
def word_keys(word: str) -> frozenset[str]:
    """The spelling keys of one word (none for a word no scheme spells with a letter: ь)."""
    return frozenset(key for spelled in spellings(word) for key in map(spelling_key, spelled.split()) if key)


def name_keys(given_name: str, family_name: str) -> set[str]:
    """What search looks a client up by: the keys of every word of both names."""
    return {key for word in _words(f"{given_name} {family_name}") for key in word_keys(word)}


def likeness_keys(given_name: str, family_name: str) -> set[str]:
    """What the duplicate check looks a person up by: each word's spelling key joined to the
    first consonant of another word's (Мария Петрова: ``maria|p``, ``petrova|m``). Names alike
    enough to compare share one, unless every word differs or one differs by its first
    consonant: far fewer people share one than share a word (every Maria of a municipality).
    A consonant, not the first letter: Elena, Olena and Yelena begin alike (``l``)."""
    words = [word_keys(word) for word in _words(f"{given_name} {family_name}")]
    if len(words) == 1:
        return {f"{key}|" for key in words[0]}
    return {f"{key}|{_first_consonant(other_key)}" for i, keys in enumerate(words) for key in keys
            for j, others in enumerate(words) if i != j for other_key in others}


def _first_consonant(key: str) -> str:
    return next((letter for letter in key if letter not in "aeiou"), "")


def query_words(q: str) -> list[set[str]]:
    """The words of a name query, each as the keys it may begin: a key that begins with
    another of the word's keys is left out (the shorter finds it too)."""
    found = []
    for word in _words(q):
        keys = word_keys(word)
        keys = {key for key in keys if not any(key != other and key.startswith(other) for other in keys)}
        if keys and keys not in found:
            found.append(keys)
    return found


def name_found(words: list[set[str]], keys: set[str]) -> bool:
    """Whether a client with ``keys`` (``name_keys``) is found by a query of ``words``
    (``query_words``): every word begins one of the keys, whichever."""
    return all(any(key.startswith(start) for start in starts for key in keys) for starts in words)


def prefix_range(start: str) -> tuple[str, str]:
    """``low <= text < high`` holds exactly for the texts that begin with ``start`` (non-empty),
    in code point order: byte order in UTF-8, as SQLite compares and PostgreSQL's "C" collation."""
    return start, start[:-1] + chr(ord(start[-1]) + 1)


_PHONE_LIKE = re.compile(r"[\s+().\-/0-9]*[0-9][\s+().\-/0-9]*")


def phone_query(q: str) -> str | None:
    """The start of a national number a phone-like query looks for (``phone_key``), or None
    for a name query: ``0888 12`` and ``+359 888 12`` -> ``88812``."""
    return phone_key(q) if _PHONE_LIKE.fullmatch(q) else None
