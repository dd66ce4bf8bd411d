"""Demo data for ``make run``: the municipalities of the five seed programmes
and a few clients, registered through the same service functions as the API,
so their events flow to the other services."""
from __future__ import annotations

from sqlalchemy import select

from services.intake.clients.schemas import ClientCreate
from services.intake.clients.service import register_client
from services.intake.models import Municipality
from services.intake.catalogue.schemas import MunicipalityCreate
from services.intake.catalogue.service import register_municipality
from shared.db import Database

MUNICIPALITIES = [
    ("BG-MTR", "Малко Търново", "bg", "Europe/Sofia"),
    ("BG-BGS", "Бургас", "bg", "Europe/Sofia"),
    ("BG-RAK", "Ракитово", "bg", "Europe/Sofia"),
    ("BG-PER", "Перник", "bg", "Europe/Sofia"),
    ("PL-PLO", "Płock", "pl", "Europe/Warsaw"),
    ("UA-LUB", "Лубни", "uk", "Europe/Kyiv"),
]

CLIENTS = [
    ("BG-RAK", "Мария", "Петрова", "+359 888 100 201", "bg"),
    ("BG-RAK", "Иван", "Георгиев", None, "bg"),
    ("BG-MTR", "Елена", "Маринова", "+359 887 200 310", "bg"),
    ("BG-PER", "Стефан", "Николов", "+359 889 300 415", "bg"),
    ("PL-PLO", "Krystyna", "Wiśniewska", "+48 600 100 200", "pl"),
    ("UA-LUB", "Галина", "Коваленко", "+380 50 123 4567", "uk"),
]


def load_demo_data(*, database: Database) -> bool:
    """Loads once: does nothing if any municipality exists. Returns whether it loaded."""
    with database.unit_of_work() as session:
        if session.scalars(select(Municipality.code).limit(1)).first() is not None:
            return False
        for code, name, language, timezone in MUNICIPALITIES:
            register_municipality(MunicipalityCreate(code=code, name=name, language=language, timezone=timezone),
                                  session=session)
        for municipality, given, family, phone, language in CLIENTS:
            register_client(ClientCreate(municipality=municipality, given_name=given, family_name=family,
                                         phone=phone, preferred_language=language),
                            registered_by="demo", session=session)
    return True
