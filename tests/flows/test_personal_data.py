"""Personal data never leaks through errors. A canary person (names, phone, address and
case notes found nowhere else) is registered in intake; then every failure path the API
can be driven into is forced with the canary's data at hand: a 422 with the canary inside
the invalid body, 409s other than the duplicate-candidates answer (which lists candidates
on purpose, to a caller allowed to read them), a 500 whose exception quotes the canary, a
database error that quotes it (PostgreSQL does), a broken constraint, a 503 and a 413.
No canary text may appear in an answer, nor in the log: every record at DEBUG, as the
JSON lines of shared/logging.py write it, traceback included. The consumer's dead letters
and log are checked the same way."""
from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from services.intake.clients import service as clients
from services.intake.models import Client
from shared.events.scheduling import VisitCompleted
from shared.logging import JsonFormatter
from shared.messaging.consumer import RetryPolicy
from shared.messaging.outbox import record_event
from shared.testing import created, until
from tests.intake.data import NNHM, RAKITOVO


@dataclass(frozen=True)
class Canary:
    given_name: str
    family_name: str
    phone: str  # as typed; stored as E.164
    address: str
    notes: str

    @classmethod
    def new(cls) -> Canary:
        tag, digits = secrets.token_hex(4), f"{secrets.randbelow(10 ** 7):07d}"
        return cls(f"Канарина{tag}", f"Пеева{tag}", f"088 {digits}", f"ул. Канарска {tag}", f"бележка {tag}")

    @property
    def texts(self) -> list[str]:
        """Every piece to look for: the phone also as its digits, in any spelling."""
        return [self.given_name, self.family_name, self.address, self.notes, self.phone.split()[1]]

    def found_in(self, text: str) -> list[str]:
        return [piece for piece in self.texts if piece in text]


@pytest.fixture
def canary() -> Canary:
    return Canary.new()


@pytest.fixture
def log(caplog) -> Callable[[], str]:
    """Everything logged at DEBUG and above, as the JSON formatter writes it."""
    caplog.set_level(logging.DEBUG)
    formatter = JsonFormatter("intake")
    return lambda: "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def http(served_service):
    with httpx.Client(base_url=served_service("intake"), timeout=60) as client:
        yield client


@pytest.fixture
def person(http, admin, canary) -> dict:
    """The canary, registered in Rakitovo, with a case whose notes are the canary's."""
    for path, body in (("/networks", NNHM), ("/municipalities", RAKITOVO),
                       ("/code-lists/case_category", {"code": "health_access", "names": {"bg": "Здраве"}})):
        created(http.post(path, json=body, headers=admin))
    client = created(http.post("/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": canary.given_name, "family_name": canary.family_name,
        "phone": canary.phone, "address": canary.address}))
    case = created(http.post("/cases", headers=admin, json={
        "municipality": "BG-RAK", "client_id": client["id"], "origin": "walk_in", "category": "health_access",
        "title": "Няма личен лекар", "description": canary.notes}))
    return {"client": client, "case": case}


def _assert_no_canary(canary: Canary, log: str, answers: list[httpx.Response]) -> None:
    for answer in answers:
        assert not canary.found_in(answer.text), (answer.status_code, answer.text)
    assert not canary.found_in(log), [line for line in log.splitlines() if canary.found_in(line)]


def _failing_update(monkeypatch, failure: Callable[..., None]) -> None:
    """``PATCH /clients/{id}`` runs ``failure(client, session)`` in place of the change."""
    def update_client(client: Client, _data, *, session, **_):
        failure(client, session)
        return client
    monkeypatch.setattr(clients, "update_client", update_client)


