"""The case register through the HTTP API, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import DateTime, Uuid, column, event, insert, select, table, text

from services.intake.models import Case, Household
from services.registry import service_spec
from shared.events.intake import CaseOpened
from shared.messaging.tables import outbox
from shared.migrations import upgrade
from shared.testing import assert_problem, at_once
from tests.intake.data import FATME, IVAN, sofia_today

PERSONAL = ("Ахмедова", "Фатме", "ул. Рила", "личен лекар")
SESSION = "3f0c2a9e-5b1d-4c7e-9a61-0d2b8e4f7c13"  # a group session of scheduling


# Members of staff, as scheduling publishes them: an expert supervises across the network.
MEMBERS_OF_STAFF = [("mediator-ivanova", "BG-MTR"), ("mediator-stoyanova", "BG-MTR"), ("mediator-bgs", "BG-BGS"),
                    ("expert-petrov", "BG-BGS")]


@pytest.fixture
def world(intake_runtime, register_municipalities, case_categories, register_client, staff_member):
    """Two municipalities of seed 000, case categories, a client in each, a household, the staff."""
    register_municipalities("BG-MTR", "BG-BGS")
    for subject, municipality in MEMBERS_OF_STAFF:
        staff_member(subject, municipality, roles=["expert" if subject.startswith("expert") else "health_mediator"])
    household = uuid.uuid4()
    with intake_runtime.database.transaction() as session:
        session.add(Household(id=household, municipality_code="BG-MTR", label="Ахмедови, ул. Рила 5"))
    return {"client": register_client(FATME)["id"], "burgas_client": register_client(IVAN)["id"],
            "household": str(household)}


@pytest.fixture
def mediator(auth):
    return auth("worker", "BG-MTR", subject="mediator-ivanova")


def case_body(world, **overrides) -> dict:
    body = {"municipality": "BG-MTR", "client_id": world["client"], "origin": "group_session",
            "origin_ref": SESSION, "category": "health_access", "priority": "high",
            "title": "Детето няма личен лекар", "description": "Фатме Ахмедова, ул. Рила: детето няма личен лекар",
            "assignee": "mediator-ivanova", "supervising_expert": "expert-petrov"}
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


def open_case(intake, headers, world, **overrides) -> dict:
    answer = intake.post("/cases", json=case_body(world, **overrides), headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def move(intake, headers, case_id, status, note=None):
    return intake.post(f"/cases/{case_id}/status", json={"status": status, "note": note}, headers=headers)


# -- opening -------------------------------------------------------------------------


def test_a_mediator_opens_a_case_and_the_event_carries_ids_and_codes_only(intake, world, mediator, published):
    case = open_case(intake, mediator, world)

    assert case["status"] == "open" and case["opened_by"] == "mediator-ivanova"
    assert (case["municipality"], case["client_id"], case["household_id"]) == ("BG-MTR", world["client"], None)
    assert (case["category"], case["priority"], case["follow_ups"], case["closed_at"]) == (
        "health_access", "high", [], None)
    [envelope] = published("intake.case.opened.v1")
    assert envelope["municipality"] == "BG-MTR" and envelope["subject"] == case["id"]
    assert envelope["data"] == {"case_id": case["id"], "municipality": "BG-MTR", "client_id": world["client"],
                                "household_id": None, "origin": "group_session",
                                "origin_ref": SESSION, "category": "health_access",
                                "priority": "high"}
    assert not any(word in json.dumps(envelope, ensure_ascii=False) for word in PERSONAL)


def test_a_case_may_be_about_a_household(intake, world, auth):
    case = open_case(intake, auth("coordinator", "BG-MTR"), world, client_id=None, household_id=world["household"])
    assert (case["client_id"], case["household_id"]) == (None, world["household"])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"client_id": None}, "client_id"),  # neither
    ({"household_id": "set"}, "household_id"),  # both
    ({"category": "unknown_category"}, "category"),
    ({"category": "retired"}, "category"),  # inactive codes are not for new cases
    ({"category": "Not A Code"}, "category"),
    ({"origin": "telepathy"}, "origin"),
    ({"priority": "critical"}, "priority"),
    ({"title": ""}, "title"),
    ({"origin_ref": "Фатме Ахмедова"}, "origin_ref"),  # a reference, not free text: it travels in events
    ({"client_id": "not-a-uuid"}, "client_id"),
    ({"municipality": "BG-ZZZ"}, "municipality"),
    ({"colour": "red"}, "colour"),
])
def test_bad_case_input_is_422_naming_the_field(intake, world, admin, overrides, field, published):
    if overrides.get("household_id") == "set":
        overrides = {"household_id": world["household"]}
    assert_problem(intake.post("/cases", json=case_body(world, **overrides), headers=admin), 422, field)
    assert published("intake.case.opened.v1") == []


def test_the_client_or_household_must_belong_to_the_municipality(intake, world, admin):
    for field, value in (("client_id", world["burgas_client"]), ("client_id", str(uuid.uuid4()))):
        answer = intake.post("/cases", json=case_body(world, **{field: value}), headers=admin)
        assert_problem(answer, 422, field)
        assert "Колев" not in answer.text
    answer = intake.post("/cases", json=case_body(world, municipality="BG-BGS", client_id=None,
                                                  household_id=world["household"]), headers=admin)
    assert_problem(answer, 422, "household_id")


def test_a_case_names_members_of_staff_working_today(intake, world, admin, mediator, staff_member):
    """An assignee of the case's municipality; an expert of any (they supervise the network)."""
    staff_member("mediator-gone", "BG-MTR", left_on=sofia_today() - timedelta(days=2))
    for field, subject in [("assignee", "mediator-bgs"), ("assignee", "mediator-gone"), ("assignee", "Иванова"),
                           ("assignee", "someone"), ("supervising_expert", "expert-unknown")]:
        answer = intake.post("/cases", json=case_body(world, **{field: subject}), headers=admin)
        assert_problem(answer, 422, field)
    case = open_case(intake, admin, world, supervising_expert="expert-petrov")  # of Burgas
    assert_problem(intake.patch(f"/cases/{case['id']}", json={"assignee": "mediator-bgs"}, headers=admin),
                   422, "assignee")
    changed = intake.patch(f"/cases/{case['id']}", json={"assignee": "mediator-stoyanova"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["assignee"] == "mediator-stoyanova"
    follow_up = {"kind": "consultation", "description": "Какво да правим", "due_on": str(sofia_today()),
                 "expert": "expert-unknown"}
    assert_problem(intake.post(f"/cases/{case['id']}/follow-ups", json=follow_up, headers=mediator), 422, "expert")


@pytest.mark.parametrize(("role", "municipalities", "status"), [
    ("worker", ("BG-BGS",), 403),  # another municipality
    ("coordinator", ("BG-BGS",), 403),
    ("expert", ("*",), 403),  # experts consult, they do not open cases
    ("analyst", ("BG-MTR",), 403),
    ("worker", ("BG-MTR",), 201),
    ("coordinator", ("BG-MTR",), 201),
])
def test_who_may_open_a_case(intake, world, auth, role, municipalities, status):
    answer = intake.post("/cases", json=case_body(world), headers=auth(role, *municipalities))
    assert answer.status_code == status, answer.text


def test_a_visit_raises_one_case_but_a_group_session_may_raise_several(intake, world, mediator):
    visit = str(uuid.uuid4())
    first = open_case(intake, mediator, world, origin="visit", origin_ref=visit)
    again = intake.post("/cases", json=case_body(world, origin="visit", origin_ref=visit), headers=mediator)
    assert again.status_code == 409
    assert (again.json()["field"], again.json()["case_id"]) == ("origin_ref", first["id"])

    open_case(intake, mediator, world)
    open_case(intake, mediator, world, category="identity_documents")  # the same session, another problem
    open_case(intake, mediator, world, origin="walk_in", origin_ref=None)
    open_case(intake, mediator, world, origin="walk_in", origin_ref=None)
    assert intake.get("/cases", headers=mediator).json()["total"] == 5


def test_simultaneous_reports_of_one_visit_open_one_case_and_409_naming_it(served_service, world, mediator,
                                                                           published, caplog):
    """20 at once, the visit's id spelled four ways: one case, 19 answers naming it, no 500,
    and nothing of the case's text in the log (a failed statement's parameters hold it)."""
    visit = uuid.uuid4()
    spellings = [str(visit), str(visit).upper(), visit.hex, visit.urn]
    bodies = [case_body(world, origin="visit", origin_ref=spellings[i % 4]) for i in range(20)]
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=served_service("intake"), timeout=60) as http:
        answers = at_once([lambda body=body: http.post("/cases", json=body, headers=mediator) for body in bodies])

    assert Counter(a.status_code for a in answers) == {201: 1, 409: 19}
    [opened] = [a.json() for a in answers if a.status_code == 201]
    assert {(a.json()["field"], a.json()["case_id"]) for a in answers if a.status_code == 409} == {
        ("origin_ref", opened["id"])}
    assert [e["data"]["origin_ref"] for e in published("intake.case.opened.v1")] == [str(visit)]
    assert not any(word in caplog.text for word in PERSONAL)


@pytest.mark.parametrize(("origin", "origin_ref"), [
    ("group_session", "petrova-maria-rila-5"),  # an id-shaped name
    ("visit", "visit-2023-05-12"),
    ("campaign", SESSION),  # nothing in CareCircle names a campaign
    ("walk_in", SESSION),  # a walk-in refers to nothing
])
def test_a_reference_is_the_id_of_a_visit_or_group_session(intake, world, mediator, published, origin, origin_ref):
    answer = intake.post("/cases", json=case_body(world, origin=origin, origin_ref=origin_ref), headers=mediator)
    assert_problem(answer, 422, "origin_ref")
    assert published("intake.case.opened.v1") == []


def test_a_reference_travels_in_one_spelling(intake, world, mediator, published):
    case = open_case(intake, mediator, world, origin_ref=SESSION.upper())
    assert case["origin_ref"] == SESSION
    assert published("intake.case.opened.v1")[0]["data"]["origin_ref"] == SESSION


def test_the_event_contract_takes_ids_and_codes_only():
    fields = {"case_id": uuid.uuid4(), "municipality": "BG-MTR", "client_id": None, "household_id": None,
              "origin": "group_session", "origin_ref": SESSION, "category": "health_access", "priority": "high"}
    CaseOpened(**fields)
    for bad in ({"origin_ref": "Фатме Ахмедова"}, {"category": "Детето няма личен лекар"}):
        with pytest.raises(ValidationError):
            CaseOpened(**{**fields, **bad})


def test_a_cases_text_stays_in_intake(intake, world, mediator, intake_runtime):
    """Title, description, status notes, follow-up descriptions, institutions and outcomes:
    in no event intake published."""
    case = open_case(intake, mediator, world)
    url = f"/cases/{case['id']}"
    intake.patch(url, json={"title": "Фатме Ахмедова: личен лекар", "description": "ул. Рила 5"}, headers=mediator)
    move(intake, mediator, case["id"], "referred", note="Фатме Ахмедова насочена")
    planned = intake.post(f"{url}/follow-ups", headers=mediator, json={
        "kind": "referral", "institution": "ул. Рила", "description": "Фатме Ахмедова", "due_on": "2030-01-01"})
    intake.patch(f"{url}/follow-ups/{planned.json()['id']}", headers=mediator,
                 json={"done_on": str(sofia_today()), "outcome": "личен лекар намерен"})
    with intake_runtime.database.unit_of_work() as session:
        bodies = session.scalars(select(outbox.c.body)).all()
    assert len(bodies) >= 5
    assert not any(word in body for body in bodies for word in PERSONAL)


# -- free text and dates ---------------------------------------------------------------


HIDDEN = {"bidi override": "\u202e", "zero-width space": "\u200b", "bell": "\x07"}
TEXT_FIELDS = [  # (what is written, its field, a body around the field)
    ("case", "title", {}), ("case", "description", {}), ("case", "assignee", {}),
    ("case change", "title", {}), ("case change", "description", {}), ("case change", "supervising_expert", {}),
    ("status", "note", {"status": "in_progress"}),
    ("follow-up", "description", {"kind": "call", "due_on": "2030-01-01"}),
    ("follow-up", "institution", {"kind": "referral", "description": "Насочване", "due_on": "2030-01-01"}),
    ("follow-up", "outcome", {"kind": "call", "description": "Обаждане", "done_on": "today"}),
    ("follow-up record", "outcome", {"done_on": "today"}),
]


def write(intake, headers, world, what: str, body: dict):
    """``what`` of TEXT_FIELDS written with ``body``: to a new case, or to an open case and its planned call."""
    if what == "case":
        return intake.post("/cases", json=case_body(world, **body), headers=headers)
    url = f"/cases/{open_case(intake, headers, world)['id']}"
    if what == "follow-up record":
        planned = intake.post(f"{url}/follow-ups", headers=headers,
                              json={"kind": "call", "description": "Обаждане", "due_on": "2030-01-01"}).json()
        url = f"{url}/follow-ups/{planned['id']}"
    paths = {"case change": (intake.patch, url), "status": (intake.post, f"{url}/status"),
             "follow-up": (intake.post, f"{url}/follow-ups"), "follow-up record": (intake.patch, url)}
    method, path = paths[what]
    return method(path, json={k: str(sofia_today()) if v == "today" else v for k, v in body.items()}, headers=headers)


@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN.keys())
@pytest.mark.parametrize(("what", "field", "body"), TEXT_FIELDS, ids=[f"{w}.{f}" for w, f, _ in TEXT_FIELDS])
def test_control_and_invisible_characters_are_422_naming_the_field(intake, world, mediator, what, field, body,
                                                                   hidden):
    answer = write(intake, mediator, world, what, {**body, field: f"Фатме{hidden} Ахмедова"})
    assert_problem(answer, 422, field)
    assert "Фатме" not in answer.text  # the code point is named, never the text


