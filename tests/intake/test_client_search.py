"""Finding clients through the HTTP API, on SQLite and PostgreSQL: a name in any official or
common spelling, its words in any order and each by its start; a phone in any spelling by
the start of its national number; likely duplicates whatever is missing. Search and the
duplicate check look clients up in indexes (the query plans say so), never read them all."""
from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, insert, text

from services.intake.clients import matching
from services.intake.models import Client, ClientLikenessKey, ClientNameKey
from shared.testing import assert_problem, created

PEOPLE = [
    {"municipality": "BG-RAK", "given_name": "Йорданка", "family_name": "Кехайова", "birth_date": "1950-02-02",
     "phone": "+359 888 100 201"},
    {"municipality": "BG-RAK", "given_name": "Георги", "family_name": "Гьошев", "birth_date": "1944-04-04"},
    {"municipality": "BG-RAK", "given_name": "Цветанка", "family_name": "Стоянова", "birth_date": "1952-05-05"},
    {"municipality": "BG-RAK", "given_name": "Иван", "family_name": "Хаджиев", "birth_date": "1961-06-06"},
    {"municipality": "BG-RAK", "given_name": "Мария", "family_name": "Петрова", "phone": "0887 555 010"},
    {"municipality": "UA-LUB", "given_name": "Галина", "family_name": "Коваленко", "birth_date": "1939-09-09",
     "phone": "050 123 4567"},
]


@pytest.fixture
def people(intake, admin, catalogue) -> None:
    for body in PEOPLE:
        created(intake.post("/clients", json=body, headers=admin))


def found(intake, headers: dict, q: str) -> list[str]:
    page = created(intake.get("/clients", params={"q": q}, headers=headers))
    assert page["total"] == len(page["items"])
    return [f"{c['given_name']} {c['family_name']}" for c in page["items"]]


@pytest.mark.parametrize(("q", "expected"), [
    ("Yordanka", ["Йорданка Кехайова"]),  # й as y (Bulgarian and Ukrainian official)
    ("Jordanka", ["Йорданка Кехайова"]),  # й as j (Polish-style, ISO 9)
    ("Kehayova", ["Йорданка Кехайова"]),
    ("Gyoshev", ["Георги Гьошев"]),  # ьо as yo
    ("Cvetanka", ["Цветанка Стоянова"]),
    ("Tsvetanka", ["Цветанка Стоянова"]),
    ("Hadjiev", ["Иван Хаджиев"]),
    ("Hadzhiev", ["Иван Хаджиев"]),
    ("Stoianova", ["Цветанка Стоянова"]),
    ("Stoyanova", ["Цветанка Стоянова"]),
    ("Maria", ["Мария Петрова"]),  # a final ия as ia
    ("Mariya", ["Мария Петрова"]),
    ("Petrova Maria", ["Мария Петрова"]),  # the family name first
    ("Kehayova Yordanka", ["Йорданка Кехайова"]),
    ("yor keh", ["Йорданка Кехайова"]),  # each word by its start
    ("Halyna Kovalenko", ["Галина Коваленко"]),  # Ukrainian official
    ("Hałyna", ["Галина Коваленко"]),  # Polish-style
    ("Ковал", ["Галина Коваленко"]),
    ("ke", ["Йорданка Кехайова"]),
    ("kh", ["Георги Гьошев", "Галина Коваленко", "Иван Хаджиев"]),  # х, and г in Ukrainian (Hoshev, Halyna)
    ("etrova", []),  # a word is found by its start, not by a part inside it
    ("Maria Stoyanova", []),  # every word of the query, in one person's name
])
def test_a_name_is_found_in_any_spelling_and_word_order(intake, admin, people, q, expected):
    assert found(intake, admin, q) == expected


@pytest.mark.parametrize("q", ["0888 100 201", "+359 888 100 201", "00359888100201", "(0888) 100-201", "888100201",
                               "0888 10", "+359 88810"])
def test_a_phone_is_found_in_any_format_by_its_start(intake, auth, people, q):
    assert found(intake, auth("worker", "BG-RAK"), q) == ["Йорданка Кехайова"]


@pytest.mark.parametrize(("q", "expected"), [
    ("050 123 4567", ["Галина Коваленко"]), ("+380501234567", ["Галина Коваленко"]),
    ("088", ["Мария Петрова", "Йорданка Кехайова"]), ("+359", []), ("100 201", []),
])
def test_phones_of_every_municipality_in_scope(intake, admin, people, q, expected):
    assert sorted(found(intake, admin, q)) == sorted(expected)


