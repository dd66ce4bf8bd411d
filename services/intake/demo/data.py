"""What the demo instance holds: the networks, municipalities and programmes of
the five seed programmes (see ../shared/seeds), and believable clients, plans
and cases. Plain data; ``services.intake.demo`` loads it through the same
service functions as the API, so the events reach the other services."""
from __future__ import annotations

from services.intake.assessments.schemas import SUGGESTED_DOMAINS


def _rows(keys: str, *rows: tuple) -> list[dict]:
    """A table's rows as the dicts of the requests that register them."""
    return [dict(zip(keys.split(), row, strict=True)) for row in rows]


NETWORKS = [
    {"code": "BG-NNHM", "name": "Национална мрежа на здравните медиатори"},
    {"code": "BG-PATRONAGE", "name": "Общински патронажни услуги"},
    {"code": "PL-MAZ-KS", "name": "Mazowiecka sieć Klubów Samopomocy i Klubów Integracji Społecznej"},
    {"code": "UA-POLT-SD", "name": "Гуртки самодопомоги Полтавщини"},
]

MUNICIPALITIES = _rows(
    "code name names language timezone network",
    ("BG-MTR", "Малко Търново", {"en": "Malko Tarnovo"}, "bg", "Europe/Sofia", "BG-NNHM"),
    ("BG-BGS", "Бургас", {"en": "Burgas"}, "bg", "Europe/Sofia", "BG-NNHM"),
    ("BG-RAK", "Ракитово", {"en": "Rakitovo"}, "bg", "Europe/Sofia", "BG-PATRONAGE"),
    ("BG-PER", "Перник", {"en": "Pernik"}, "bg", "Europe/Sofia", "BG-NNHM"),
    ("PL-PLO", "Płock", {"en": "Plock"}, "pl", "Europe/Warsaw", "PL-MAZ-KS"),
    ("PL-SIE", "Siedlce", {"en": "Siedlce"}, "pl", "Europe/Warsaw", "PL-MAZ-KS"),
    ("UA-LUB", "Лубни", {"en": "Lubny"}, "uk", "Europe/Kyiv", "UA-POLT-SD"),
)

# (municipality, name, kind, marginalised community, latitude, longitude)
SETTLEMENTS = [
    ("BG-MTR", "Малко Търново", "town", False, 41.9797, 27.5254),
    ("BG-MTR", "Звездец", "village", True, 42.1117, 27.4167),
    ("BG-MTR", "Граматиково", "village", False, 42.0472, 27.6519),
    ("BG-BGS", "кв. Победа", "neighbourhood", True, 42.5226, 27.4322),
    ("BG-BGS", "кв. Горно Езерово", "neighbourhood", True, 42.5143, 27.4067),
    ("BG-RAK", "Ракитово", "town", False, 42.0924, 24.0859),
    ("BG-RAK", "Костандово", "town", False, 42.0544, 24.0794),
    ("BG-PER", "кв. Мошино", "neighbourhood", True, 42.5853, 23.0630),
    ("BG-PER", "кв. Изток", "neighbourhood", False, 42.6054, 23.0522),
    ("PL-PLO", "Płock", "town", False, 52.5463, 19.7065),
    ("PL-SIE", "Siedlce", "town", False, 52.1676, 22.2902),
    ("UA-LUB", "Лубни", "town", False, 50.0186, 32.9869),
    ("UA-LUB", "Піски", "village", False, 50.0401, 32.9551),
]