def test_text_is_kept_in_nfc_and_notes_keep_their_lines(intake, world, mediator):
    decomposed = "Детето на Фатме\u0306 няма личен лекар"  # е + combining breve: ӗ typed on another keyboard
    case = open_case(intake, mediator, world, title=decomposed, description="Първо:\n\tличен лекар")
    assert case["title"] == "Детето на Фатмӗ няма личен лекар"
    assert case["description"] == "Първо:\n\tличен лекар"
    assert_problem(intake.post("/cases", json=case_body(world, title="Ред\nдруг ред"), headers=mediator), 422, "title")


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "call", "due_on": "2206-01-01"}, "due_on"),  # a typing slip for 2026
    ({"kind": "call", "done_on": "0202-05-01"}, "done_on"),
    ({"kind": "call", "done_on": "today", "next_due_on": "9999-12-31"}, "next_due_on"),
])
def test_dates_beyond_any_record_or_plan_are_422(intake, world, mediator, body, field):
    answer = write(intake, mediator, world, "follow-up", {"description": "Обаждане", **body})
    assert_problem(answer, 422, field)
    assert_problem(intake.get("/follow-ups/overdue?as_of=9999-12-31", headers=mediator), 422, "query.as_of")


# -- the stored references, migrated ------------------------------------------------------


