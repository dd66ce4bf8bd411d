"""The words of a period progress report in each language it is written in (bg, pl, uk, en):
its headings, the names of the figures and sections, and the values some breakdowns have.
Names that are data (municipalities, programmes, service types, code lists) come from the
catalogue's events instead (services/reporting/reports/content.py)."""
from __future__ import annotations

from typing import Any

from services.reporting.indicators import rules

# Each entry: bg, pl, uk, en.
_WORDS: dict[str, tuple[str, str, str, str]] = {
    # headings
    "title": ("Отчет за напредъка за периода", "Sprawozdanie z postępu za okres", "Звіт про хід виконання за період",
              "Period progress report"),
    "programme": ("Програма", "Program", "Програма", "Programme"),
    "funder": ("Финансираща организация", "Grantodawca", "Донор", "Funder"),
    "municipality": ("Община", "Gmina", "Громада", "Municipality"),
    "municipalities": ("Общини", "Gminy", "Громади", "Municipalities"),
    "network": ("Мрежа", "Sieć", "Мережа", "Network"),
    "period": ("Период", "Okres", "Період", "Period"),
    "made_at": ("Изготвен", "Sporządzono", "Складено", "Made"),
    "frozen_at": ("Заключен", "Zamrożono", "Зафіксовано", "Frozen"),
    "not_frozen": ("Работен вариант: стойностите може да се променят", "Wersja robocza: wartości mogą się zmienić",
                   "Робоча версія: значення можуть змінитися", "Working copy: its figures may still change"),
    "total": ("Общо", "Razem", "Усього", "Total"),
    "unknown": ("неизвестно", "nieznane", "невідомо", "unknown"),
    "suppressed": ("Стойности под {threshold} не се показват (—), както и тези, от които биха се изчислили.",
                   "Wartości poniżej {threshold} nie są pokazywane (—), ani te, z których dałoby się je obliczyć.",
                   "Значення менші за {threshold} не показуються (—), як і ті, з яких їх можна обчислити.",
                   "Values under {threshold} are not shown (—), nor those they could be worked out from."),
    "whole": ("За цялата община: не се отчита по програми.", ("Dla całej gminy: nie jest ewidencjonowane według "
              "programów."), "Для всієї громади: не обліковується за програмами.",
              "For the whole municipality: not recorded by programme."),
    "changes": ("Промени спрямо заключения отчет от {date}", "Zmiany od zamrożonego sprawozdania z {date}",
                "Зміни порівняно із зафіксованим звітом від {date}", "Changes since the frozen report of {date}"),
    "no_changes": ("Няма промени.", "Brak zmian.", "Змін немає.", "No changes."),
    "figure": ("Показател", "Wskaźnik", "Показник", "Figure"),
    "was": ("Беше", "Było", "Було", "Was"),
    "now": ("Сега", "Jest", "Тепер", "Now"),
    "section": ("Раздел", "Część", "Розділ", "Section"),
    "key": ("Разбивка", "Podział", "Розподіл", "Breakdown"),
    "value": ("Стойност", "Wartość", "Значення", "Value"),
    # sections
    "clients": ("Потребители", "Klienci", "Клієнти", "Clients"),
    "clients_by_target_group": ("Обслужени потребители по целеви групи", ("Klienci objęci usługami według grup "
                                "docelowych"), "Клієнти, які отримали послуги, за цільовими групами",
                                "Clients served by target group"),
    "clients_by_age_band": ("Обслужени потребители по възраст", "Klienci objęci usługami według wieku",
                            "Клієнти, які отримали послуги, за віком", "Clients served by age"),
    "clients_by_sex": ("Обслужени потребители по пол", "Klienci objęci usługami według płci",
                       "Клієнти, які отримали послуги, за статтю", "Clients served by sex"),
    "visits": ("Посещения и часове", "Wizyty i godziny", "Візити та години", "Visits and hours"),
    "hours_by_service_type": ("Посещения и часове по вид услуга", "Wizyty i godziny według rodzaju usługi",
                              "Візити та години за видом послуги", "Visits and hours by service"),
    "hours_by_staff_role": ("Предоставени часове по длъжност", "Zrealizowane godziny według stanowiska",
                            "Надані години за посадою", "Hours delivered by staff role"),
    "staff": ("Персонал по длъжности", "Personel według stanowisk", "Персонал за посадами", "Staff by role"),
    "groups": ("Групи за самопомощ", "Grupy samopomocowe", "Групи самодопомоги", "Self-help groups"),
    "activities": ("Обучения, кампании и други прояви", "Szkolenia, kampanie i inne wydarzenia",
                   "Навчання, кампанії та інші заходи", "Trainings, campaigns and other events"),
    "cases": ("Казуси", "Sprawy", "Випадки", "Cases"),
    "cases_by_category": ("Казуси по категории", "Sprawy według kategorii", "Випадки за категоріями",
                          "Cases by category"),
    "contact": ("Телефонни обаждания („телефонен приятел“)", "Telefony kontrolne („telefon przyjaciela”)",
                "Дзвінки-перевірки («телефонний друг»)", "Check-in calls (\"telephone friend\")"),
    "escalations_and_messages": ("Сигнали и съобщения", "Eskalacje i wiadomości", "Ескалації та повідомлення",
                                 "Escalations and messages"),
    # figures
    "clients_registered": ("Регистрирани потребители", "Zarejestrowani klienci", "Зареєстровані клієнти",
                           "Clients registered"),
    "clients_assessed": ("Потребители с извършена оценка", "Klienci z oceną potrzeb", "Клієнти з оцінкою потреб",
                         "Clients assessed"),
    "clients_served": ("Обслужени потребители", "Klienci objęci usługami", "Клієнти, які отримали послуги",
                       "Clients served"),
    "agreements_signed": ("Сключени договори", "Zawarte umowy", "Укладені договори", "Agreements signed"),
    "care_plans_active": ("Активни планове за грижа", "Aktywne plany opieki", "Активні плани догляду",
                          "Active care plans"),
    "visits_planned": ("Планирани посещения", "Zaplanowane wizyty", "Заплановані візити", "Visits planned"),
    "visits_delivered": ("Осъществени посещения", "Zrealizowane wizyty", "Проведені візити", "Visits delivered"),
    "visits_missed": ("Пропуснати посещения", "Nieodbyte wizyty", "Пропущені візити", "Visits missed"),
    "visits_cancelled": ("Отменени посещения", "Odwołane wizyty", "Скасовані візити", "Visits cancelled"),
    "hours_planned": ("Планирани часове", "Zaplanowane godziny", "Заплановані години", "Hours planned"),
    "hours_delivered": ("Предоставени часове", "Zrealizowane godziny", "Надані години", "Hours delivered"),
    "staff_headcount": ("Персонал (брой лица)", "Personel (liczba osób)", "Персонал (кількість осіб)",
                        "Staff (people)"),
    "groups_formed": ("Сформирани групи", "Utworzone grupy", "Створені групи", "Groups formed"),
    "sessions_held": ("Проведени срещи", "Odbyte spotkania", "Проведені зустрічі", "Sessions held"),
    "participants_unique": ("Участници (всеки веднъж)", "Uczestnicy (każdy raz)", "Учасники (кожен один раз)",
                            "Participants (each once)"),
    "attendance_total": ("Присъствия общо", "Obecności razem", "Присутності загалом", "Attendance, all presences"),
    "activities_held": ("Проведени прояви", "Przeprowadzone wydarzenia", "Проведені заходи", "Events held"),
    "activity_participants": ("Участници в тях", "Ich uczestnicy", "Їх учасники", "Their participants"),
    "cases_opened": ("Открити казуси", "Otwarte sprawy", "Відкриті випадки", "Cases opened"),
    "cases_resolved": ("Решени казуси", "Rozwiązane sprawy", "Вирішені випадки", "Cases resolved"),
    "cases_open": ("Неприключени в края на периода", "Otwarte na koniec okresu", "Незакриті на кінець періоду",
                   "Still open at the period's end"),
    "cases_overdue": ("С просрочени последващи действия", "Z zaległymi działaniami", "З простроченими діями",
                      "With overdue follow-up"),
    "days_to_resolution_median": ("Медиана на дните до решаване", "Mediana dni do rozwiązania",
                                  "Медіана днів до вирішення", "Median days to resolution"),
    "checkin_calls_made": ("Проведени обаждания", "Wykonane telefony", "Здійснені дзвінки", "Calls made"),
    "checkin_calls_unanswered": ("Без отговор", "Bez odpowiedzi", "Без відповіді", "Unanswered"),
    "escalations_raised": ("Сигнали за намеса", "Eskalacje", "Ескалації", "Escalations raised"),
    "messages_sent": ("Изпратени съобщения", "Wysłane wiadomości", "Надіслані повідомлення", "Messages sent"),
    "messages_failed": ("Неизпратени съобщения", "Niewysłane wiadomości", "Ненадіслані повідомлення",
                        "Messages not sent"),
}