def test_no_error_answer_or_log_line_shows_personal_data(http, admin, canary, person, log, monkeypatch, backend):
    client_url, case_url = f"/clients/{person['client']['id']}", f"/cases/{person['case']['id']}"
    errors = []

    def expect(status: int, answer: httpx.Response) -> None:
        assert answer.status_code == status, answer.text
        if status >= 400:
            errors.append(answer)

    # 422: the canary inside invalid bodies, a body that is not JSON, a bad query.
    expect(422, http.post("/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": canary.given_name, "family_name": [canary.family_name],
        "phone": f"tel. {canary.phone}", "birth_date": canary.notes, "email": canary.address, "sex": canary.notes,
        "address": {"street": canary.address}, "location": canary.address}))
    expect(422, http.patch(client_url, headers=admin, json={"phone": f"+1 {canary.phone}", "status": canary.notes}))
    expect(422, http.post("/clients", headers={**admin, "Content-Type": "application/json"},
                          content=f'{{"given_name": "{canary.given_name}", "address": "{canary.address}'))
    expect(422, http.get("/clients", headers=admin, params={"q": canary.family_name, "limit": canary.given_name}))
    # 409: a move the case's lifecycle refuses.
    expect(200, http.post(f"{case_url}/status", headers=admin, json={"status": "closed", "note": canary.notes}))
    expect(409, http.post(f"{case_url}/status", headers=admin, json={"status": "in_progress", "note": canary.notes}))
    # 413: a body over the limit, full of the canary.
    expect(413, http.post("/clients", headers=admin, json={"given_name": canary.given_name * 100_000}))

    # 500: an exception that quotes the canary.
    def quoting_bug(client: Client, _session) -> None:
        raise RuntimeError(f"cannot update {client.given_name} {client.family_name}, {client.phone}, {client.address}")
    _failing_update(monkeypatch, quoting_bug)
    expect(500, http.patch(client_url, headers=admin, json={}))

    # 500 on PostgreSQL: its error text quotes the value (invalid input syntax for type uuid: "...").
    def quoted_by_the_database(client: Client, session) -> None:
        session.execute(text("SELECT CAST(:value AS uuid)"), {"value": client.given_name})
    _failing_update(monkeypatch, quoted_by_the_database)
    expect(500 if backend == "postgresql" else 200, http.patch(client_url, headers=admin, json={}))

    # 409: a broken constraint (PostgreSQL's detail quotes the failing row).
    def broken_constraint(client: Client, session) -> None:
        session.add(Client(municipality_code=client.municipality_code, given_name=client.given_name,
                           family_name=client.family_name, phone=client.phone, address=client.address,
                           preferred_language=None))
        session.flush()
    _failing_update(monkeypatch, broken_constraint)
    expect(409, http.patch(client_url, headers=admin, json={}))

    # 503: the database went away in the middle of a statement that carried the canary.
    def database_away(client: Client, _session) -> None:
        raise OperationalError("UPDATE client SET address=%(address)s", {"address": client.address},
                               ConnectionError(f"server closed the connection while writing {client.address}"))
    _failing_update(monkeypatch, database_away)
    expect(503, http.patch(client_url, headers=admin, json={}))

    _assert_no_canary(canary, log(), errors)


def test_a_failing_event_leaves_no_personal_data_in_its_dead_letter_or_the_log(
        service_runtime, canary, person, log, monkeypatch):
    runtime = service_runtime("intake")

    def quoting_bug(event, *, session) -> None:
        client = session.get(Client, event.client_id)
        raise RuntimeError(f"no case for {client.given_name} {client.family_name} at {client.address}")
    monkeypatch.setattr("services.intake.handlers.add_case_for_visit", quoting_bug)
    consumer = runtime.consumer()
    consumer.policy = RetryPolicy(max_attempts=2, delays=(0.01,))
    consumer.declare()
    _report_a_concern(runtime, person["client"]["id"])
    until(lambda: consumer.broker.dead_letters("intake") != [], step=consumer.process_batch)
    assert not canary.found_in(repr(consumer.broker.dead_letters("intake")))
    _assert_no_canary(canary, log(), [])


def _report_a_concern(runtime, client_id: str) -> None:
    """A visit with a concern, as scheduling would publish it (ids and codes only)."""
    started = datetime.now(UTC) - timedelta(hours=1)
    event = VisitCompleted(visit_id=uuid.uuid4(), client_id=client_id, municipality="BG-RAK",
                           service_type="home_help", staff_id="helper-1", started_at=started,
                           ended_at=started + timedelta(minutes=50), concern_raised=True)
    with runtime.database.transaction() as session:
        record_event(session, event, subject=str(event.visit_id), municipality="BG-RAK")
    runtime.relay().publish_batch()