# The case table before the cases hardening (revision 086cb6fe511d), as far as a new row needs it.
OLD_CASE = table("case", column("id", Uuid()), column("opened_at", DateTime(timezone=True)), *map(column, (
    "municipality_code", "origin", "origin_ref", "category_code", "priority", "title", "status", "opened_by")))


def test_the_migration_keeps_only_record_ids_as_references(empty_database):
    """Before: any text. After: a visit's or group session's id in one spelling, once per visit;
    any other reference is moved into the description, which stays in intake."""
    spec, visit = service_spec("intake"), uuid.uuid4()
    upgrade(str(spec.migrations), empty_database, spec.metadata, revision="086cb6fe511d")
    stored = [("visit", "visit", str(visit)), ("same visit", "visit", visit.hex.upper()),
              ("session", "group_session", SESSION.upper()), ("named", "group_session", "petrova-maria"),
              ("campaign", "campaign", SESSION), ("walk-in", "walk_in", "Фатме Ахмедова")]
    with empty_database.transaction() as session:
        session.execute(text("INSERT INTO municipality (code, name, names, language, timezone, registered_at) "
                             "VALUES ('BG-MTR', 'Малко Търново', '{}', 'bg', 'Europe/Sofia', :now)"),
                        {"now": datetime.now(ZoneInfo("UTC"))})
        session.execute(insert(OLD_CASE), [{
            "id": uuid.uuid4(), "opened_at": datetime(2024, 1, 1 + day, tzinfo=ZoneInfo("UTC")),
            "municipality_code": "BG-MTR", "origin": origin, "origin_ref": ref, "category_code": "other",
            "priority": "normal", "title": title, "status": "open", "opened_by": "x",
        } for day, (title, origin, ref) in enumerate(stored)])
    upgrade(str(spec.migrations), empty_database, spec.metadata)

    with empty_database.unit_of_work() as session:
        cases = {case.title: (case.origin_ref, case.description) for case in session.scalars(select(Case))}
    moved = "Reference given when the case was opened: "
    assert cases == {
        "visit": (visit, None), "same visit": (None, moved + visit.hex.upper()),
        "session": (uuid.UUID(SESSION), None), "named": (None, moved + "petrova-maria"),
        "campaign": (None, moved + SESSION), "walk-in": (None, moved + "Фатме Ахмедова")}