# Values of breakdowns that no catalogue names: sex, and the kinds of one-off events.
_VALUES: dict[str, tuple[str, str, str, str]] = {
    "female": ("Жени", "Kobiety", "Жінки", "Women"),
    "male": ("Мъже", "Mężczyźni", "Чоловіки", "Men"),
    "other": ("Друг", "Inna", "Інша", "Other"),
    "training": ("Обучение", "Szkolenie", "Навчання", "Training"),
    "campaign": ("Кампания", "Kampania", "Кампанія", "Campaign"),
    "public_discussion": ("Обществено обсъждане", "Debata publiczna", "Громадське обговорення", "Public discussion"),
    "coalition_meeting": ("Среща на коалицията", "Spotkanie koalicji", "Зустріч коаліції", "Coalition meeting"),
}

_COLUMN = {"bg": 0, "pl": 1, "uk": 2, "en": 3}


def word(key: str, language: str, **values: Any) -> str:
    """A heading, section or figure name in ``language`` (its {placeholders} filled)."""
    return _WORDS[key][_COLUMN[language]].format(**values)


def value(code: str, language: str) -> str:
    """A breakdown's value no catalogue names: its words, else the code made readable."""
    if code == rules.UNKNOWN:
        return word("unknown", language)
    known = _VALUES.get(code)
    return known[_COLUMN[language]] if known else code.replace("_", " ").capitalize()