def test_search_stays_in_the_callers_municipalities(intake, auth, people):
    assert found(intake, auth("coordinator", "BG-PER"), "Kehayova") == []
    assert found(intake, auth("coordinator", "BG-RAK"), "Halyna") == []
    assert found(intake, auth("coordinator", "UA-LUB", "BG-RAK"), "Йорданка") == ["Йорданка Кехайова"]
    assert found(intake, auth("coordinator", "UA-LUB", "BG-RAK"), "Галина") == ["Галина Коваленко"]
    assert_problem(intake.get("/clients", params={"q": "k", "municipality": "UA-LUB"},
                              headers=auth("coordinator", "BG-RAK")), 403)


def test_a_renamed_client_is_found_by_the_new_name_only(intake, admin, people):
    [client] = created(intake.get("/clients", params={"q": "Kehayova"}, headers=admin))["items"]
    created(intake.patch(f"/clients/{client['id']}", json={"family_name": "Стоянова"}, headers=admin))
    assert found(intake, admin, "Kehayova") == []
    assert found(intake, admin, "Stoyanova") == ["Йорданка Стоянова", "Цветанка Стоянова"]


# -- likely duplicates, found by index ---------------------------------------------------------------------


@pytest.mark.parametrize(("first", "again"), [
    ({"birth_date": None}, {}),  # the one registered has no birth date
    ({}, {"birth_date": None}),  # the newcomer has none
    ({"birth_date": None}, {"birth_date": None}),
    ({"birth_date": None}, {"given_name": "Yordanka", "family_name": "Kehayova"}),  # in Latin letters
    ({}, {"given_name": "Jordanka", "family_name": "Kehajova", "birth_date": None}),
    ({"birth_date": None}, {"given_name": "Кехайова", "family_name": "Йорданка"}),  # swapped names
])
def test_a_person_of_the_same_name_without_a_birth_date_is_a_likely_duplicate(intake, admin, catalogue, first,
                                                                             again):
    yordanka = {**PEOPLE[0], "phone": None}
    registered = created(intake.post("/clients", json={**yordanka, **first}, headers=admin))
    answer = intake.post("/clients", json={**yordanka, **again}, headers=admin)
    assert_problem(answer, 409, "confirm_new_person")
    assert [(c["id"], c["reason"]) for c in answer.json()["candidates"]] == [
        (registered["id"], "similar_name_birth_date_unknown")]


@pytest.mark.parametrize("again", [{"birth_date": "1970-01-01"}, {"birth_date": None}])
def test_a_person_with_the_same_phone_is_a_likely_duplicate(intake, admin, people, again):
    someone = {"municipality": "BG-RAK", "given_name": "Stefan", "family_name": "Nikolov", "phone": "0888-100-201",
               **again}
    answer = intake.post("/clients", json=someone, headers=admin)
    assert_problem(answer, 409, "confirm_new_person")
    assert [(c["family_name"], c["reason"]) for c in answer.json()["candidates"]] == [("Кехайова", "same_phone")]


def test_a_birth_date_recorded_later_tells_people_apart(intake, admin, catalogue):
    undated = created(intake.post("/clients", json=PEOPLE[4], headers=admin))
    namesake = {**PEOPLE[4], "given_name": "Maria", "family_name": "Petrova", "phone": None, "birth_date": "1950-01-01"}
    assert_problem(intake.post("/clients", json=namesake, headers=admin), 409, "confirm_new_person")
    created(intake.patch(f"/clients/{undated['id']}", json={"birth_date": "1948-03-12"}, headers=admin))
    created(intake.post("/clients", json=namesake, headers=admin))  # born another day: someone else
    assert_problem(intake.post("/clients", json={**namesake, "birth_date": None}, headers=admin), 409)


# -- query plans ----------------------------------------------------------------------------------------------

SYLLABLES = ["ка", "ли", "но", "ве", "ра", "ту", "ми", "до", "се", "ба", "го", "жа", "це", "ха", "шо", "ю", "я", "щи"]