# -- reading -------------------------------------------------------------------------


def test_cases_are_listed_with_filters_and_pagination(intake, world, auth, admin):
    mtr = auth("coordinator", "BG-MTR", subject="coordinator-mtr")
    ids = [open_case(intake, mtr, world, title=f"Казус {i}", priority="urgent" if i == 0 else "normal",
                     assignee="mediator-ivanova" if i % 2 else "mediator-stoyanova")["id"] for i in range(5)]
    documents = open_case(intake, mtr, world, category="identity_documents", assignee=None)["id"]
    burgas = open_case(intake, admin, world, municipality="BG-BGS", client_id=world["burgas_client"],
                       assignee="mediator-bgs")["id"]
    move(intake, mtr, ids[0], "in_progress")

    def listed(query: str = "", headers=mtr) -> dict:
        answer = intake.get(f"/cases{query}", headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    page = listed("?limit=2&offset=1")
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 2, 1, 2)
    everything = listed()
    assert [c["id"] for c in everything["items"]] == [documents, *reversed(ids)]  # newest first
    assert {c["id"] for c in listed("?limit=2")["items"]} | {c["id"] for c in page["items"]} == {
        documents, ids[4], ids[3]}
    assert [c["id"] for c in listed("?status=in_progress")["items"]] == [ids[0]]
    assert [c["id"] for c in listed("?category=identity_documents")["items"]] == [documents]
    assert [c["id"] for c in listed("?priority=urgent")["items"]] == [ids[0]]
    assert {c["id"] for c in listed("?assignee=mediator-ivanova")["items"]} == {ids[1], ids[3]}
    assert listed(f"?client_id={world['client']}")["total"] == 6
    assert listed("?municipality=BG-MTR")["total"] == 6
    ivanova = auth("worker", "BG-MTR", subject="mediator-ivanova")
    assert {c["id"] for c in listed("?mine=true", ivanova)["items"]} == {ids[1], ids[3]}
    assert listed("?mine=true")["total"] == 0  # the coordinator has none assigned
    assert listed(headers=admin)["total"] == 7
    assert [c["id"] for c in listed(headers=auth("expert", "BG-BGS"))["items"]] == [burgas]
    assert listed(headers=auth("expert", "*"))["total"] == 7


@pytest.mark.parametrize(("query", "field"), [
    ("?status=lost", "query.status"), ("?limit=1000", "query.limit"), ("?client_id=x", "query.client_id"),
    ("?priority=asap", "query.priority"),
])
def test_bad_list_filters_are_422_naming_the_parameter(intake, world, admin, query, field):
    assert_problem(intake.get(f"/cases{query}", headers=admin), 422, field)


