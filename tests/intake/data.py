"""The standard catalogue and people of the intake tests, registered by the fixtures
of ``conftest.py``; tests import these to compare answers with what was registered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

NNHM = {"code": "BG-NNHM", "name": "Национална мрежа на здравните медиатори"}
MAZOVIA = {"code": "PL-MAZ", "name": "Sieć Klubów Samopomocy Mazowsze"}

RAKITOVO = {"code": "BG-RAK", "name": "Ракитово", "names": {"en": "Rakitovo", "pl": "Rakitowo"},
            "language": "bg", "timezone": "Europe/Sofia", "network": "BG-NNHM"}
PERNIK = {"code": "BG-PER", "name": "Перник", "language": "bg", "timezone": "Europe/Sofia"}  # in no network
LUBNY = {"code": "UA-LUB", "name": "Лубни", "language": "uk", "timezone": "Europe/Kyiv"}
MALKO_TARNOVO = {"code": "BG-MTR", "name": "Малко Търново", "language": "bg", "timezone": "Europe/Sofia"}
BURGAS = {"code": "BG-BGS", "name": "Бургас", "language": "bg", "timezone": "Europe/Sofia"}
NETWORKS = {n["code"]: n for n in (NNHM, MAZOVIA)}
MUNICIPALITIES = {m["code"]: m for m in (RAKITOVO, PERNIK, LUBNY, MALKO_TARNOVO, BURGAS)}

# Towns by the attribute of ``Settlements`` that holds their id: (municipality, name).
SETTLEMENTS = {"rakitovo": ("BG-RAK", "Ракитово"), "kostandovo": ("BG-RAK", "Костандово"),
               "pernik": ("BG-PER", "Перник")}


@dataclass(frozen=True)
class Settlements:
    """The ids of the registered ``SETTLEMENTS``."""

    rakitovo: str
    kostandovo: str
    pernik: str


HOME_HELPER = {"code": "home_helper", "names": {"bg": "Домашен помощник", "en": "Home helper"}}
NURSE = {"code": "medical_specialist", "names": {"bg": "Медицински специалист", "en": "Medical specialist"}}
TARGET_GROUPS = [{"code": "disability", "names": {"en": "People with disabilities"}},
                 {"code": "age_65_plus_dependent", "names": {"en": "65+ unable to self-care"}}]
RETIRED_TARGET_GROUP = {"code": "retired_group", "names": {"en": "retired"}}
CATEGORIES = {"health_access": "Достъп до здравеопазване", "identity_documents": "Лични документи",
              "other": "Друго"}
RETIRED_CATEGORY = {"code": "retired", "names": {"en": "Retired"}}

HOME_HELP = {"code": "home_help", "names": {"en": "Home help", "bg": "Почасова домашна помощ"}, "mode": "home_visit",
             "staff_roles": ["home_helper", "medical_specialist"], "default_duration_minutes": 60, "unit": "hour"}
PHONE_FRIEND = {"code": "phone_friend", "names": {"en": "Telephone friend"}, "mode": "phone",
                "staff_roles": ["home_helper"], "default_duration_minutes": 20, "unit": "visit"}
COUNSELLING = {"code": "counselling", "names": {"en": "Psychological counselling"}, "mode": "centre",
               "staff_roles": ["home_helper"], "default_duration_minutes": 50, "unit": "visit"}

PATRONAGE = {"code": "patronage_plus", "name": "Патронажна грижа +", "funder": "ОП РЧР",
             "starts_on": "2021-07-01", "ends_on": "2022-06-30", "network": "BG-NNHM",
             "municipalities": ["BG-RAK"], "service_types": ["home_help", "phone_friend"]}
PERNIK_CENTRE = {**PATRONAGE, "code": "pernik_centre", "name": "Интегриран център Перник",
                 "municipalities": ["BG-PER"], "service_types": ["counselling"]}

MARIA = {"municipality": "BG-RAK", "given_name": "Мария", "family_name": "Петрова", "phone": "+359 888 100 201",
         "address": "ул. Рила 5", "location": {"latitude": 42.0924, "longitude": 24.0859}}
STEFAN = {"municipality": "BG-PER", "given_name": "Стефан", "family_name": "Николов"}
FATME = {"municipality": "BG-MTR", "given_name": "Фатме", "family_name": "Ахмедова"}
IVAN = {"municipality": "BG-BGS", "given_name": "Иван", "family_name": "Колев"}


def sofia_today() -> date:
    """Today in Rakitovo and Pernik: a record's days are its municipality's, not UTC's."""
    return datetime.now(ZoneInfo("Europe/Sofia")).date()