CODE_LISTS = {
    "staff_role": {
        "health_mediator": {"bg": "Здравен медиатор", "en": "Health mediator"},
        "home_helper": {"bg": "Домашен помощник", "en": "Home helper"},
        "medical_specialist": {"bg": "Медицински специалист", "en": "Medical specialist"},
        "social_worker": {"bg": "Социален работник", "pl": "Pracownik socjalny", "uk": "Соціальний працівник",
                          "en": "Social worker"},
        "psychologist": {"bg": "Психолог", "en": "Psychologist"},
        "lawyer": {"bg": "Юрист", "en": "Lawyer"},
        "mediator": {"bg": "Социален медиатор", "en": "Social mediator"},
        "animator": {"pl": "Animator grup samopomocowych", "en": "Self-help group facilitator"},
        "volunteer": {"uk": "Волонтер", "pl": "Wolontariusz", "en": "Volunteer"},
    },
    "target_group": {
        "disability": {"bg": "Хора с увреждания", "en": "People with disabilities"},
        "over_65_dependent": {"bg": "Над 65 г. в невъзможност за самообслужване",
                              "en": "65+ unable to look after themselves"},
        "over_54": {"bg": "Лица над 54 г.", "en": "People over 54"},
        "quarantined": {"bg": "Лица под карантина", "en": "People in quarantine"},
        "mothers_small_children": {"bg": "Майки с малки деца", "en": "Mothers with small children"},
        "isolated_family": {"bg": "Изолирано семейство", "en": "Isolated family"},
        "isolated_elderly": {"uk": "Самотні літні люди", "en": "Isolated elderly people"},
        "long_term_unemployed": {"pl": "Osoby długotrwale bezrobotne", "en": "Long-term unemployed"},
    },
    "case_category": {
        "health_access": {"bg": "Достъп до здравни услуги", "en": "Access to health care"},
        "identity_documents": {"bg": "Лични документи", "en": "Identity documents"},
        "social_benefits": {"bg": "Социални помощи", "en": "Social benefits"},
        "housing": {"bg": "Жилище", "en": "Housing"},
        "education": {"bg": "Образование", "en": "Education"},
        "employment": {"bg": "Заетост", "en": "Employment"},
        "safety": {"bg": "Безопасност", "en": "Safety"},
        "other": {"bg": "Друго", "pl": "Inne", "uk": "Інше", "en": "Other"},
    },
}

SERVICE_TYPES = _rows(
    "code mode staff_roles default_duration_minutes unit names",
    ("patronage_visit", "home_visit", ["health_mediator"], 60, "visit",
     {"bg": "Патронажно посещение", "pl": "Wizyta patronażowa", "uk": "Патронажний візит",
      "en": "Patronage home visit"}),
    ("home_help", "home_visit", ["home_helper"], 120, "hour",
     {"bg": "Почасова домашна помощ", "pl": "Pomoc domowa", "uk": "Допомога вдома", "en": "Home help"}),
    ("home_nursing", "home_visit", ["medical_specialist"], 45, "hour",
     {"bg": "Здравни грижи в дома", "pl": "Opieka pielęgniarska w domu", "uk": "Медичний догляд удома",
      "en": "Home nursing"}),
    ("self_help_group", "group", ["health_mediator", "animator", "social_worker"], 90, "visit",
     {"bg": "Група за самопомощ", "pl": "Grupa samopomocowa", "uk": "Гурток самодопомоги", "en": "Self-help group"}),
    ("psychological_counselling", "centre", ["psychologist"], 50, "visit",
     {"bg": "Психологическо консултиране", "en": "Psychological counselling"}),
    ("legal_counselling", "centre", ["lawyer"], 45, "visit",
     {"bg": "Правно консултиране", "en": "Legal counselling"}),
    ("social_mediation", "centre", ["mediator", "social_worker"], 60, "visit",
     {"bg": "Социално посредничество", "en": "Social mediation"}),
    ("mobile_unit_checkup", "mobile_unit", ["medical_specialist"], 20, "visit",
     {"bg": "Преглед в мобилен медицински кабинет", "en": "Mobile medical unit check-up"}),
    ("telephone_friend", "phone", ["social_worker", "volunteer"], 15, "visit",
     {"uk": "Телефонний друг", "pl": "Telefoniczny przyjaciel", "en": "Telephone friend call"}),
)

PROGRAMMES = _rows(
    "code network name funder starts_on ends_on municipalities service_types",
    ("nnhm_self_help_patronage", "BG-NNHM", "Създаване на групи за самопомощ и патронаж в общността",
     "Норвежки финансов механизъм", "2024-01-01", "2026-12-31",
     ["BG-MTR", "BG-BGS"], ["patronage_visit", "self_help_group"]),
    ("mazovia_self_help_clubs", "PL-MAZ-KS", "Samopomoc – razem przezwyciężymy trudności",
     "Europejski Fundusz Społeczny", "2025-01-01", "2026-12-31",
     ["PL-PLO", "PL-SIE"], ["self_help_group"]),
    ("patronage_plus_rakitovo", "BG-PATRONAGE", "Патронажна грижа + в община Ракитово",
     "ОП „Развитие на човешките ресурси“", "2025-07-01", "2027-06-30",
     ["BG-RAK"], ["home_help", "home_nursing"]),
    ("pernik_integrated_bgld", "BG-NNHM",
     "Интегрирани мерки за подобрено включване на хората, живеещи в маргинализирани общности",
     "Програма „Местно развитие“ (BGLD-3.002-0010)", "2024-03-01", "2026-12-31",
     ["BG-PER"], ["psychological_counselling", "legal_counselling", "social_mediation", "mobile_unit_checkup"]),
    ("lubny_elderly_circles", "UA-POLT-SD", "Гуртки самодопомоги для літніх людей",
     "Лубенська міська рада", "2025-01-01", "2026-12-31",
     ["UA-LUB"], ["self_help_group", "telephone_friend"]),
)