def test_other_municipalities_cases_are_hidden(intake, world, auth, admin, mediator):
    case = open_case(intake, mediator, world)
    burgas = auth("coordinator", "BG-BGS")
    answer = intake.get(f"/cases/{case['id']}", headers=burgas)
    assert answer.status_code == 404
    assert "личен лекар" not in answer.text
    assert intake.get("/cases", headers=burgas).json()["total"] == 0
    assert intake.get("/cases?municipality=BG-MTR", headers=burgas).status_code == 403
    for write in (lambda h: intake.patch(f"/cases/{case['id']}", json={"priority": "low"}, headers=h),
                  lambda h: move(intake, h, case["id"], "in_progress"),
                  lambda h: intake.post(f"/cases/{case['id']}/follow-ups",
                                        json={"kind": "call", "description": "x", "due_on": "2030-01-01"}, headers=h)):
        assert write(burgas).status_code == 404
    assert intake.get(f"/cases/{uuid.uuid4()}", headers=admin).status_code == 404
    assert intake.get(f"/cases/{case['id']}", headers=auth("expert", "BG-MTR")).status_code == 200


def test_analysts_see_no_cases(intake, world, auth, mediator):
    case = open_case(intake, mediator, world)
    analyst = auth("analyst", "*")
    for path in ("/cases", f"/cases/{case['id']}", "/follow-ups/overdue"):
        answer = intake.get(path, headers=analyst)
        assert answer.status_code == 403
        assert "личен лекар" not in answer.text


# -- changing ------------------------------------------------------------------------


def test_a_coordinator_reassigns_and_refiles_a_case(intake, world, auth, mediator):
    case = open_case(intake, mediator, world)
    coordinator = auth("coordinator", "BG-MTR")
    answer = intake.patch(f"/cases/{case['id']}", headers=coordinator, json={
        "assignee": "mediator-stoyanova", "supervising_expert": None, "priority": "urgent",
        "category": "identity_documents", "description": "Без лична карта"})
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert (changed["assignee"], changed["supervising_expert"], changed["priority"], changed["category"],
            changed["description"], changed["title"]) == (
        "mediator-stoyanova", None, "urgent", "identity_documents", "Без лична карта", case["title"])
    assert intake.get(f"/cases/{case['id']}", headers=mediator).json()["category"] == "identity_documents"


@pytest.mark.parametrize(("body", "field"), [
    ({"category": "unknown_category"}, "category"), ({"category": None}, "category"),
    ({"priority": None}, "priority"), ({"title": None}, "title"), ({"priority": "asap"}, "priority"),
    ({"status": "closed"}, "status"),  # status moves through POST /cases/{id}/status
])
def test_bad_case_changes_are_422_naming_the_field(intake, world, mediator, body, field):
    case = open_case(intake, mediator, world)
    assert_problem(intake.patch(f"/cases/{case['id']}", json=body, headers=mediator), 422, field)


def test_experts_and_analysts_do_not_change_cases(intake, world, auth, mediator):
    case = open_case(intake, mediator, world)
    for role in ("expert", "analyst"):
        headers = auth(role, "BG-MTR")
        assert intake.patch(f"/cases/{case['id']}", json={"priority": "low"}, headers=headers).status_code == 403
        assert move(intake, headers, case["id"], "in_progress").status_code == 403


