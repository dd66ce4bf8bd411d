"""A visit that raised a concern opens one case: the handler alone, then behind
the real consumer on both transports (in-process bus + SQLite, RabbitMQ + PostgreSQL)."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services.intake.handlers import on_visit_completed, registry
from services.intake.models import Case
from shared.events import Envelope
from shared.events.scheduling import VisitCompleted
from shared.messaging.broker import Message
from shared.messaging.consumer import Consumer, RetryPolicy
from shared.messaging.tables import inbox
from shared.testing import until
from tests.intake.data import FATME

OPENED = "intake.case.opened.v1"


@pytest.fixture
def client_id(register_municipalities, case_categories, register_client) -> uuid.UUID:
    register_municipalities("BG-MTR")
    return uuid.UUID(register_client(FATME)["id"])


def visit(client_id, **overrides) -> VisitCompleted:
    started = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    fields = {"visit_id": uuid.uuid4(), "client_id": client_id, "municipality": "BG-MTR",
              "service_type": "patronage", "staff_id": "mediator-ivanova", "started_at": started,
              "ended_at": started + timedelta(hours=1), "concern_raised": True, "concern_category": "health_access",
              "concern_priority": "high"}
    return VisitCompleted(**{**fields, **overrides})


def cases(database) -> list[Case]:
    with database.unit_of_work() as session:
        return list(session.scalars(select(Case)))


def handle(database, event: VisitCompleted, *, commit: bool = True) -> None:
    envelope = Envelope.wrap(event, subject=str(event.visit_id), municipality=event.municipality)
    with database.unit_of_work() as session:
        on_visit_completed(event, envelope, session=session)
        if commit:
            session.commit()


# -- the handler alone ---------------------------------------------------------------


def test_a_concern_opens_a_case_linked_to_the_visit_once(intake_runtime, client_id, published):
    database = intake_runtime.database
    event = visit(client_id)
    handle(database, event)
    handle(database, event)  # delivered again, even past the inbox

    [case] = cases(database)
    assert (case.client_id, case.municipality_code, case.origin, case.origin_ref) == (
        client_id, "BG-MTR", "visit", event.visit_id)
    assert (case.category_code, case.priority, case.status, case.opened_by, case.assignee) == (
        "health_access", "high", "open", "scheduling", "mediator-ivanova")
    [opened] = published(OPENED)
    assert opened["data"]["origin_ref"] == str(event.visit_id)
    assert "Ахмедова" not in json.dumps(opened, ensure_ascii=False)


def test_twice_in_one_transaction_is_still_one_case(intake_runtime, client_id):
    """The consumer applies a batch in one session: the second call sees the first, unflushed."""
    event = visit(client_id)
    envelope = Envelope.wrap(event)
    with intake_runtime.database.unit_of_work() as session:
        on_visit_completed(event, envelope, session=session)
        on_visit_completed(event, envelope, session=session)
        session.commit()
    assert len(cases(intake_runtime.database)) == 1


def test_the_handler_leaves_committing_to_the_consumer(intake_runtime, client_id, published):
    handle(intake_runtime.database, visit(client_id), commit=False)
    assert cases(intake_runtime.database) == []
    assert published(OPENED) == []


def test_a_visit_without_a_concern_opens_nothing(intake_runtime, client_id):
    handle(intake_runtime.database, visit(client_id, concern_raised=False))
    assert cases(intake_runtime.database) == []


@pytest.mark.parametrize("category", [None, "no_such_category"])
def test_an_absent_or_unknown_category_files_the_case_under_other(intake_runtime, client_id, category):
    handle(intake_runtime.database, visit(client_id, concern_category=category, concern_priority="urgent"))
    [case] = cases(intake_runtime.database)
    assert (case.category_code, case.priority) == ("other", "urgent")
    if category:
        assert category in case.description  # so that a coordinator can re-file it


def test_a_visit_of_a_client_intake_does_not_know_is_skipped_without_failing(intake_runtime, client_id):
    handle(intake_runtime.database, visit(uuid.uuid4()))
    assert cases(intake_runtime.database) == []


def test_the_case_shows_in_the_api_for_the_municipality(intake, intake_runtime, client_id, auth):
    event = visit(client_id)
    handle(intake_runtime.database, event)
    listed = intake.get("/cases?municipality=BG-MTR", headers=auth("coordinator", "BG-MTR")).json()
    assert [(c["origin"], c["origin_ref"], c["opened_by"]) for c in listed["items"]] == [
        ("visit", str(event.visit_id), "scheduling")]
    assert intake.get("/cases", headers=auth("coordinator", "BG-BGS")).json()["total"] == 0


# -- behind the real consumer, on both transports --------------------------------------


def test_the_consumer_opens_one_case_when_the_event_comes_twice(intake_runtime, client_id, brokers, published):
    database = intake_runtime.database
    consumer = Consumer(name="intake", database=database, broker=brokers(), handlers=registry,
                        policy=RetryPolicy(max_attempts=2, delays=(0.05,)), batch_wait=0.01, idle_wait=0.05)
    consumer.declare()
    publisher = brokers()
    event = visit(client_id)
    envelope = Envelope.wrap(event, subject=str(event.visit_id), municipality="BG-MTR")
    message = Message(envelope.id, envelope.type, envelope.to_json())
    # The same event id twice (a relay that crashed before marking it sent), then a second
    # report of the same visit under a new event id, which the inbox cannot recognise.
    again = Envelope.wrap(event, subject=str(event.visit_id), municipality="BG-MTR")
    unrelated = Envelope.wrap(visit(client_id, concern_raised=False))
    for messages in ([message], [message], [Message(again.id, again.type, again.to_json())],
                     [Message(unrelated.id, unrelated.type, unrelated.to_json())]):
        assert publisher.publish(messages) == set()

    def all_seen() -> bool:
        with database.unit_of_work() as session:
            return session.scalar(select(func.count()).select_from(inbox)) == 3

    until(all_seen, step=consumer.process_batch, timeout=20)
    for _ in range(3):
        consumer.process_batch()

    [case] = cases(database)
    assert (case.origin_ref, case.category_code) == (event.visit_id, "health_access")
    assert len(published(OPENED)) == 1
    assert publisher.dead_letters("intake") == []
