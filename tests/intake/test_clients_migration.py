"""The clients' migrations on rows that existed before them, on SQLite and PostgreSQL:
phones stored as typed become E.164, and search finds them by their national numbers and
the keys of their names (search_text goes)."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Boolean, Date, DateTime, String, Text, Uuid, column, insert, inspect, select, table

from services.intake.clients.matching import likeness_keys, name_keys
from services.registry import service_spec
from shared.migrations import upgrade

BEFORE = "086cb6fe511d"  # the head the clients' migration follows
NOW = datetime(2025, 6, 1, tzinfo=UTC)

municipality = table("municipality", column("code", String), column("name", String), column("language", String),
                     column("timezone", String), column("registered_at", DateTime(timezone=True)))
client = table("client", column("id", Uuid), column("municipality_code", String), column("given_name", String),
               column("family_name", String), column("phone", String), column("preferred_language", String),
               column("registered_at", DateTime(timezone=True)), column("search_text", Text),
               column("status_since", Date), column("phone_key", String), column("birth_date", Date))
name_key = table("client_name_key", column("client_id", Uuid), column("key", String),
                 column("municipality_code", String))
likeness_key = table("client_likeness_key", column("client_id", Uuid), column("key", String),
                     column("municipality_code", String), column("undated", Boolean))

# (municipality, phone as typed, phone after the migration)
PHONES = [
    ("BG-RAK", "0888 123 401", "+359888123401"),
    ("BG-RAK", "+48 600 100 200", "+48600100200"),
    ("BG-RAK", "12345", "12345"),  # no such number: kept as typed, for a coordinator to correct
    ("NET-1", "050 123 4567", "050 123 4567"),  # a municipality naming no country: which country is unknown
    ("BG-RAK", None, None),
]


@pytest.fixture
def migrate(empty_database):
    spec = service_spec("intake")
    return lambda revision: upgrade(str(spec.migrations), empty_database, spec.metadata, revision)


def test_phones_typed_before_become_e164_and_searchable(empty_database, migrate):
    migrate(BEFORE)
    with empty_database.transaction() as session:
        session.execute(insert(municipality), [{"code": code, "name": code, "language": "bg",
                                                "timezone": "Europe/Sofia", "registered_at": NOW}
                                               for code in ("BG-RAK", "NET-1")])
        session.execute(insert(client), [{
            "id": uuid.UUID(int=i), "municipality_code": code, "given_name": "Мария", "family_name": "Петрова",
            "phone": typed, "preferred_language": "bg", "registered_at": NOW,
            "search_text": f"mariya petrova|{(typed or '').replace(' ', '').lstrip('+0')}"}
            for i, (code, typed, _) in enumerate(PHONES)])
    migrate("heads")
    with empty_database.unit_of_work() as session:
        rows = session.execute(select(client.c.phone, client.c.phone_key, client.c.status_since)
                               .order_by(client.c.id)).all()
        keys = session.execute(select(name_key)).all()
    assert [row.phone for row in rows] == [stored for _, _, stored in PHONES]
    assert [row.phone_key for row in rows] == ["888123401", "600100200", "12345", "501234567", None]
    assert {row.status_since for row in rows} == {None}  # the day of an earlier status is unknown
    assert sorted((row.client_id.int, row.key, row.municipality_code) for row in keys) == sorted(
        (i, key, code) for i, (code, _, _) in enumerate(PHONES) for key in name_keys("Мария", "Петрова"))
    assert "search_text" not in {c["name"] for c in inspect(empty_database.engine).get_columns("client")}


def test_every_client_registered_before_gets_the_keys_search_finds_them_by(empty_database, migrate):
    """More clients than one batch of the migration, with and without birth dates and phones."""
    migrate("3f0a9d1c2b7e")  # the head before search by index
    people = [{"id": uuid.UUID(int=i), "municipality_code": "BG-RAK", "given_name": ("Йорданка", "Ivan")[i % 2],
               "family_name": f"Кехайова{i}", "birth_date": date(1950, 1, 1) if i % 3 else None,
               "phone": f"+35988{i:07d}" if i % 5 else None, "preferred_language": "bg", "registered_at": NOW,
               "search_text": ""} for i in range(2500)]
    with empty_database.transaction() as session:
        session.execute(insert(municipality), [{"code": "BG-RAK", "name": "Ракитово", "language": "bg",
                                                "timezone": "Europe/Sofia", "registered_at": NOW}])
        session.execute(insert(client), people)
    migrate("heads")
    with empty_database.unit_of_work() as session:
        keys = session.execute(select(name_key.c.client_id, name_key.c.key)).all()
        likeness = session.execute(select(likeness_key.c.client_id, likeness_key.c.key, likeness_key.c.undated)).all()
        phones = dict(session.execute(select(client.c.id, client.c.phone_key)).all())
    assert {(row.client_id, row.key) for row in keys} == {
        (person["id"], key) for person in people for key in name_keys(person["given_name"], person["family_name"])}
    assert {(row.client_id, row.key, row.undated) for row in likeness} == {
        (person["id"], key, person["birth_date"] is None) for person in people
        for key in likeness_keys(person["given_name"], person["family_name"])}
    assert phones == {person["id"]: person["phone"] and person["phone"][4:] for person in people}