def test_a_case_moves_through_its_life_and_each_move_is_published(intake, world, mediator, published):
    case = open_case(intake, mediator, world)
    for status in ("in_progress", "referred", "in_progress", "resolved", "in_progress", "resolved"):
        answer = move(intake, mediator, case["id"], status, note=f"към {status}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["closed_at"] is None
    closed = move(intake, mediator, case["id"], "closed", note="Детето е записано при личен лекар").json()

    assert closed["status"] == "closed" and closed["closed_at"] is not None
    history = [(c["previous_status"], c["status"]) for c in closed["status_changes"]]
    assert history == [("open", "in_progress"), ("in_progress", "referred"), ("referred", "in_progress"),
                       ("in_progress", "resolved"), ("resolved", "in_progress"), ("in_progress", "resolved"),
                       ("resolved", "closed")]
    assert closed["status_changes"][-1]["changed_by"] == "mediator-ivanova"
    assert closed["status_changes"][-1]["note"] == "Детето е записано при личен лекар"
    events = published("intake.case.status_changed.v1")
    assert [(e["data"]["previous_status"], e["data"]["status"]) for e in events] == history
    assert events[-1]["data"] == {"case_id": case["id"], "municipality": "BG-MTR", "category": "health_access",
                                  "previous_status": "resolved", "status": "closed"}
    assert not any("личен лекар" in json.dumps(e, ensure_ascii=False) for e in events)


@pytest.mark.parametrize(("path", "refused"), [
    (["closed"], "in_progress"),  # closed is final
    ([], "open"),  # nothing goes back to open
    (["resolved"], "referred"),  # reopen first
    (["in_progress"], "in_progress"),  # not a move
])
def test_moves_not_allowed_are_409_on_status(intake, world, mediator, published, path, refused):
    case = open_case(intake, mediator, world)
    for status in path:
        assert move(intake, mediator, case["id"], status).status_code == 200
    answer = move(intake, mediator, case["id"], refused)
    assert answer.status_code == 409
    assert answer.json()["field"] == "status"
    assert intake.get(f"/cases/{case['id']}", headers=mediator).json()["status"] == (path or ["open"])[-1]
    assert len(published("intake.case.status_changed.v1")) == len(path)


def test_an_unknown_status_is_422(intake, world, mediator):
    case = open_case(intake, mediator, world)
    assert_problem(move(intake, mediator, case["id"], "archived"), 422, "status")


def test_a_closed_case_no_longer_changes(intake, world, mediator):
    case = open_case(intake, mediator, world)
    move(intake, mediator, case["id"], "closed")
    answer = intake.patch(f"/cases/{case['id']}", json={"priority": "low"}, headers=mediator)
    assert (answer.status_code, answer.json()["field"]) == (409, "status")
    answer = intake.post(f"/cases/{case['id']}/follow-ups", headers=mediator,
                         json={"kind": "call", "description": "Обаждане", "due_on": "2030-01-01"})
    assert (answer.status_code, answer.json()["field"]) == (409, "status")


# -- follow-ups ----------------------------------------------------------------------


def test_a_referral_is_planned_then_recorded_done_and_the_next_is_scheduled(intake, world, mediator, published):
    case = open_case(intake, mediator, world)
    today = sofia_today()
    planned = intake.post(f"/cases/{case['id']}/follow-ups", headers=mediator, json={
        "kind": "referral", "institution": "ГРАО Малко Търново", "description": "Лична карта за майката",
        "due_on": str(today + timedelta(days=7))})
    assert planned.status_code == 201, planned.text
    planned = planned.json()
    assert (planned["done_on"], planned["scheduled_next"], planned["created_by"]) == (None, None, "mediator-ivanova")

    done = intake.patch(f"/cases/{case['id']}/follow-ups/{planned['id']}", headers=mediator, json={
        "done_on": str(today), "outcome": "Подадено заявление", "next_due_on": str(today + timedelta(days=30))})
    assert done.status_code == 200, done.text
    done = done.json()
    assert (done["done_on"], done["outcome"]) == (str(today), "Подадено заявление")
    follow_up = done["scheduled_next"]
    assert (follow_up["kind"], follow_up["institution"], follow_up["due_on"], follow_up["done_on"]) == (
        "referral", "ГРАО Малко Търново", str(today + timedelta(days=30)), None)

    detail = intake.get(f"/cases/{case['id']}", headers=mediator).json()
    assert [f["id"] for f in detail["follow_ups"]] == [planned["id"], follow_up["id"]]
    events = [e["data"] for e in published("intake.followup.recorded.v1")]
    assert {(e.pop("assignee"), e.pop("supervising_expert")) for e in events} == {(case["assignee"],
                                                                                   case["supervising_expert"])}
    assert events == [
        {"follow_up_id": planned["id"], "case_id": case["id"], "municipality": "BG-MTR", "kind": "referral",
         "due_on": str(today + timedelta(days=7)), "done_on": None},
        {"follow_up_id": planned["id"], "case_id": case["id"], "municipality": "BG-MTR", "kind": "referral",
         "due_on": str(today + timedelta(days=7)), "done_on": str(today)},
        {"follow_up_id": follow_up["id"], "case_id": case["id"], "municipality": "BG-MTR", "kind": "referral",
         "due_on": str(today + timedelta(days=30)), "done_on": None},
    ]
    assert not any("ГРАО" in json.dumps(e, ensure_ascii=False) for e in events)


def test_an_expert_records_a_consultation_defaulting_to_the_supervising_expert(intake, world, auth, mediator):
    case = open_case(intake, mediator, world)
    expert = auth("expert", "*", subject="expert-petrov")
    answer = intake.post(f"/cases/{case['id']}/follow-ups", headers=expert, json={
        "kind": "consultation", "description": "Онлайн среща с медиатора", "done_on": str(sofia_today()),
        "outcome": "Да се насочи към РЗИ"})
    assert answer.status_code == 201, answer.text
    assert (answer.json()["expert"], answer.json()["created_by"]) == ("expert-petrov", "expert-petrov")
    assert intake.post(f"/cases/{case['id']}/follow-ups", headers=auth("analyst", "*"), json={
        "kind": "call", "description": "x", "due_on": "2030-01-01"}).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "referral"}, "institution"),
    ({"kind": "call", "institution": "РЗИ Бургас"}, "institution"),
    ({"kind": "visit", "expert": "expert-petrov"}, "expert"),
    ({"kind": "call", "due_on": None}, "due_on"),
    ({"kind": "call", "done_on": "future"}, "done_on"),
    ({"kind": "call", "outcome": "Не вдига"}, "outcome"),
    ({"kind": "call", "next_due_on": "2030-01-01"}, "next_due_on"),
    ({"kind": "call", "done_on": "today", "next_due_on": "today"}, "next_due_on"),
    ({"kind": "letter"}, "kind"),
    ({"kind": "call", "description": ""}, "description"),
    ({"kind": "call", "due_on": "31.12.2030"}, "due_on"),
])
def test_bad_follow_ups_are_422_naming_the_field(intake, world, mediator, body, field, published):
    case = open_case(intake, mediator, world, supervising_expert=None)
    dates = {"today": str(sofia_today()), "future": str(sofia_today() + timedelta(days=2))}
    body = {"description": "Обаждане", "due_on": "2030-01-01", **body}
    body = {k: dates.get(v, v) for k, v in body.items() if v is not None}
    assert_problem(intake.post(f"/cases/{case['id']}/follow-ups", json=body, headers=mediator), 422, field)
    assert published("intake.followup.recorded.v1") == []


