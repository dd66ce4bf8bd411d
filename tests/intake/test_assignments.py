"""Who a worker reads, on SQLite and PostgreSQL: their municipality's clients until scheduling
knows assignments there (its first ``scheduling.client.assigned|unassigned.v1`` event), then only
the clients they serve, in every read of clients; everyone else reads as before. The replica of
assignments takes events replayed and out of order."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.intake.handlers import registry
from services.intake.models import AssignmentsKnown, ClientAssignment
from shared.auth import issue_token
from shared.events import Envelope
from shared.events.scheduling import ClientAssigned, ClientUnassigned
from shared.messaging.broker import Message
from shared.messaging.consumer import Consumer, RetryPolicy
from shared.messaging.tables import inbox
from shared.testing import created, make_settings, until
from tests.intake.data import MARIA, STEFAN

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
MEDIATOR = "mediator-7"
STOYAN = {"municipality": "BG-RAK", "given_name": "Стоян", "family_name": "Стоянов"}


def envelope(kind: type[ClientAssigned | ClientUnassigned], client_id: str, *, at: datetime,
             staff_id: str = MEDIATOR, municipality: str = "BG-RAK") -> Envelope:
    """The event as scheduling publishes it, sent at ``at``."""
    event = kind(client_id=client_id, municipality=municipality, staff_id=staff_id)
    return Envelope.wrap(event, subject=client_id, municipality=municipality).model_copy(update={"time": at})


def deliver(database, *envelopes: Envelope) -> None:
    """Each envelope applied in its own transaction, as the consumer would."""
    for each in envelopes:
        with database.transaction() as session:
            registry.dispatch(each, session=session)


@pytest.fixture
def people(intake, admin, programmes, case_categories, register_client) -> dict:
    """Maria and Stoyan of Rakitovo in one household, each with a case (an overdue follow-up) and a
    draft care plan; Stefan of Pernik."""
    household = created(intake.post("/households", json={"municipality": "BG-RAK", "label": "Петрови"},
                                     headers=admin))["id"]
    people = {"maria": register_client({**MARIA, "household_id": household}),
              "stoyan": register_client({**STOYAN, "household_id": household}),
              "stefan": register_client(STEFAN)}
    due = str(datetime.now(UTC).date() - timedelta(days=5))
    for person in people.values():
        case = created(intake.post("/cases", headers=admin, json={
            "municipality": person["municipality"], "client_id": person["id"], "origin": "walk_in",
            "category": "health_access", "title": f"Казус на {person['given_name']}"}))
        created(intake.post(f"/cases/{case['id']}/follow-ups", headers=admin,
                            json={"kind": "call", "description": "Обаждане", "due_on": due}))
        plan = created(intake.post(f"/clients/{person['id']}/care-plans", headers=admin, json={
            "starts_on": "2021-07-05", "lines": [{"service_type": "phone_friend" if person is not people["stefan"]
                                                  else "counselling", "per_week": 2}]}))
        person.update(case=case["id"], plan=plan["id"])
    return {"household": household, **people}


@pytest.fixture
def mediator(auth) -> dict:
    """A health mediator who works in Rakitovo and Pernik."""
    return auth("worker", "BG-RAK", "BG-PER", subject=MEDIATOR)


def names(intake, path: str, headers: dict) -> list[str]:
    return sorted(c["given_name"] for c in created(intake.get(path, headers=headers))["items"])


def reads_in_full(intake, person: dict, headers: dict) -> bool:
    """Whether every read of the person answers (else each is a 404, none shows anything)."""
    paths = [f"/clients/{person['id']}", f"/clients/{person['id']}/consents",
             f"/clients/{person['id']}/assessments", f"/clients/{person['id']}/agreements",
             f"/cases/{person['case']}", f"/care-plans/{person['plan']}"]
    statuses = {intake.get(path, headers=headers).status_code for path in paths}
    assert statuses in ({200}, {404}), statuses
    return statuses == {200}


def listed(intake, headers: dict) -> dict[str, list]:
    """Who each list shows: clients by name, cases by title, plans and overdue follow-ups by client."""
    return {"clients": names(intake, "/clients", headers),
            "search": names(intake, "/clients?q=Стоян", headers),
            "cases": sorted(c["title"] for c in created(intake.get("/cases", headers=headers))["items"]),
            "plans": len(created(intake.get("/care-plans", headers=headers))["items"]),
            "overdue": sorted(f["client_name"] for f in created(intake.get("/follow-ups/overdue",
                                                                           headers=headers))["items"])}


def test_until_scheduling_knows_assignments_a_worker_reads_their_municipalities(intake, people, mediator):
    assert listed(intake, mediator) == {
        "clients": ["Мария", "Стефан", "Стоян"], "search": ["Стоян"],
        "cases": ["Казус на Мария", "Казус на Стефан", "Казус на Стоян"], "plans": 3,
        "overdue": ["Мария Петрова", "Стефан Николов", "Стоян Стоянов"]}
    assert all(reads_in_full(intake, people[key], mediator) for key in ("maria", "stoyan", "stefan"))


def test_once_assignments_are_known_a_worker_reads_only_the_clients_they_serve(
        intake, intake_runtime, people, mediator):
    deliver(intake_runtime.database, envelope(ClientAssigned, people["maria"]["id"], at=T0))
    assert listed(intake, mediator) == {  # Pernik: no assignments known there yet
        "clients": ["Мария", "Стефан"], "search": [],
        "cases": ["Казус на Мария", "Казус на Стефан"], "plans": 2,
        "overdue": ["Мария Петрова", "Стефан Николов"]}
    assert reads_in_full(intake, people["maria"], mediator) and reads_in_full(intake, people["stefan"], mediator)
    assert not reads_in_full(intake, people["stoyan"], mediator)
    household = created(intake.get(f"/households/{people['household']}", headers=mediator))
    assert [m["given_name"] for m in household["members"]] == ["Мария"]
    answer = intake.get(f"/clients/{people['stoyan']['id']}", headers=mediator)
    assert answer.status_code == 404 and "Стоян" not in answer.text


def test_a_household_case_is_read_by_who_serves_a_member(intake, intake_runtime, admin, people, mediator):
    case = created(intake.post("/cases", headers=admin, json={
        "municipality": "BG-RAK", "household_id": people["household"], "origin": "walk_in",
        "category": "health_access", "title": "Казус на домакинството"}))
    deliver(intake_runtime.database, envelope(ClientAssigned, people["stoyan"]["id"], at=T0))
    assert intake.get(f"/cases/{case['id']}", headers=mediator).status_code == 200
    deliver(intake_runtime.database, envelope(ClientUnassigned, people["stoyan"]["id"], at=T0 + timedelta(hours=1)))
    assert intake.get(f"/cases/{case['id']}", headers=mediator).status_code == 404


@pytest.mark.parametrize("roles", [["coordinator"], ["expert"], ["network_admin"], ["worker", "coordinator"]])
def test_everyone_else_reads_every_client_of_their_municipalities(intake, intake_runtime, people, roles):
    deliver(intake_runtime.database, envelope(ClientAssigned, people["maria"]["id"], at=T0))
    token = issue_token(make_settings(), roles=roles, municipalities=["BG-RAK", "BG-PER"], subject=MEDIATOR)
    headers = {"Authorization": f"Bearer {token}"}
    assert names(intake, "/clients", headers) == ["Мария", "Стефан", "Стоян"]
    assert reads_in_full(intake, people["stoyan"], headers)


def test_unassigned_the_worker_reads_the_client_no_more(intake, intake_runtime, people, mediator):
    maria = people["maria"]["id"]
    deliver(intake_runtime.database, envelope(ClientAssigned, maria, at=T0),
            envelope(ClientUnassigned, maria, at=T0 + timedelta(days=30)))
    assert names(intake, "/clients?municipality=BG-RAK", mediator) == []  # the municipality stays known
    assert not reads_in_full(intake, people["maria"], mediator)


def test_replayed_and_late_events_change_nothing(intake, intake_runtime, people, mediator):
    database, maria, stoyan = intake_runtime.database, people["maria"]["id"], people["stoyan"]["id"]
    assigned = envelope(ClientAssigned, maria, at=T0 + timedelta(hours=2))
    deliver(database, assigned, assigned,  # the same event twice, even past the inbox
            envelope(ClientUnassigned, maria, at=T0 + timedelta(hours=1)))  # older, delivered late
    deliver(database, envelope(ClientUnassigned, stoyan, at=T0 + timedelta(hours=3)),
            envelope(ClientAssigned, stoyan, at=T0 + timedelta(hours=2)))  # older, delivered late
    assert names(intake, "/clients?municipality=BG-RAK", mediator) == ["Мария"]
    with database.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ClientAssignment)) == 2
        assert session.scalar(select(AssignmentsKnown.since)) == T0 + timedelta(hours=2)  # the first to arrive


def test_a_worker_reads_the_families_they_register_until_scheduling_assigns_them(
        intake, intake_runtime, auth, people, mediator):
    deliver(intake_runtime.database, envelope(ClientAssigned, people["maria"]["id"], at=T0))
    found = created(intake.post("/clients", headers=mediator, json={
        "municipality": "BG-RAK", "given_name": "Фатме", "family_name": "Юсеинова", "birth_date": "1990-04-02"}))
    assert found["registered_by"] == MEDIATOR
    assert created(intake.get(f"/clients/{found['id']}", headers=mediator))["given_name"] == "Фатме"
    assert names(intake, "/clients?municipality=BG-RAK", mediator) == ["Мария", "Фатме"]
    assert intake.get(f"/clients/{found['id']}", headers=auth("worker", "BG-RAK")).status_code == 404
    deliver(intake_runtime.database, envelope(ClientAssigned, found["id"], staff_id="mediator-8", at=T0))
    assert intake.get(f"/clients/{found['id']}", headers=mediator).status_code == 404
    assert intake.get(f"/clients/{found['id']}", headers=auth("worker", "BG-RAK", subject="mediator-8")).json()[
        "given_name"] == "Фатме"


# -- behind the real consumer, on both transports --------------------------------------


def test_the_consumer_keeps_assignments_from_scheduling(intake, intake_runtime, people, mediator, brokers):
    database = intake_runtime.database
    consumer = Consumer(name="intake", database=database, broker=brokers(), handlers=registry,
                        policy=RetryPolicy(max_attempts=2, delays=(0.05,)), batch_wait=0.01, idle_wait=0.05)
    consumer.declare()
    publisher = brokers()
    maria, stoyan = people["maria"]["id"], people["stoyan"]["id"]
    sent = [envelope(ClientAssigned, maria, at=T0), envelope(ClientAssigned, stoyan, at=T0),
            envelope(ClientUnassigned, stoyan, at=T0 + timedelta(minutes=5))]
    for each in [*sent, sent[0]]:  # the first again: a relay that crashed before marking it sent
        assert publisher.publish([Message(each.id, each.type, each.to_json())]) == set()

    def all_seen() -> bool:
        with database.unit_of_work(write=False) as session:
            return session.scalar(select(func.count()).select_from(inbox)) == len(sent)

    until(all_seen, step=consumer.process_batch, timeout=20)
    assert names(intake, "/clients?municipality=BG-RAK", mediator) == ["Мария"]
    assert publisher.dead_letters("intake") == []


def test_an_assignment_of_a_client_intake_does_not_know_is_kept_without_failing(intake, intake_runtime, people,
                                                                                mediator):
    deliver(intake_runtime.database, envelope(ClientAssigned, str(uuid.uuid4()), at=T0))
    assert names(intake, "/clients?municipality=BG-RAK", mediator) == []