# The suggested domains: self-care, health, housing, income and social contacts, each 0..4.
ASSESSMENT_TEMPLATE = {
    "network": "BG-PATRONAGE", "code": "individual_social_assessment",
    "names": {"bg": "Индивидуална социална оценка", "en": "Individual social assessment"},
    "domains": SUGGESTED_DOMAINS,
}
# key, municipality, given, family, birth date, sex, phone, language, settlement, target groups
CLIENTS = [
    ("maria", "BG-RAK", "Мария", "Петрова", "1946-03-12", "female", "+359 888 100 201", "bg", "Ракитово",
     ["over_65_dependent"]),
    ("ivan", "BG-RAK", "Иван", "Георгиев", "1951-11-02", "male", None, "bg", "Костандово", ["disability"]),
    ("stoyanka", "BG-RAK", "Стоянка", "Кехайова", "1968-05-23", "female", "+359 887 410 512", "bg", "Ракитово",
     ["over_54", "disability"]),
    ("elena", "BG-MTR", "Елена", "Маринова", "1999-08-14", "female", "+359 887 200 310", "bg", "Звездец",
     ["mothers_small_children", "isolated_family"]),
    ("dimitar", "BG-BGS", "Димитър", "Асенов", "1994-02-01", "male", "+359 889 552 118", "bg", "кв. Победа",
     ["isolated_family"]),
    ("stefan", "BG-PER", "Стефан", "Николов", "1979-07-30", "male", "+359 889 300 415", "bg", "кв. Мошино",
     ["long_term_unemployed"]),
    ("krystyna", "PL-PLO", "Krystyna", "Wiśniewska", "1957-04-18", "female", "+48 600 100 200", "pl", "Płock",
     ["over_54"]),
    ("halyna", "UA-LUB", "Галина", "Коваленко", "1941-09-09", "female", "+380 50 123 4567", "uk", "Лубни",
     ["isolated_elderly"]),
    ("mykola", "UA-LUB", "Микола", "Шевчук", "1938-12-25", "male", "+380 67 555 0101", "uk", "Піски",
     ["isolated_elderly", "disability"]),
]

# Individual social assessments (seed 002): client key -> scores by domain, needs
ASSESSMENTS = {
    "maria": ({"self_care": 3, "health": 3, "housing": 1, "income": 2, "social_contacts": 3},
              ["help with bathing and meals", "blood pressure checks"]),
    "ivan": ({"self_care": 2, "health": 2, "housing": 1, "income": 2, "social_contacts": 2},
             ["shopping and cleaning", "medicines from the pharmacy"]),
    "stoyanka": ({"self_care": 1, "health": 2, "housing": 0, "income": 3, "social_contacts": 1},
                 ["insulin injections"]),
}

# client key -> agreement number (programme patronage_plus_rakitovo) and care plan lines
CARE_PLANS = {
    "maria": ("ПГ-001/2025", [
        {"service_type": "home_help", "per_week": 6, "preferred_days": ["mon", "wed", "fri"],
         "time_windows": [{"start": "09:00", "end": "12:00"}], "preferred_worker": "helper-rak-1"},
        {"service_type": "home_nursing", "per_week": 1, "preferred_days": ["tue"],
         "time_windows": [{"start": "10:00", "end": "12:00"}]},
    ]),
    "ivan": ("ПГ-002/2025", [
        {"service_type": "home_help", "per_week": 4, "preferred_days": ["tue", "thu"],
         "time_windows": [{"start": "08:00", "end": "11:00"}], "preferred_worker": "helper-rak-2"},
    ]),
    "stoyanka": ("ПГ-003/2025", [
        {"service_type": "home_nursing", "per_week": 3, "preferred_days": ["mon", "wed", "fri"],
         "time_windows": [{"start": "07:30", "end": "09:00"}]},
    ]),
}
