"""The access log through intake's HTTP API, on SQLite and PostgreSQL: every route that shows a
client's personal data writes who read what of whom, in the transaction that answers (no row, no
data); the data-protection officer reads it per person."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import event, select, text

from services.intake.models import AccessRecord
from shared.testing import assert_problem, at_once, created
from tests.intake.data import MARIA, sofia_today

TEMPLATE = {"network": "BG-NNHM", "code": "social_assessment", "names": {"en": "Social assessment"},
            "domains": [{"code": "self_care", "names": {"en": "Self-care"}, "min": 0, "max": 4}]}
PLAN = {"starts_on": "2021-07-05", "ends_on": "2021-10-31", "lines": [{"service_type": "phone_friend", "per_week": 2}]}


def reads(database, client_id: str | None = None) -> list[tuple[str, str, str, list[str]]]:
    """The access log, oldest first: (client, what, reader, roles)."""
    query = select(AccessRecord).order_by(AccessRecord.id)
    if client_id is not None:
        query = query.where(AccessRecord.client_id == uuid.UUID(client_id))
    with database.unit_of_work(write=False) as session:
        return [(str(r.client_id), r.what, r.reader, r.roles) for r in session.scalars(query)]


@pytest.fixture
def maria(intake, admin, programmes, case_categories, register_client) -> dict:
    """Maria of Rakitovo, in a household, with everything intake keeps about a person: consent,
    an assessment, an agreement and a draft care plan under it, a case with an overdue follow-up."""
    client = register_client({**MARIA, "new_household_label": "Петрови"})
    url = f"/clients/{client['id']}"
    created(intake.post("/code-lists/suspension_reason", headers=admin,
                        json={"code": "hospital_stay", "names": {"en": "Hospital stay"}}))
    created(intake.post(f"{url}/consents", headers=admin,
                        json={"purpose": "services", "given": True, "decided_on": "2021-07-01"}))
    template = created(intake.post("/assessment-templates", json=TEMPLATE, headers=admin))
    assessment = created(intake.post(f"{url}/assessments", headers=admin, json={
        "template_id": template["id"], "assessed_on": "2021-07-02", "scores": {"self_care": 1}}))
    agreement = created(intake.post(f"{url}/agreements", headers=admin, json={
        "programme": "patronage_plus", "number": "ПГ-017/2021", "signed_on": "2021-07-01",
        "starts_on": "2021-07-05", "ends_on": "2021-10-31"}))
    plan = created(intake.post(f"{url}/care-plans", headers=admin, json={**PLAN, "agreement_id": agreement["id"]}))
    case = created(intake.post("/cases", headers=admin, json={
        "municipality": "BG-RAK", "client_id": client["id"], "origin": "walk_in", "category": "health_access",
        "title": "Няма личен лекар", "description": "Мария Петрова няма личен лекар"}))
    follow_up = created(intake.post(f"/cases/{case['id']}/follow-ups", headers=admin, json={
        "kind": "call", "description": "Обаждане", "due_on": str(sofia_today() - timedelta(days=3))}))
    return {**client, "assessment": assessment["id"], "plan": plan["id"], "case": case["id"],
            "follow_up": follow_up["id"]}


# -- every route that shows personal data writes its row ----------------------------------------------------------

# Each route that shows a client's personal data: how to call it (as the network admin, in this
# order: the plan's moves follow its lifecycle) and what the access log says was read.
Call = Callable[..., httpx.Response]  # (client of the API, maria, headers) -> the answer
SHOWS_PERSONAL_DATA: list[tuple[str, str, str, Call]] = [
    ("GET", "/clients", "client_search", lambda api, m, h: api.get("/clients", headers=h)),
    ("GET", "/clients/{client_id}", "client", lambda api, m, h: api.get(f"/clients/{m['id']}", headers=h)),
    ("PATCH", "/clients/{client_id}", "client",
     lambda api, m, h: api.patch(f"/clients/{m['id']}", json={"preferred_language": "bg"}, headers=h)),
    ("POST", "/clients", "duplicate_candidate",  # the 409 that lists the likely duplicates
     lambda api, m, h: api.post("/clients", json=MARIA, headers=h)),
    ("GET", "/households/{household_id}", "household",
     lambda api, m, h: api.get(f"/households/{m['household_id']}", headers=h)),
    ("GET", "/clients/{client_id}/consents", "consent",
     lambda api, m, h: api.get(f"/clients/{m['id']}/consents", headers=h)),
    ("GET", "/clients/{client_id}/assessments", "assessment",
     lambda api, m, h: api.get(f"/clients/{m['id']}/assessments", headers=h)),
    ("GET", "/clients/{client_id}/assessments/{assessment_id}", "assessment",
     lambda api, m, h: api.get(f"/clients/{m['id']}/assessments/{m['assessment']}", headers=h)),
    ("GET", "/care-plans/{plan_id}", "care_plan", lambda api, m, h: api.get(f"/care-plans/{m['plan']}", headers=h)),
    ("PATCH", "/care-plans/{plan_id}", "care_plan",
     lambda api, m, h: api.patch(f"/care-plans/{m['plan']}", json={"ends_on": "2021-10-30"}, headers=h)),
    ("POST", "/care-plans/{plan_id}/activate", "care_plan",
     lambda api, m, h: api.post(f"/care-plans/{m['plan']}/activate", headers=h)),
    ("POST", "/care-plans/{plan_id}/suspend", "care_plan", lambda api, m, h: api.post(
        f"/care-plans/{m['plan']}/suspend", json={"effective_on": "2021-08-02", "reason": "hospital_stay"},
        headers=h)),
    ("POST", "/care-plans/{plan_id}/resume", "care_plan", lambda api, m, h: api.post(
        f"/care-plans/{m['plan']}/resume", json={"effective_on": "2021-08-16"}, headers=h)),
    ("POST", "/care-plans/{plan_id}/end", "care_plan", lambda api, m, h: api.post(
        f"/care-plans/{m['plan']}/end", json={"effective_on": "2021-10-01", "reason": "cancelled"}, headers=h)),
    ("GET", "/cases", "case", lambda api, m, h: api.get("/cases", headers=h)),
    ("GET", "/cases/{case_id}", "case", lambda api, m, h: api.get(f"/cases/{m['case']}", headers=h)),
    ("PATCH", "/cases/{case_id}", "case",
     lambda api, m, h: api.patch(f"/cases/{m['case']}", json={"priority": "high"}, headers=h)),
    ("POST", "/cases/{case_id}/status", "case",
     lambda api, m, h: api.post(f"/cases/{m['case']}/status", json={"status": "in_progress"}, headers=h)),
    ("GET", "/follow-ups/overdue", "overdue_follow_up", lambda api, m, h: api.get("/follow-ups/overdue", headers=h)),
    ("PATCH", "/cases/{case_id}/follow-ups/{follow_up_id}", "case", lambda api, m, h: api.patch(
        f"/cases/{m['case']}/follow-ups/{m['follow_up']}", json={"done_on": str(sofia_today())}, headers=h)),
    ("GET", "/clients/{client_id}/access-log", "access_log",
     lambda api, m, h: api.get(f"/clients/{m['id']}/access-log", headers=h)),
]

# The routes that show none: why.
SHOWS_NONE = {
    **dict.fromkeys([("POST", "/networks"), ("GET", "/networks"), ("POST", "/municipalities"),
                     ("GET", "/municipalities"), ("GET", "/municipalities/{code}"),
                     ("POST", "/municipalities/{code}/settlements"), ("GET", "/municipalities/{code}/settlements"),
                     ("POST", "/code-lists/{kind}"), ("GET", "/code-lists/{kind}"),
                     ("PATCH", "/code-lists/{kind}/{code}"),
                     ("POST", "/service-types"), ("GET", "/service-types"), ("GET", "/service-types/{code}"),
                     ("PATCH", "/service-types/{code}"), ("POST", "/programmes"), ("GET", "/programmes"),
                     ("GET", "/programmes/{code}"), ("POST", "/assessment-templates"),
                     ("GET", "/assessment-templates"), ("GET", "/assessment-templates/{template_id}")],
                    "the catalogue: nobody's data"),
    **dict.fromkeys([("POST", "/households"), ("POST", "/clients/{client_id}/consents"),
                     ("POST", "/clients/{client_id}/assessments"), ("POST", "/clients/{client_id}/agreements"),
                     ("POST", "/clients/{client_id}/care-plans"), ("POST", "/cases"),
                     ("POST", "/cases/{case_id}/follow-ups")],
                    "answers what the request brought (POST /clients answers it too, but its 409 shows others)"),
    **dict.fromkeys([("GET", "/households"), ("GET", "/clients/{client_id}/agreements"),
                     ("GET", "/clients/{client_id}/agreements/{agreement_id}"), ("GET", "/agreements"),
                     ("GET", "/care-plans")],
                    "ids, codes, numbers and dates (what events carry) and households' labels, no client's "
                    "name, contact or notes"),
    ("GET", "/events"): "the replay feed: the events intake published, ids and codes (a service's token only)",
}


# Routes that show personal data to a service's token, not a person's: each logs its row, as
# its own test shows.
SHOWN_TO_SERVICES = {("GET", "/clients/{client_id}/contact"): "test_contact.py: notifications asks, 'contact' logged",
                     ("POST", "/clients/contacts"): "test_contact.py: for a batch, 'contact' logged per address given"}


def _routes(app) -> set[tuple[str, str]]:
    return {(method, route.path.removeprefix("/v1")) for route in iter_route_contexts(app.router.routes)
            if route.path.startswith("/v1/") for method in route.methods or ()}


def test_every_route_is_known_to_show_personal_data_or_not(intake_runtime):
    """A new route fails here until it is listed: with the row it writes, or with why it shows nothing."""
    logged = {(method, path) for method, path, _, _ in SHOWS_PERSONAL_DATA}
    assert not logged & SHOWS_NONE.keys()
    assert _routes(intake_runtime.app()) == logged | SHOWS_NONE.keys() | SHOWN_TO_SERVICES.keys()


def test_every_route_that_shows_personal_data_writes_a_row(intake, intake_runtime, admin, maria):
    assert reads(intake_runtime.database) == []  # registering and recording shows nothing new
    for method, path, what, call in SHOWS_PERSONAL_DATA:
        answer = call(intake, maria, admin)
        assert answer.status_code == (409 if what == "duplicate_candidate" else 200), (method, path, answer.text)
        assert reads(intake_runtime.database)[-1] == (maria["id"], what, "admin", ["network_admin"]), (method, path)
    assert len(reads(intake_runtime.database)) == len(SHOWS_PERSONAL_DATA)


def test_a_refused_request_writes_no_row(intake, intake_runtime, auth, maria):
    pernik = auth("coordinator", "BG-PER")
    for _, _, _, call in SHOWS_PERSONAL_DATA:
        assert call(intake, maria, pernik).status_code in (200, 403, 404)  # Pernik's lists are empty
    assert reads(intake_runtime.database) == []


def test_a_search_page_writes_a_row_per_client_shown_in_one_insert(intake, intake_runtime, admin, maria,
                                                                    register_client):
    others = [register_client({"municipality": "BG-RAK", "given_name": given, "family_name": family})
              for given, family in (("Иван", "Иванов"), ("Георги", "Георгиев"), ("Петко", "Петков"))]
    inserts = []

    def count(_conn, _cursor, statement, *_):
        if statement.startswith("INSERT INTO access_log"):
            inserts.append(statement)
    event.listen(intake_runtime.database.engine, "before_cursor_execute", count)
    try:
        page = created(intake.get("/clients", params={"limit": 3}, headers=admin))
    finally:
        event.remove(intake_runtime.database.engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    shown = [client["id"] for client in page["items"]]
    assert len(shown) == 3 and {maria["id"], *(o["id"] for o in others)} > set(shown)
    assert sorted(client for client, *_ in reads(intake_runtime.database)) == sorted(shown)


def test_a_household_case_is_read_for_each_member(intake, intake_runtime, admin, maria, register_client):
    son = register_client({"municipality": "BG-RAK", "given_name": "Петър", "family_name": "Петров",
                           "household_id": maria["household_id"]})
    case = created(intake.post("/cases", headers=admin, json={
        "municipality": "BG-RAK", "household_id": maria["household_id"], "origin": "walk_in",
        "category": "health_access", "title": "Няма ток"}))
    created(intake.get(f"/cases/{case['id']}", headers=admin))
    assert sorted(client for client, *_ in reads(intake_runtime.database)) == sorted([maria["id"], son["id"]])


def test_no_row_no_data(intake, intake_runtime, admin, maria):
    """When the row cannot be written, the answer is an error that shows nothing."""
    with intake_runtime.database.transaction() as session:
        session.execute(text("DROP TABLE access_log"))
    for path in (f"/clients/{maria['id']}", "/clients", f"/cases/{maria['case']}"):
        answer = intake.get(path, headers=admin)
        assert answer.status_code >= 500
        assert "Мария" not in answer.text and "Петрова" not in answer.text and "лекар" not in answer.text


def test_simultaneous_reads_each_write_their_row(served_service, intake_runtime, admin, maria):
    """Reads that write take turns like every write (SQLite's one writer), and none is lost."""
    url = f"{served_service('intake')}/clients/{maria['id']}"
    with httpx.Client(timeout=60) as http:
        answers = at_once([lambda: http.get(url, headers=admin) for _ in range(20)])
    assert [a.status_code for a in answers] == [200] * 20
    assert len(reads(intake_runtime.database, maria["id"])) == 20


# -- the data-protection officer ------------------------------------------------------------------------------


@pytest.fixture
def dpo(auth):
    return auth("data_protection_officer", "BG-RAK", subject="dpo-rak")


def test_the_data_protection_officer_reads_who_read_a_person_newest_first(intake, auth, dpo, maria,
                                                                          register_client):
    other = register_client({"municipality": "BG-RAK", "given_name": "Иван", "family_name": "Иванов"})
    mediator, coordinator = auth("worker", "BG-RAK", subject="mediator-7"), auth("coordinator", "BG-RAK",
                                                                                   subject="coord-1")
    created(intake.get(f"/clients/{maria['id']}", headers=mediator))
    created(intake.get(f"/clients/{maria['id']}/assessments", headers=coordinator))
    created(intake.get(f"/clients/{other['id']}", headers=coordinator))
    page = created(intake.get(f"/clients/{maria['id']}/access-log", headers=dpo))
    assert page["total"] == 2
    assert [(r["reader"], r["roles"], r["what"]) for r in page["items"]] == [
        ("coord-1", ["coordinator"], "assessment"), ("mediator-7", ["worker"], "client")]
    assert page["items"][0]["read_at"] >= page["items"][1]["read_at"]
    again = created(intake.get(f"/clients/{maria['id']}/access-log", params={"limit": 1}, headers=dpo))
    assert [(r["reader"], r["what"]) for r in again["items"]] == [("dpo-rak", "access_log")]  # reading it is a read
    assert again["total"] == 3 and again["next"] is not None


def test_the_access_log_is_filtered_by_period(intake, intake_runtime, dpo, maria):
    with intake_runtime.database.transaction() as session:
        session.add_all([AccessRecord(client_id=uuid.UUID(maria["id"]), read_at=datetime(2025, 3, day, tzinfo=UTC),
                                      reader=f"reader-{day}", roles=["coordinator"], what="client")
                         for day in (1, 15, 31)])
    march = {"read_from": "2025-03-10T00:00:00Z", "read_to": "2025-03-31T00:00:00Z"}
    page = created(intake.get(f"/clients/{maria['id']}/access-log", params=march, headers=dpo))
    assert [r["reader"] for r in page["items"]] == ["reader-15"]
    since = created(intake.get(f"/clients/{maria['id']}/access-log", headers=dpo,
                               params={"read_from": "2025-03-01T00:00:00+00:00"}))
    assert [r["reader"] for r in since["items"]][-3:] == ["reader-31", "reader-15", "reader-1"]
    for bad in ({"read_from": "2025-03-10"}, {"read_from": "2025-03-10T00:00:00"},  # a moment, with its zone
                {"read_from": "2025-03-10T00:00:00Z", "read_to": "2025-03-01T00:00:00Z"}):
        field = "query.read_to" if "read_to" in bad else "query.read_from"
        assert_problem(intake.get(f"/clients/{maria['id']}/access-log", params=bad, headers=dpo), 422, field)


@pytest.mark.parametrize("role", ["coordinator", "expert", "worker", "analyst"])
def test_only_the_data_protection_officer_and_the_network_admin_read_the_log(intake, auth, maria, role):
    assert intake.get(f"/clients/{maria['id']}/access-log", headers=auth(role, "BG-RAK")).status_code == 403


def test_a_data_protection_officer_reads_their_municipalities_only(intake, intake_runtime, auth, maria):
    answer = intake.get(f"/clients/{maria['id']}/access-log", headers=auth("data_protection_officer", "BG-PER"))
    assert answer.status_code == 404
    assert intake.get(f"/clients/{uuid.uuid4()}/access-log",
                      headers=auth("data_protection_officer", "*")).status_code == 404
    assert reads(intake_runtime.database) == []


def test_the_data_protection_officer_reads_no_personal_data(intake, dpo, maria):
    for path in (f"/clients/{maria['id']}", "/clients", f"/cases/{maria['case']}", "/follow-ups/overdue"):
        assert intake.get(path, headers=dpo).status_code == 403
