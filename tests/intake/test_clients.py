"""Clients and households through the HTTP API, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from services.intake.models import Client
from shared.testing import assert_problem, at_once, created
from tests.intake.data import Settlements


def maria(catalogue: Settlements, **changes) -> dict:
    return {
        "municipality": "BG-RAK", "given_name": "Мария", "family_name": "Петрова", "birth_date": "1948-03-12",
        "sex": "female", "phone": "+359 888 100 201", "email": "m.petrova@example.bg",
        "address": "ул. Иван Вазов 12", "settlement_id": catalogue.rakitovo,
        "location": {"latitude": 42.0924, "longitude": 24.0859}, "target_groups": ["age_65_plus_dependent"],
        **changes,
    }


def today() -> date:
    """Today in Rakitovo (and Pernik): a status without its day takes effect then."""
    return datetime.now(ZoneInfo("Europe/Sofia")).date()


def register(intake, auth, body: dict, municipality: str = "BG-RAK") -> dict:
    answer = intake.post("/clients", json=body, headers=auth("coordinator", municipality))
    assert answer.status_code == 201, answer.text
    return answer.json()


# Exact values only: a short digit run could occur in a random uuid or timestamp.
PERSONAL = ("Мария", "Петрова", "888 100 201", "888100201", "Вазов", "example.bg", "1948-03-12", "42.0924", "24.0859")


def assert_nothing_personal(envelope: dict) -> None:
    text = json.dumps(envelope, ensure_ascii=False)
    assert [p for p in PERSONAL if p in text] == []


# -- registering ----------------------------------------------------------------------


def test_a_coordinator_registers_a_client_and_the_event_carries_ids_and_codes_only(
        intake, auth, catalogue, published):
    created = intake.post("/clients", json=maria(catalogue), headers=auth("coordinator", "BG-RAK", subject="coord-1"))
    assert created.status_code == 201, created.text
    client = created.json()
    assert client | {"id": None, "registered_at": None} == {
        "id": None, "registered_at": None, "municipality": "BG-RAK", "given_name": "Мария",
        "family_name": "Петрова", "birth_date": "1948-03-12", "sex": "female", "phone": "+359888100201",
        "email": "m.petrova@example.bg", "preferred_language": "bg", "address": "ул. Иван Вазов 12",
        "settlement_id": catalogue.rakitovo, "location": {"latitude": 42.0924, "longitude": 24.0859},
        "household_id": None, "target_groups": ["age_65_plus_dependent"], "status": "active",
        "status_since": today().isoformat(), "registered_by": "coord-1",
    }
    [event] = published("intake.client.registered.v1")
    assert event["data"] == {"client_id": client["id"], "municipality": "BG-RAK",
                             "settlement_id": catalogue.rakitovo, "target_groups": ["age_65_plus_dependent"],
                             "language": "bg", "sex": "female", "birth_year": 1948}
    assert (event["subject"], event["municipality"]) == (client["id"], "BG-RAK")
    assert_nothing_personal(event)
    assert intake.get(f"/clients/{client['id']}", headers=auth("worker", "BG-RAK")).json() == client


def test_the_preferred_language_defaults_to_the_municipalitys(intake, auth, catalogue, admin):
    minimal = {"municipality": "UA-LUB", "given_name": "Галина", "family_name": "Коваленко"}
    created = intake.post("/clients", json=minimal, headers=admin).json()
    assert (created["preferred_language"], created["sex"], created["target_groups"]) == ("uk", "unknown", [])
    chosen = intake.post("/clients", json={**minimal, "given_name": "Ivan", "preferred_language": "en"}, headers=admin)
    assert chosen.json()["preferred_language"] == "en"


def test_a_new_household_label_registers_the_household_with_the_client(intake, auth, catalogue):
    first = register(intake, auth, maria(catalogue, new_household_label="Петрови, ул. Иван Вазов 12"))
    household_id = first["household_id"]
    assert household_id is not None
    second = register(intake, auth, maria(catalogue, given_name="Георги", birth_date="1946-07-01", sex="male",
                                          phone=None, household_id=household_id))
    household = intake.get(f"/households/{household_id}", headers=auth("worker", "BG-RAK")).json()
    assert household["label"] == "Петрови, ул. Иван Вазов 12"
    assert [m["id"] for m in household["members"]] == [second["id"], first["id"]]  # the eldest first


@pytest.mark.parametrize(("changes", "field"), [
    ({"birth_date": (date.today() + timedelta(days=1)).isoformat()}, "birth_date"),
    ({"birth_date": "1899-12-31"}, "birth_date"),
    ({"birth_date": "12.03.1948"}, "birth_date"),
    ({"sex": "f"}, "sex"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"email": "not-an-address"}, "email"),
    ({"preferred_language": "de"}, "preferred_language"),
    ({"given_name": "   "}, "given_name"),
    ({"family_name": "1234"}, "family_name"),
    ({"location": {"latitude": 91, "longitude": 24}}, "location.latitude"),
    ({"location": {"latitude": 42, "longitude": -180.5}}, "location.longitude"),
    ({"location": {"latitude": 42}}, "location.longitude"),
    ({"status": "gone"}, "status"),
    ({"target_groups": ["Not A Code"]}, "target_groups.0"),
    ({"household_id": str(uuid.uuid4()), "new_household_label": "Петрови"}, "new_household_label"),
    ({"birthdate": "1948-03-12"}, "birthdate"),
])
def test_bad_input_is_422_naming_the_field(intake, auth, catalogue, changes, field):
    answer = intake.post("/clients", json=maria(catalogue, **changes), headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


@pytest.mark.parametrize(("changes", "field"), [
    ({"settlement_id": "pernik"}, "settlement_id"),  # a settlement of another municipality
    ({"settlement_id": str(uuid.uuid4())}, "settlement_id"),
    ({"target_groups": ["disability", "no_such_group"]}, "target_groups"),
    ({"target_groups": ["retired_group"]}, "target_groups"),  # deactivated
    ({"household_id": str(uuid.uuid4())}, "household_id"),
])
def test_references_outside_the_municipality_or_catalogue_are_422_naming_the_field(
        intake, auth, catalogue, changes, field):
    if changes.get("settlement_id") == "pernik":
        changes = {"settlement_id": catalogue.pernik}
    answer = intake.post("/clients", json=maria(catalogue, **changes), headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 422, answer.text
    assert (answer.json()["field"], [e["field"] for e in answer.json()["errors"]]) == (field, [field])


def test_a_household_of_another_municipality_is_422(intake, auth, catalogue):
    pernik_household = intake.post("/households", json={"municipality": "BG-PER", "label": "Николови"},
                                   headers=auth("coordinator", "BG-PER")).json()
    answer = intake.post("/clients", json=maria(catalogue, household_id=pernik_household["id"]),
                         headers=auth("coordinator", "BG-RAK"))
    assert (answer.status_code, answer.json()["field"]) == (422, "household_id")


def test_an_unknown_municipality_is_422_for_an_admin(intake, admin, catalogue):
    answer = intake.post("/clients", json=maria(catalogue, municipality="BG-ZZZ"), headers=admin)
    assert (answer.status_code, answer.json()["field"]) == (422, "municipality")


@pytest.mark.parametrize(("role", "municipality"), [
    ("coordinator", "BG-PER"), ("worker", "BG-PER"), ("expert", "*"), ("analyst", "BG-RAK")])
def test_only_field_staff_of_the_municipality_register(intake, auth, catalogue, role, municipality):
    answer = intake.post("/clients", json=maria(catalogue), headers=auth(role, municipality))
    assert answer.status_code == 403
    assert intake.get("/clients", headers=auth("network_admin", "*")).json()["total"] == 0


def test_another_municipalitys_client_is_404_and_analysts_get_403(intake, auth, catalogue):
    client = register(intake, auth, maria(catalogue))
    outsider = intake.get(f"/clients/{client['id']}", headers=auth("coordinator", "BG-PER"))
    assert outsider.status_code == 404
    assert "Мария" not in outsider.text and "888100201" not in outsider.text
    assert intake.get(f"/clients/{uuid.uuid4()}", headers=auth("coordinator", "BG-RAK")).status_code == 404
    assert intake.get(f"/clients/{client['id']}", headers=auth("analyst", "BG-RAK")).status_code == 403
    assert intake.get(f"/clients/{client['id']}", headers=auth("expert", "*")).status_code == 200


# -- possible duplicates --------------------------------------------------------------------


def test_a_likely_duplicate_is_409_with_the_candidates_until_confirmed(intake, auth, catalogue, published):
    first = register(intake, auth, maria(catalogue))
    again = maria(catalogue, given_name=" MARIA ", family_name="petrova", phone=None, email=None)
    answer = intake.post("/clients", json=again, headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 409
    body = answer.json()
    assert body["field"] == "confirm_new_person"
    assert body["candidates"] == [{
        "id": first["id"], "given_name": "Мария", "family_name": "Петрова", "birth_date": "1948-03-12",
        "settlement_id": catalogue.rakitovo, "settlement_name": "Ракитово",
        "reason": "similar_name_same_birth_date"}]
    assert intake.get("/clients", headers=auth("coordinator", "BG-RAK")).json()["total"] == 1
    assert len(published("intake.client.registered.v1")) == 1

    confirmed = intake.post("/clients", json={**again, "confirm_new_person": True},
                            headers=auth("coordinator", "BG-RAK"))
    assert confirmed.status_code == 201
    assert confirmed.json()["given_name"] == "MARIA"
    assert intake.get("/clients", headers=auth("coordinator", "BG-RAK")).json()["total"] == 2


def test_the_same_phone_in_another_spelling_is_a_likely_duplicate(intake, auth, catalogue):
    first = register(intake, auth, maria(catalogue))
    someone = maria(catalogue, given_name="Ivan", family_name="Ivanov", birth_date="1950-01-01",
                    settlement_id=catalogue.kostandovo, phone="0888 100-201")
    answer = intake.post("/clients", json=someone, headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 409
    assert [(c["id"], c["reason"]) for c in answer.json()["candidates"]] == [(first["id"], "same_phone")]


@pytest.mark.parametrize("changes", [{"birth_date": "1948-03-13"}, {"given_name": "Елена"}])
def test_someone_else_is_registered_without_confirmation(intake, auth, catalogue, changes):
    register(intake, auth, maria(catalogue))
    register(intake, auth, maria(catalogue, phone="+359 888 999 999", **changes))


@pytest.mark.parametrize(("first", "again", "reason"), [
    ({}, {"settlement_id": None}, "similar_name_same_birth_date"),
    ({"settlement_id": None}, {}, "similar_name_same_birth_date"),
    ({}, {"settlement_id": "kostandovo"}, "similar_name_same_birth_date"),  # people move within a municipality
    ({}, {"birth_date": None, "settlement_id": None}, "similar_name_birth_date_unknown"),
    ({"birth_date": None}, {"given_name": "Maria", "family_name": "Petrova"}, "similar_name_birth_date_unknown"),
    ({"birth_date": None, "settlement_id": None}, {"birth_date": None, "settlement_id": None, "address": None},
     "similar_name_birth_date_unknown"),
])
def test_duplicates_are_looked_for_across_the_municipality_whatever_is_missing(
        intake, auth, catalogue, first, again, reason):
    if again.get("settlement_id") == "kostandovo":
        again = {"settlement_id": catalogue.kostandovo}
    registered = register(intake, auth, maria(catalogue, **first))
    answer = intake.post("/clients", json=maria(catalogue, phone=None, email=None, **again),
                         headers=auth("coordinator", "BG-RAK"))
    assert_problem(answer, 409, "confirm_new_person")
    assert [(c["id"], c["reason"]) for c in answer.json()["candidates"]] == [(registered["id"], reason)]


def test_duplicates_are_looked_for_within_the_municipality(intake, auth, catalogue):
    register(intake, auth, maria(catalogue))
    register(intake, auth, maria(catalogue, municipality="BG-PER", settlement_id=catalogue.pernik), "BG-PER")


# -- search and pagination ---------------------------------------------------------------------


@pytest.fixture
def population(intake, auth, catalogue) -> dict[str, dict]:
    household = intake.post("/households", json={"municipality": "BG-RAK", "label": "Петрови"},
                            headers=auth("coordinator", "BG-RAK")).json()
    people = {
        "maria": maria(catalogue, household_id=household["id"]),
        "georgi": maria(catalogue, given_name="Георги", birth_date="1946-07-01", phone="+359 887 555 010",
                        household_id=household["id"], target_groups=["disability"]),
        "ivan": maria(catalogue, given_name="Иван", family_name="Георгиев", birth_date="1961-11-30", phone=None,
                      settlement_id=catalogue.kostandovo, target_groups=[], status="inactive"),
        "anna": maria(catalogue, given_name="Anna", family_name="Ahmedova", birth_date="1990-05-05",
                      phone="+359 899 123 456", target_groups=["disability"]),
        "stefan": maria(catalogue, municipality="BG-PER", given_name="Стефан", family_name="Николов",
                        settlement_id=catalogue.pernik, phone="+359 889 300 415"),
    }
    return {key: register(intake, auth, body, body["municipality"]) for key, body in people.items()}


def names(page: dict) -> list[str]:
    return [f"{c['given_name']} {c['family_name']}" for c in page["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Anna Ahmedova", "Иван Георгиев", "Георги Петрова", "Мария Петрова"]),
    ("q=петр", ["Георги Петрова", "Мария Петрова"]),
    ("q=PETROVA", ["Георги Петрова", "Мария Петрова"]),  # Latin finds Cyrillic, any case
    ("q=мария петрова", ["Мария Петрова"]),
    ("q=ahméd", ["Anna Ahmedova"]),  # accents ignored
    ("q=0887 555", ["Георги Петрова"]),  # a phone in the national spelling
    ("q=%2B359 899", ["Anna Ahmedova"]),
    ("q=xyz", []),
    ("target_group=disability", ["Anna Ahmedova", "Георги Петрова"]),
    ("status=inactive", ["Иван Георгиев"]),
    ("municipality=BG-RAK&status=active&target_group=age_65_plus_dependent", ["Мария Петрова"]),
])
def test_search_filters_the_callers_municipalities(intake, auth, population, query, expected):
    page = intake.get(f"/clients?{query}", headers=auth("worker", "BG-RAK")).json()
    assert (names(page), page["total"]) == (expected, len(expected))


def test_search_by_settlement_and_household(intake, auth, catalogue, population):
    coordinator = auth("coordinator", "BG-RAK")
    by_settlement = intake.get(f"/clients?settlement_id={catalogue.kostandovo}", headers=coordinator).json()
    assert names(by_settlement) == ["Иван Георгиев"]
    household = population["maria"]["household_id"]
    assert names(intake.get(f"/clients?household_id={household}", headers=coordinator).json()) == [
        "Георги Петрова", "Мария Петрова"]


def test_pages_are_stable_and_report_the_total(intake, auth, population):
    admin = auth("network_admin", "*")
    seen = []
    for offset in (0, 2, 4):
        page = intake.get(f"/clients?limit=2&offset={offset}", headers=admin).json()
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, offset)
        seen += names(page)
    assert len(seen) == len(set(seen)) == 5
    assert intake.get("/clients", headers=admin).json()["limit"] == 50


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "query.limit"), ("limit=201", "query.limit"), ("offset=-1", "query.offset"),
    ("status=gone", "query.status"), ("settlement_id=x", "query.settlement_id"),
    ("municipality=bg rak", "query.municipality"),
])
def test_bad_search_parameters_are_422_naming_them(intake, auth, catalogue, query, field):
    answer = intake.get(f"/clients?{query}", headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_search_scope(intake, auth, population):
    pernik = auth("coordinator", "BG-PER")
    assert names(intake.get("/clients", headers=pernik).json()) == ["Стефан Николов"]
    assert intake.get("/clients?q=петрова", headers=pernik).json()["total"] == 0
    assert intake.get("/clients?municipality=BG-RAK", headers=pernik).status_code == 403
    assert intake.get("/clients", headers=auth("analyst", "BG-RAK")).status_code == 403
    both = auth("coordinator", "BG-RAK", "BG-PER")
    assert intake.get("/clients", headers=both).json()["total"] == 5


# -- changing ----------------------------------------------------------------------------------


def test_a_coordinator_changes_a_client_and_clientupdated_is_published(intake, auth, catalogue, published):
    client = register(intake, auth, maria(catalogue))
    changes = {"phone": "+359 888 100 299", "settlement_id": catalogue.kostandovo, "location": None,
               "target_groups": ["disability", "age_65_plus_dependent"], "preferred_language": "en",
               "status": "inactive"}
    answer = intake.patch(f"/clients/{client['id']}", json=changes, headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert changed == {**client, "phone": "+359888100299", "settlement_id": catalogue.kostandovo,
                       "location": None, "target_groups": ["age_65_plus_dependent", "disability"],
                       "preferred_language": "en", "status": "inactive"}
    assert intake.get(f"/clients/{client['id']}", headers=auth("worker", "BG-RAK")).json() == changed
    [event] = published("intake.client.updated.v1")
    assert event["data"] == {"client_id": client["id"], "municipality": "BG-RAK",
                             "settlement_id": catalogue.kostandovo,
                             "target_groups": ["age_65_plus_dependent", "disability"],
                             "language": "en", "status": "inactive", "sex": "female", "birth_year": 1948}
    assert_nothing_personal(event)
    assert intake.get("/clients?q=0888 100 299", headers=auth("worker", "BG-RAK")).json()["total"] == 1


def test_a_change_that_changes_nothing_publishes_nothing(intake, auth, catalogue, published):
    client = register(intake, auth, maria(catalogue))
    same = {"given_name": "Мария", "target_groups": ["age_65_plus_dependent"]}
    assert intake.patch(f"/clients/{client['id']}", json=same, headers=auth("coordinator", "BG-RAK")).json() == client
    assert published("intake.client.updated.v1") == []


def test_a_renamed_client_is_found_by_the_new_name(intake, auth, catalogue):
    client = register(intake, auth, maria(catalogue))
    intake.patch(f"/clients/{client['id']}", json={"family_name": "Димитрова"}, headers=auth("coordinator", "BG-RAK"))
    assert names(intake.get("/clients?q=dimitrova", headers=auth("worker", "BG-RAK")).json()) == ["Мария Димитрова"]


def test_moving_a_client_into_a_new_household(intake, auth, catalogue):
    client = register(intake, auth, maria(catalogue))
    moved = intake.patch(f"/clients/{client['id']}", json={"new_household_label": "Петрови"},
                         headers=auth("coordinator", "BG-RAK")).json()
    household = intake.get(f"/households/{moved['household_id']}", headers=auth("coordinator", "BG-RAK")).json()
    assert [m["id"] for m in household["members"]] == [client["id"]]


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"municipality": "BG-PER"}, 422, "municipality"),
    ({"given_name": None}, 422, "given_name"),
    ({"birth_date": "1850-01-01"}, 422, "birth_date"),
    ({"location": {"latitude": 0, "longitude": 181}}, 422, "location.longitude"),
    ({"settlement_id": "pernik"}, 422, "settlement_id"),
    ({"target_groups": ["no_such_group"]}, 422, "target_groups"),
])
def test_bad_changes_are_rejected_naming_the_field(intake, auth, catalogue, changes, status, field):
    client = register(intake, auth, maria(catalogue))
    if changes.get("settlement_id") == "pernik":
        changes = {"settlement_id": catalogue.pernik}
    answer = intake.patch(f"/clients/{client['id']}", json=changes, headers=auth("coordinator", "BG-RAK"))
    assert answer.status_code == status, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_death_is_not_undone(intake, auth, catalogue):
    client = register(intake, auth, maria(catalogue))
    coordinator = auth("coordinator", "BG-RAK")
    died = {"status": "deceased", "status_since": today().isoformat()}
    assert intake.patch(f"/clients/{client['id']}", json=died, headers=coordinator).status_code == 200
    answer = intake.patch(f"/clients/{client['id']}", json={"status": "active"}, headers=coordinator)
    assert (answer.status_code, answer.json()["field"]) == (409, "status")


def test_who_may_change_a_client(intake, auth, catalogue):
    client = register(intake, auth, maria(catalogue))
    url, change = f"/clients/{client['id']}", {"status": "inactive"}
    assert intake.patch(url, json=change, headers=auth("worker", "BG-RAK")).status_code == 403
    assert intake.patch(url, json=change, headers=auth("expert", "*")).status_code == 403
    outsider = intake.patch(url, json=change, headers=auth("coordinator", "BG-PER"))
    assert outsider.status_code == 404 and "Мария" not in outsider.text
    assert intake.patch(url, json=change, headers=auth("network_admin", "*")).status_code == 200


# -- households ----------------------------------------------------------------------------------


def test_households_are_registered_and_listed_in_scope(intake, auth, catalogue):
    rakitovo, pernik = auth("coordinator", "BG-RAK"), auth("coordinator", "BG-PER")
    created = intake.post("/households", json={"municipality": "BG-RAK", "label": "Петрови"}, headers=rakitovo)
    assert created.status_code == 201
    assert created.json() | {"id": None} == {"id": None, "municipality": "BG-RAK", "label": "Петрови"}
    intake.post("/households", json={"municipality": "BG-PER", "label": "Николови"}, headers=pernik)
    listed = intake.get("/households", headers=rakitovo).json()
    assert ([h["label"] for h in listed["items"]], listed["total"]) == (["Петрови"], 1)
    assert intake.get("/households?municipality=BG-RAK", headers=pernik).status_code == 403
    assert intake.get(f"/households/{created.json()['id']}", headers=pernik).status_code == 404
    assert intake.get(f"/households/{created.json()['id']}", headers=auth("analyst", "BG-RAK")).status_code == 403
    assert intake.get("/households", headers=auth("analyst", "BG-RAK")).status_code == 403


@pytest.mark.parametrize(("body", "role", "status", "field"), [
    ({"municipality": "BG-RAK", "label": ""}, "coordinator", 422, "label"),
    ({"municipality": "BG-RAK"}, "coordinator", 422, "label"),
    ({"municipality": "BG-ZZZ", "label": "x"}, "network_admin", 422, "municipality"),
    ({"municipality": "BG-PER", "label": "x"}, "coordinator", 403, None),
    ({"municipality": "BG-PER", "label": "x"}, "worker", 403, None),
])
def test_bad_households_are_refused(intake, auth, catalogue, body, role, status, field):
    answer = intake.post("/households", json=body, headers=auth(role, "*" if role == "network_admin" else "BG-RAK"))
    assert answer.status_code == status
    if field:
        assert [e["field"] for e in answer.json()["errors"]] == [field]


# -- simultaneous registrations ------------------------------------------------------------------

TIMES = 20


@pytest.fixture
def http(served_service) -> httpx.Client:
    """A client of intake served on a socket: its requests really run at the same time."""
    with httpx.Client(base_url=served_service("intake"), timeout=60) as client:
        yield client


def test_simultaneous_identical_registrations_register_one_client(http, intake, auth, catalogue, published):
    coordinator = auth("coordinator", "BG-RAK")
    answers = at_once([lambda: http.post("/clients", json=maria(catalogue), headers=coordinator)] * TIMES)
    assert Counter(a.status_code for a in answers) == {201: 1, 409: TIMES - 1}
    [winner] = [a.json()["id"] for a in answers if a.status_code == 201]
    assert {tuple(c["id"] for c in a.json()["candidates"]) for a in answers if a.status_code == 409} == {(winner,)}
    assert intake.get("/clients", headers=coordinator).json()["total"] == 1
    assert len(published("intake.client.registered.v1")) == 1


def test_simultaneous_spellings_of_one_person_register_one_client(http, intake, auth, catalogue):
    """Not one key: Cyrillic and Latin names, a birth date or none, a phone or none."""
    spellings = [maria(catalogue), maria(catalogue, given_name="MARIA", family_name="Petrova", phone=None),
                 maria(catalogue, birth_date=None, phone=None, settlement_id=None),
                 maria(catalogue, given_name="Mariya", family_name="Petrova", birth_date=None, phone="0888 100 201")]
    coordinator = auth("coordinator", "BG-RAK")
    answers = at_once([lambda body=body: http.post("/clients", json=body, headers=coordinator)
                       for body in spellings * (TIMES // len(spellings))])
    assert Counter(a.status_code for a in answers) == {201: 1, 409: TIMES - 1}
    assert intake.get("/clients", headers=coordinator).json()["total"] == 1


# -- phones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("municipality", "typed", "stored"), [
    ("BG-RAK", "0888123401", "+359888123401"),
    ("BG-RAK", "00359 888 123 401", "+359888123401"),
    ("BG-RAK", "+48 600 100 200", "+48600100200"),  # a number abroad keeps its country
    ("UA-LUB", "050 123 4567", "+380501234567"),
])
def test_a_phone_is_stored_in_e164_read_in_the_municipalitys_country(intake, admin, catalogue, municipality, typed,
                                                                      stored):
    body = {"municipality": municipality, "given_name": "Мария", "family_name": "Петрова", "phone": typed}
    client = created(intake.post("/clients", json=body, headers=admin))
    assert client["phone"] == stored
    changed = intake.patch(f"/clients/{client['id']}", json={"phone": typed.replace("1", "2")}, headers=admin)
    assert created(changed)["phone"] == stored.replace("1", "2")


@pytest.mark.parametrize("q", ["0888 123 401", "+359888123401", "888123401", "00359 888 123 401", "(0888) 123-401",
                               "0888 12"])
def test_a_phone_is_found_in_any_spelling(intake, auth, catalogue, q):
    register(intake, auth, maria(catalogue, phone="0888123401"))
    assert names(intake.get("/clients", params={"q": q}, headers=auth("worker", "BG-RAK")).json()) == ["Мария Петрова"]


@pytest.mark.parametrize("phone", ["12345", "0888 12", "0888 123 401 99", "+359 123", "0888-ABC", "0888\u200b123401"])
def test_a_phone_that_cannot_exist_is_422_naming_it(intake, auth, catalogue, phone):
    coordinator = auth("coordinator", "BG-RAK")
    assert_problem(intake.post("/clients", json=maria(catalogue, phone=phone), headers=coordinator), 422, "phone")
    client = register(intake, auth, maria(catalogue))
    assert_problem(intake.patch(f"/clients/{client['id']}", json={"phone": phone}, headers=coordinator), 422, "phone")


def test_a_municipality_that_names_no_country_needs_the_country_code(intake, admin, catalogue):
    created(intake.post("/municipalities", headers=admin, json={
        "code": "NET-1", "name": "Сеть", "language": "uk", "timezone": "Europe/Kyiv"}))
    body = {"municipality": "NET-1", "given_name": "Галина", "family_name": "Коваленко", "phone": "050 123 4567"}
    assert_problem(intake.post("/clients", json=body, headers=admin), 422, "phone")
    assert created(intake.post("/clients", json={**body, "phone": "+380 50 123 4567"}, headers=admin))["phone"] == (
        "+380501234567")


# -- free text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("given_name", "Мария\u202e"),  # a right-to-left override
    ("family_name", "Пет\u200bрова"),  # a zero-width space
    ("address", "ул. Иван Вазов\n12"),
    ("new_household_label", "Петрови\u2066"),
    ("email", "m.petrova\u200d@example.bg"),
    ("given_name", "Мария\x00"),
])
def test_hidden_and_control_characters_are_422_naming_the_field(intake, auth, catalogue, field, value):
    coordinator = auth("coordinator", "BG-RAK")
    assert_problem(intake.post("/clients", json=maria(catalogue, **{field: value}), headers=coordinator), 422, field)
    client = register(intake, auth, maria(catalogue))
    assert_problem(intake.patch(f"/clients/{client['id']}", json={field: value}, headers=coordinator), 422, field)


def test_a_household_label_refuses_hidden_characters(intake, auth, catalogue):
    answer = intake.post("/households", json={"municipality": "BG-RAK", "label": "Петрови\u202e"},
                         headers=auth("coordinator", "BG-RAK"))
    assert_problem(answer, 422, "label")


def test_text_is_stored_nfc_normalised(intake, auth, catalogue):
    decomposed = maria(catalogue, given_name="Jose\u0301", family_name="Gonc\u0327alves", address="Rua Sa\u0303o")
    client = register(intake, auth, decomposed)
    assert (client["given_name"], client["family_name"], client["address"]) == ("José", "Gonçalves", "Rua São")
    search = intake.get("/clients", params={"q": "José"}, headers=auth("worker", "BG-RAK")).json()
    assert names(search) == ["José Gonçalves"]


@pytest.mark.parametrize("q", ["%", "_", "%%", "*", "?", "...", " - ", "'", "%_%"])
def test_a_search_for_punctuation_or_wildcards_alone_is_422(intake, auth, population, q):
    assert_problem(intake.get("/clients", params={"q": q}, headers=auth("worker", "BG-RAK")), 422, "query.q")


@pytest.mark.parametrize("q", ["петр_ва", "п%ова", "m_ria", "Мария\u202e"])
def test_percent_and_underscore_in_a_search_are_no_wildcards(intake, auth, population, q):
    answer = intake.get("/clients", params={"q": q}, headers=auth("worker", "BG-RAK"))
    if "\u202e" in q:
        assert_problem(answer, 422, "query.q")
    else:
        assert created(answer)["total"] == 0


# -- the days of life events ---------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "deceased"}, "status_since"),
    ({"status": "moved"}, "status_since"),
    ({"status": "moved", "status_since": "tomorrow"}, "status_since"),
    ({"status": "deceased", "status_since": "yesterday"}, "status_since"),  # before the registration
    ({"status_since": "today"}, "status_since"),  # without the status it dates
    ({"status": "deceased", "status_since": None}, "status_since"),
])
def test_a_departure_needs_the_day_it_happened(intake, auth, catalogue, published, change, field):
    days = {"today": today(), "tomorrow": today() + timedelta(days=1), "yesterday": today() - timedelta(days=1)}
    change = {key: days[value].isoformat() if value in days else value for key, value in change.items()}
    client = register(intake, auth, maria(catalogue))
    answer = intake.patch(f"/clients/{client['id']}", json=change, headers=auth("coordinator", "BG-RAK"))
    assert_problem(answer, 422, field)
    assert created(intake.get(f"/clients/{client['id']}", headers=auth("worker", "BG-RAK")))["status"] == "active"
    assert published("intake.client.updated.v1") == []


@pytest.fixture
def registered_in_2021(intake, auth, catalogue, intake_runtime) -> dict:
    """Maria, registered in Rakitovo on 1 June 2021."""
    client = register(intake, auth, maria(catalogue))
    with intake_runtime.database.transaction() as session:
        session.execute(update(Client).where(Client.id == uuid.UUID(client["id"]))
                        .values(registered_at=datetime(2021, 6, 1, 9, tzinfo=UTC)))
    return client


def _running_plan(intake, client_id: str, headers: dict, starts_on: str) -> dict:
    plan = created(intake.post(f"/clients/{client_id}/care-plans", headers=headers, json={
        "starts_on": starts_on, "lines": [{"service_type": "phone_friend", "per_week": 2}]}))
    return created(intake.post(f"/care-plans/{plan['id']}/activate", headers=headers))


def test_a_departed_clients_running_plans_end_on_the_day_it_happened(
        intake, auth, service_types, registered_in_2021, published):
    coordinator, client_id = auth("coordinator", "BG-RAK"), registered_in_2021["id"]
    created(intake.post(f"/clients/{client_id}/consents", headers=coordinator,
                        json={"purpose": "services", "given": True, "decided_on": "2021-07-01"}))
    running = _running_plan(intake, client_id, coordinator, "2021-07-05")
    later = _running_plan(intake, client_id, coordinator, "2021-09-01")  # the news of the death came late
    died = {"status": "deceased", "status_since": "2021-08-10"}
    client = created(intake.patch(f"/clients/{client_id}", json=died, headers=coordinator))
    assert (client["status"], client["status_since"]) == ("deceased", "2021-08-10")
    plans = {plan["id"]: created(intake.get(f"/care-plans/{plan['id']}", headers=coordinator))
             for plan in (running, later)}
    assert [(p["status"], p["status_since"], p["status_reason"]) for p in plans.values()] == [
        ("ended", "2021-08-10", "deceased"), ("ended", "2021-09-01", "deceased")]
    ended = {e["data"]["careplan_id"]: e["data"]["effective_on"] for e in published("intake.careplan.ended.v1")}
    assert ended == {running["id"]: "2021-08-10", later["id"]: "2021-09-01"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"status": "moved"}, "status"), ({"status": "deceased"}, "status"),
    ({"status_since": "2021-08-10"}, "status_since"),
])
def test_a_client_is_registered_active_or_inactive_from_that_day(intake, auth, catalogue, changes, field):
    assert register(intake, auth, maria(catalogue, status="inactive"))["status_since"] == today().isoformat()
    answer = intake.post("/clients", json=maria(catalogue, given_name="Елена", phone=None, **changes),
                         headers=auth("coordinator", "BG-RAK"))
    assert_problem(answer, 422, field)


def test_the_day_of_a_departure_is_corrected_with_its_status(intake, auth, registered_in_2021, published):
    coordinator, url = auth("coordinator", "BG-RAK"), f"/clients/{registered_in_2021['id']}"
    created(intake.patch(url, json={"status": "moved", "status_since": "2021-08-10"}, headers=coordinator))
    corrected = created(intake.patch(url, json={"status": "moved", "status_since": "2021-08-01"}, headers=coordinator))
    assert (corrected["status"], corrected["status_since"]) == ("moved", "2021-08-01")
    assert created(intake.patch(url, json={"status": "moved"}, headers=coordinator)) == corrected
    too_early = intake.patch(url, json={"status": "moved", "status_since": "2021-05-31"}, headers=coordinator)
    assert_problem(too_early, 422, "status_since")
    assert [e["data"]["status"] for e in published("intake.client.updated.v1")] == ["moved", "moved"]
