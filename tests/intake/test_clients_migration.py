"""The clients' migration on rows that existed before it, on SQLite and PostgreSQL:
phones stored as typed become E.164, and search finds them by those digits."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import Date, DateTime, String, Text, Uuid, column, insert, select, table

from services.registry import service_spec
from shared.migrations import upgrade

BEFORE = "086cb6fe511d"  # the head the clients' migration follows
NOW = datetime(2025, 6, 1, tzinfo=UTC)

municipality = table("municipality", column("code", String), column("name", String), column("language", String),
                     column("timezone", String), column("registered_at", DateTime(timezone=True)))
client = table("client", column("id", Uuid), column("municipality_code", String), column("given_name", String),
               column("family_name", String), column("phone", String), column("preferred_language", String),
               column("registered_at", DateTime(timezone=True)), column("search_text", Text),
               column("status_since", Date))

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
        rows = session.execute(select(client.c.phone, client.c.search_text, client.c.status_since)
                               .order_by(client.c.id)).all()
    assert [row.phone for row in rows] == [stored for _, _, stored in PHONES]
    assert rows[0].search_text == "mariya petrova|359888123401"
    assert rows[1].search_text == "mariya petrova|48600100200"
    assert rows[2].search_text == "mariya petrova|12345"
    assert {row.status_since for row in rows} == {None}  # the day of an earlier status is unknown
