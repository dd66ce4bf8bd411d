"""The kinds of message, the parameters each is filled in with, their default texts in the
network's four languages, and how a text is filled in: ``$name`` placeholders (Python's
``string.Template``: nothing but substitution, so an edited text can do no harm), moments
and days written in the recipient's language and the municipality's time zone (Babel).
Pure functions, tested in isolation."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from string import Template
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

Language = Literal["bg", "pl", "uk", "en"]
LANGUAGES: tuple[Language, ...] = ("bg", "pl", "uk", "en")
ParamKind = Literal["moment", "day", "service", "reason", "text"]  # service, reason: codes, written in the language
MOMENT_PATTERN = "EEEE d MMMM, HH:mm"  # "понеделник 7 декември, 10:00"
SAMPLE_MOMENT = datetime.fromisoformat("2026-12-07T08:00:00+00:00")


@dataclass(frozen=True)
class Kind:
    """A kind of message: who gets it, its parameters, and its texts by language (subject, body)."""

    to: str  # client, worker, coordinator, expert, member, caller (a call task)
    params: Mapping[str, ParamKind]
    texts: Mapping[str, tuple[str, str]]


KINDS: dict[str, Kind] = {
    "visit_reminder": Kind("client", {"starts_at": "moment", "service": "service"}, {
        "bg": ("Напомняне за посещение", "Напомняне: $starts_at ще ви посетим ($service). Ако не можете, обадете се."),
        "pl": ("Przypomnienie o wizycie", "Przypominamy: $starts_at odwiedzimy Pana/Panią ($service)."),
        "uk": ("Нагадування про візит", "Нагадуємо: $starts_at ми вас відвідаємо ($service)."),
        "en": ("Visit reminder", "Reminder: we will visit you on $starts_at ($service). Call us if you cannot."),
    }),
    "appointment_reminder": Kind("client", {"starts_at": "moment", "service": "service"}, {
        "bg": ("Напомняне за час", "Напомняне: очакваме ви на $starts_at ($service). Ако не можете, обадете се."),
        "pl": ("Przypomnienie o wizycie", "Przypominamy: czekamy na Pana/Panią $starts_at ($service)."),
        "uk": ("Нагадування про прийом", "Нагадуємо: чекаємо на вас $starts_at ($service)."),
        "en": ("Appointment reminder", "Reminder: we expect you on $starts_at ($service). Call us if you cannot."),
    }),
    "visit_changed": Kind("client", {"starts_at": "moment", "service": "service"}, {
        "bg": ("Променено посещение", "Посещението ви ($service) е преместено за $starts_at."),
        "pl": ("Zmiana wizyty", "Wizyta ($service) została przeniesiona na $starts_at."),
        "uk": ("Зміна візиту", "Ваш візит ($service) перенесено на $starts_at."),
        "en": ("Visit moved", "Your visit ($service) has moved to $starts_at."),
    }),
    "visit_cancelled": Kind("client", {"starts_at": "moment", "service": "service"}, {
        "bg": ("Отменено посещение", "Посещението ви ($service) на $starts_at е отменено."),
        "pl": ("Odwołana wizyta", "Wizyta ($service) w dniu $starts_at została odwołana."),
        "uk": ("Візит скасовано", "Ваш візит ($service) $starts_at скасовано."),
        "en": ("Visit cancelled", "Your visit ($service) on $starts_at is cancelled."),
    }),
    "day_plan": Kind("worker", {"day": "day", "visits": "text"}, {
        "bg": ("Вашият ден", "Днес, $day: $visits посещения. Подробности в приложението."),
        "pl": ("Twój dzień", "Dziś, $day: wizyty $visits. Szczegóły w aplikacji."),
        "uk": ("Ваш день", "Сьогодні, $day: візитів $visits. Деталі в застосунку."),
        "en": ("Your day", "Today, $day: $visits visits. Details in the app."),
    }),
    "visit_missed": Kind("coordinator", {"starts_at": "moment", "service": "service", "reason": "reason"}, {
        "bg": ("Пропуснато посещение", "Пропуснато посещение ($service) на $starts_at: $reason. Задача за обаждане."),
        "pl": ("Nieodbyta wizyta", "Nieodbyta wizyta ($service) $starts_at: $reason. Zadanie: telefon."),
        "uk": ("Пропущений візит", "Пропущений візит ($service) $starts_at: $reason. Завдання: дзвінок."),
        "en": ("Missed visit", "Missed visit ($service) on $starts_at: $reason. A call task is open."),
    }),
    "checkin_unanswered": Kind("coordinator", {"called_at": "moment"}, {
        "bg": ("Няма отговор", "Два пъти без отговор на обаждането ($called_at). Някой да отиде на място."),
        "pl": ("Brak odpowiedzi", "Dwa razy bez odpowiedzi ($called_at). Proszę kogoś wysłać na miejsce."),
        "uk": ("Немає відповіді", "Двічі без відповіді на дзвінок ($called_at). Хтось має піти на місце."),
        "en": ("No answer", "Two check-in calls unanswered ($called_at). Someone should go and see."),
    }),
    "missed_visit_call": Kind("caller", {"starts_at": "moment", "service": "service"}, {
        "bg": ("Обаждане: пропуснато посещение",
               "Обадете се на клиента: посещението ($service) на $starts_at не се състоя. Запишете резултата."),
        "pl": ("Telefon: nieodbyta wizyta",
               "Proszę zadzwonić do klienta: wizyta ($service) $starts_at nie odbyła się. Zapisz wynik."),
        "uk": ("Дзвінок: пропущений візит",
               "Зателефонуйте клієнту: візит ($service) $starts_at не відбувся. Запишіть результат."),
        "en": ("Call: missed visit",
               "Call the client: the visit ($service) on $starts_at did not take place. Record the outcome."),
    }),
    "unanswered_checkin_visit": Kind("caller", {"called_at": "moment"}, {
        "bg": ("Посещение: няма отговор",
               "Два пъти без отговор ($called_at). Отидете на място или изпратете някого и запишете резултата."),
        "pl": ("Wizyta: brak odpowiedzi",
               "Dwa razy bez odpowiedzi ($called_at). Proszę pojechać lub kogoś wysłać i zapisać wynik."),
        "uk": ("Візит: немає відповіді",
               "Двічі без відповіді ($called_at). Підіть на місце або надішліть когось і запишіть результат."),
        "en": ("Visit: no answer",
               "Two check-in calls unanswered ($called_at). Go or send someone; record the outcome."),
    }),
    "followup_due": Kind("worker", {"due_on": "day", "case": "text"}, {
        "bg": ("Предстои действие", "Казус $case: действие до $due_on."),
        "pl": ("Zbliża się termin", "Sprawa $case: działanie do $due_on."),
        "uk": ("Наближається термін", "Випадок $case: дія до $due_on."),
        "en": ("Follow-up due", "Case $case: a follow-up is due on $due_on."),
    }),
    "followup_overdue": Kind("expert", {"due_on": "day", "case": "text"}, {
        "bg": ("Просрочено действие", "Казус $case: действието с краен срок $due_on не е извършено."),
        "pl": ("Przekroczony termin", "Sprawa $case: działanie z terminem $due_on nie zostało wykonane."),
        "uk": ("Прострочена дія", "Випадок $case: дію з терміном $due_on не виконано."),
        "en": ("Follow-up overdue", "Case $case: the follow-up due on $due_on has not been done."),
    }),
    "session_reminder": Kind("member", {"starts_at": "moment"}, {
        "bg": ("Среща на групата", "Напомняне: групата ви се среща на $starts_at. Очакваме ви!"),
        "pl": ("Spotkanie grupy", "Przypominamy: spotkanie grupy $starts_at. Zapraszamy!"),
        "uk": ("Зустріч гуртка", "Нагадуємо: зустріч вашого гуртка $starts_at. Чекаємо на вас!"),
        "en": ("Group meeting", "Reminder: your group meets on $starts_at. See you there!"),
    }),
}


# Why a visit was missed (scheduling.visit.missed.v1's reason), as a coordinator reads it.
REASONS: dict[str, dict[str, str]] = {
    "not_checked_in": {"bg": "никой не е отбелязал начало", "pl": "nikt nie rozpoczął wizyty",
                       "uk": "ніхто не позначив початок", "en": "no one checked in"},
    "unstaffed": {"bg": "нямаше кой да го поеме", "pl": "nie było komu jej przydzielić", "uk": "не було кому піти",
                  "en": "no one could take it"},
    "client_absent": {"bg": "клиентът не е бил вкъщи", "pl": "klienta nie było w domu", "uk": "клієнта не було вдома",
                      "en": "the client was not at home"},
    "client_refused": {"bg": "клиентът е отказал", "pl": "klient odmówił", "uk": "клієнт відмовився",
                       "en": "the client refused"},
    "worker_unable": {"bg": "служителят не е могъл да отиде", "pl": "pracownik nie mógł przyjść",
                      "uk": "працівник не зміг прийти", "en": "the worker could not come"},
}


def placeholders(text: str) -> set[str]:
    """The ``$name`` and ``${name}`` a text fills in (``$$`` is a dollar sign)."""
    return {match.group("named") or match.group("braced")
            for match in Template.pattern.finditer(text) if match.group("named") or match.group("braced")}


def text_error(kind: str, text: str) -> str | None:
    """Why ``text`` cannot be a text of ``kind`` (a placeholder it has no value for, a lone ``$``), or None."""
    if any(match.group("invalid") is not None for match in Template.pattern.finditer(text)):
        return "a $ must start a placeholder ($name or ${name}); write $$ for a dollar sign"
    unknown = sorted(placeholders(text) - set(KINDS[kind].params))
    if unknown:
        return f"unknown placeholder ${unknown[0]}: a {kind} message knows {', '.join(sorted(KINDS[kind].params))}"
    return None


def fill(text: str, kind: str, values: Mapping[str, object], *, language: str, zone: str) -> str:
    """``text`` filled in with ``values``, moments and days written for ``language`` in ``zone``."""
    written = {name: _written(KINDS[kind].params[name], value, language, zone) for name, value in values.items()}
    return Template(text).safe_substitute(written)


def sample(kind: str) -> dict[str, object]:
    """Believable values of a kind's parameters, for a preview."""
    by_kind = {"moment": SAMPLE_MOMENT, "day": SAMPLE_MOMENT.date()}
    return {name: by_kind.get(param, _SAMPLE_TEXT.get(name, name)) for name, param in KINDS[kind].params.items()}


_SAMPLE_TEXT = {"service": "home_help", "reason": "not_checked_in", "visits": "5", "case": "2026-0042"}


def _written(kind: ParamKind, value: object, language: str, zone: str) -> str:
    if kind == "moment" and isinstance(value, datetime):
        return format_datetime(value, MOMENT_PATTERN, tzinfo=ZoneInfo(zone), locale=language)
    if kind == "day" and isinstance(value, date):
        return format_date(value, "long", locale=language)
    if kind == "reason":
        return REASONS.get(str(value), {}).get(language, str(value))
    return str(value)