def _crowd(database, municipality: str, count: int) -> None:
    """``count`` clients of made-up names written straight to the tables, so that each
    database has statistics that make an index worth using."""
    rng, now = random.Random(8), datetime.now(UTC)
    clients, keys, likeness = [], [], []
    for _ in range(count):
        client_id = uuid.uuid4()
        given, family = ("".join(rng.choices(SYLLABLES, k=3)).capitalize() for _ in range(2))
        phone = f"+35988{rng.randrange(10**7):07d}"
        clients.append({"id": client_id, "municipality_code": municipality, "given_name": given,
                        "family_name": family, "birth_date": date(1930 + rng.randrange(60), 1 + rng.randrange(12), 1),
                        "phone": phone, "phone_key": matching.phone_key(phone), "preferred_language": "bg",
                        "registered_at": now})
        keys += [{"client_id": client_id, "key": key, "municipality_code": municipality}
                 for key in matching.name_keys(given, family)]
        likeness += [{"client_id": client_id, "key": key, "municipality_code": municipality, "undated": False}
                     for key in matching.likeness_keys(given, family)]
    with database.transaction() as session:
        session.execute(insert(Client), clients)
        session.execute(insert(ClientNameKey), keys)
        session.execute(insert(ClientLikenessKey), likeness)
    if database.dialect == "postgresql":  # SQLite plans the same without statistics
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def _plans_of_statements_run(database, call, *, about: str) -> list[str]:
    """The query plans of the statements that ``call`` ran and that name ``about``."""
    statements = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if about in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        event.remove(database.engine, "before_cursor_execute", keep)
    assert statements
    explain = "EXPLAIN " if database.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with database.engine.connect() as conn:
        return ["\n".join(str(row[-1]) for row in conn.exec_driver_sql(explain + statement, parameters))
                for statement, parameters in statements]


def _reads_no_municipality_whole(plan: str) -> bool:
    """No table read whole (SQLite's "SCAN client", PostgreSQL's "Seq Scan on client"), nor
    every client of a municipality (an index searched by the municipality alone)."""
    for line in plan.splitlines():
        if re.search(r"\bSCAN (client|client_\w+_key)\b|Seq Scan on (client|client_\w+_key)\b", line):
            return False
        searched = re.search(r"SEARCH .*\((.*)\)$|Index Cond: (.*)", line)  # what an index is searched by
        by = next((group for group in searched.groups() if group), "") if searched else ""
        if "municipality_code" in by and not re.search(r"key|birth_date", by):
            return False
    return True


@pytest.mark.parametrize(("q", "index"), [
    ("Kehayova Yordanka", "ix_client_name_key_search"), ("Мария", "ix_client_name_key_search"),
    ("Хаджиев", "ix_client_name_key_search"),  # two keys to look for: khadziev, tshadziev
    ("0888 100", "ix_client_municipality_code_phone_key"),
])
@pytest.mark.parametrize("caller", [("coordinator", "BG-RAK"), ("network_admin", "*")])
def test_search_reads_an_index_not_the_clients(intake, intake_runtime, auth, people, q, index, caller):
    database = intake_runtime.database
    _crowd(database, "BG-RAK", 3000)
    plans = _plans_of_statements_run(database, lambda: found(intake, auth(*caller), q), about="client")
    searches = [plan for plan in plans if "client_target_group" not in plan]  # the page's target groups
    assert len(searches) == 2  # the total, the page
    for plan in searches:
        assert index in plan and _reads_no_municipality_whole(plan), plan


@pytest.mark.parametrize("birth_date", ["1950-02-02", None])
def test_the_duplicate_check_reads_indexes_not_the_municipality(intake, intake_runtime, admin, people, birth_date):
    database = intake_runtime.database
    _crowd(database, "BG-RAK", 3000)
    newcomer = {**PEOPLE[0], "given_name": "Yordanka", "birth_date": birth_date}
    plans = _plans_of_statements_run(
        database, lambda: assert_problem(intake.post("/clients", json=newcomer, headers=admin), 409),
        about="client_likeness_key")
    [plan] = [plan for plan in plans if "phone_key" in plan]
    expected = {"ix_client_likeness_key_all", "ix_client_municipality_code_phone_key"} if birth_date is None else {
        "ix_client_municipality_code_birth_date", "ix_client_likeness_key_undated",
        "ix_client_municipality_code_phone_key"}
    assert set(re.findall(r"ix_client\w+", plan)) >= expected and _reads_no_municipality_whole(plan), plan


@pytest.mark.servers
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite compares text by its bytes
def test_keys_are_byte_ordered_on_postgresql(intake_runtime, backend):
    """A key range is a prefix only in byte order: the key column's collation is "C"."""
    with intake_runtime.database.unit_of_work(write=False) as session:
        collation = session.scalar(text("SELECT collation_name FROM information_schema.columns "
                                        "WHERE table_name = 'client_name_key' AND column_name = 'key'"))
    assert collation == "C"