def test_a_consultation_needs_an_expert_when_the_case_has_none(intake, world, mediator):
    case = open_case(intake, mediator, world, supervising_expert=None)
    answer = intake.post(f"/cases/{case['id']}/follow-ups", headers=mediator,
                         json={"kind": "consultation", "description": "Консултация", "due_on": "2030-01-01"})
    assert_problem(answer, 422, "expert")


@pytest.mark.parametrize(("body", "field"), [
    ({"done_on": "future"}, "done_on"),
    ({"outcome": "Готово"}, "outcome"),  # an outcome comes with done_on
    ({"done_on": "today", "next_due_on": "today"}, "next_due_on"),
    ({"due_on": None}, "due_on"),
    ({"description": None}, "description"),
])
def test_bad_follow_up_records_are_422_naming_the_field(intake, world, mediator, body, field):
    case = open_case(intake, mediator, world)
    planned = intake.post(f"/cases/{case['id']}/follow-ups", headers=mediator,
                          json={"kind": "call", "description": "Обаждане", "due_on": "2030-01-01"}).json()
    dates = {"today": str(sofia_today()), "future": str(sofia_today() + timedelta(days=2))}
    answer = intake.patch(f"/cases/{case['id']}/follow-ups/{planned['id']}", headers=mediator,
                          json={k: dates.get(v, v) for k, v in body.items()})
    assert_problem(answer, 422, field)


def test_a_follow_up_done_schedules_the_next_only_once(intake, world, mediator):
    case = open_case(intake, mediator, world)
    url = f"/cases/{case['id']}/follow-ups"
    planned = intake.post(url, headers=mediator, json={"kind": "call", "description": "Обаждане",
                                                       "due_on": "2030-01-01"}).json()
    today = str(sofia_today())
    first = intake.patch(f"{url}/{planned['id']}", headers=mediator,
                         json={"done_on": today, "next_due_on": "2031-01-01"})
    assert first.status_code == 200
    again = intake.patch(f"{url}/{planned['id']}", headers=mediator,
                         json={"outcome": "Вдигна", "next_due_on": "2031-02-01"})
    assert_problem(again, 422, "next_due_on")
    corrected = intake.patch(f"{url}/{planned['id']}", headers=mediator, json={"outcome": "Вдигна"})
    assert (corrected.status_code, corrected.json()["outcome"]) == (200, "Вдигна")
    assert len(intake.get(f"/cases/{case['id']}", headers=mediator).json()["follow_ups"]) == 2
    assert intake.patch(f"{url}/{uuid.uuid4()}", headers=mediator, json={"outcome": "x"}).status_code == 404


# -- overdue -------------------------------------------------------------------------


def _follow_up(intake, headers, case_id, due_on: date, kind="call", **extra) -> dict:
    answer = intake.post(f"/cases/{case_id}/follow-ups", headers=headers,
                         json={"kind": kind, "description": "Проследяване", "due_on": str(due_on), **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_overdue_follow_ups_are_listed_most_overdue_first(intake, world, auth, admin, mediator):
    today = sofia_today()
    case = open_case(intake, mediator, world)
    documents = open_case(intake, mediator, world, category="identity_documents", assignee="mediator-stoyanova")
    late = _follow_up(intake, mediator, case["id"], today - timedelta(days=10))
    later = _follow_up(intake, mediator, documents["id"], today - timedelta(days=3), kind="visit")
    _follow_up(intake, mediator, case["id"], today)  # due today: not overdue yet
    _follow_up(intake, mediator, case["id"], today + timedelta(days=5))
    done = _follow_up(intake, mediator, case["id"], today - timedelta(days=20))
    intake.patch(f"/cases/{case['id']}/follow-ups/{done['id']}", json={"done_on": str(today)}, headers=mediator)
    closed = open_case(intake, mediator, world)
    _follow_up(intake, mediator, closed["id"], today - timedelta(days=30))
    move(intake, mediator, closed["id"], "closed")  # its follow-ups are moot
    burgas = open_case(intake, admin, world, municipality="BG-BGS", client_id=world["burgas_client"],
                       assignee="mediator-bgs")
    _follow_up(intake, admin, burgas["id"], today - timedelta(days=1))

    answer = intake.get("/follow-ups/overdue?municipality=BG-MTR", headers=mediator)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 2
    about = {"title": "Детето няма личен лекар", "client_name": "Фатме Ахмедова", "household_label": None,
             "municipality": "BG-MTR"}
    assert page["items"] == [
        {"follow_up_id": late["id"], "case_id": case["id"], **about, "category": "health_access",
         "assignee": "mediator-ivanova", "kind": "call", "due_on": str(today - timedelta(days=10)),
         "days_overdue": 10},
        {"follow_up_id": later["id"], "case_id": documents["id"], **about,
         "category": "identity_documents", "assignee": "mediator-stoyanova", "kind": "visit",
         "due_on": str(today - timedelta(days=3)), "days_overdue": 3},
    ]
    assert [i["follow_up_id"] for i in intake.get("/follow-ups/overdue?mine=true", headers=mediator)
            .json()["items"]] == [late["id"]]
    everywhere = intake.get("/follow-ups/overdue", headers=admin).json()
    assert everywhere["total"] == 3
    assert [i["case_id"] for i in intake.get("/follow-ups/overdue", headers=auth("expert", "BG-BGS"))
            .json()["items"]] == [burgas["id"]]
    as_of = intake.get(f"/follow-ups/overdue?municipality=BG-MTR&as_of={today + timedelta(days=6)}",
                       headers=mediator).json()
    assert [i["days_overdue"] for i in as_of["items"]] == [16, 9, 6, 1]
    assert intake.get("/follow-ups/overdue?limit=1&offset=1", headers=admin).json()["items"][0][
        "follow_up_id"] == later["id"]


def test_overdue_counts_from_today_in_each_municipalitys_time_zone(intake, world, admin):
    """Kiritimati (UTC+14) and Pago Pago (UTC-11): at any hour one of them is not on UTC's date,
    so a cut-off taken from the server's or UTC's date fails here for one of the two."""
    due = {}
    for code, zone in (("KI-CXI", "Pacific/Kiritimati"), ("AS-PPG", "Pacific/Pago_Pago")):
        municipality = {"code": code, "name": zone, "language": "en", "timezone": zone}
        assert intake.post("/municipalities", json=municipality, headers=admin).status_code == 201
        client = intake.post("/clients", json={"municipality": code, "given_name": "Ana", "family_name": code},
                             headers=admin).json()["id"]
        case = open_case(intake, admin, world, municipality=code, client_id=client, assignee=None)
        local_today = datetime.now(ZoneInfo(zone)).date()
        due[code] = _follow_up(intake, admin, case["id"], local_today - timedelta(days=1))["id"]
        _follow_up(intake, admin, case["id"], local_today)  # due today there: not overdue

    items = intake.get("/follow-ups/overdue", headers=admin).json()["items"]
    assert {i["follow_up_id"]: i["days_overdue"] for i in items} == {due["KI-CXI"]: 1, due["AS-PPG"]: 1}


@pytest.mark.parametrize(("role", "query", "status", "field"), [
    ("network_admin", "?municipality=BG-ZZZ", 422, "municipality"),
    ("worker", "?municipality=BG-ZZZ", 403, None),  # outside the token, known or not
    ("worker", "?municipality=BG-BGS", 403, None),
    ("worker", "?as_of=yesterday", 422, "query.as_of"),
])
def test_bad_overdue_queries(intake, world, auth, role, query, status, field):
    answer = intake.get(f"/follow-ups/overdue{query}", headers=auth(role, "*" if role == "network_admin" else "BG-MTR"))
    assert answer.status_code == status
    if field:
        assert_problem(answer, 422, field)


def test_overdue_follow_ups_name_the_case_and_who_it_is_about_in_one_query(intake, intake_runtime, world, auth,
                                                                          admin, mediator):
    """A page of 1 or of 7 takes as many statements: the names are joined, not fetched per row."""
    due = sofia_today() - timedelta(days=2)
    _follow_up(intake, mediator, open_case(intake, mediator, world)["id"], due)
    statements: list[str] = []
    event.listen(intake_runtime.database.engine, "before_cursor_execute", lambda *call: statements.append(call[2]))

    def overdue(headers=admin) -> list[dict]:
        statements.clear()
        return intake.get("/follow-ups/overdue", headers=headers).json()["items"]

    overdue()
    one_row = len(statements)
    household = open_case(intake, mediator, world, client_id=None, household_id=world["household"],
                          title="Семейството няма ток")
    for _ in range(5):
        _follow_up(intake, mediator, household["id"], due)
    burgas = open_case(intake, admin, world, municipality="BG-BGS", client_id=world["burgas_client"],
                       assignee="mediator-bgs", title="Изтекла лична карта")
    _follow_up(intake, admin, burgas["id"], due)

    items = overdue()
    assert (len(items), len(statements)) == (7, one_row)
    assert {(i["title"], i["client_name"], i["household_label"]) for i in items} == {
        ("Детето няма личен лекар", "Фатме Ахмедова", None), ("Семейството няма ток", None, "Ахмедови, ул. Рила 5"),
        ("Изтекла лична карта", "Иван Колев", None)}
    assert [(i["title"], i["client_name"]) for i in overdue(auth("expert", "BG-BGS"))] == [
        ("Изтекла лична карта", "Иван Колев")]  # names only within the caller's municipalities
