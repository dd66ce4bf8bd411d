"""Scheduling reports a visit with a concern; intake opens one case for it,
through the outbox, relay, bus and consumer of the embedded system."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.intake.models import CodeListEntry
from shared.events.scheduling import VisitCompleted
from shared.messaging.broker import Message
from shared.messaging.outbox import record_event
from shared.messaging.tables import outbox
from shared.testing import until

MALKO_TARNOVO = {"code": "BG-MTR", "name": "Малко Търново", "language": "bg", "timezone": "Europe/Sofia"}


def _report_visit(system, client_id: str, **overrides):
    """What scheduling does when a mediator completes a visit: an event in its outbox."""
    started = datetime.now(UTC) - timedelta(hours=2)
    event = VisitCompleted(**{
        "visit_id": uuid.uuid4(), "client_id": client_id, "municipality": "BG-MTR", "service_type": "patronage",
        "staff_id": "mediator-ivanova", "started_at": started, "ended_at": started + timedelta(hours=1),
        "concern_raised": True, "concern_category": "health_access", "concern_priority": "urgent", **overrides})
    with system.runtimes["scheduling"].database.unit_of_work() as session:
        envelope = record_event(session, event, subject=str(event.visit_id), municipality="BG-MTR")
        session.commit()
    return event, envelope


def test_a_visit_concern_opens_one_case_even_when_delivered_twice(api, auth, system):
    admin = auth("network_admin", "*")
    assert api.post("/intake/v1/municipalities", json=MALKO_TARNOVO, headers=admin).status_code == 201
    with system.runtimes["intake"].database.unit_of_work() as session:
        session.add(CodeListEntry(kind="case_category", code="health_access", names={"bg": "Здраве"}))
        session.commit()
    client = api.post("/intake/v1/clients", headers=admin,
                      json={"municipality": "BG-MTR", "given_name": "Фатме", "family_name": "Ахмедова"}).json()
    coordinator = auth("coordinator", "BG-MTR")

    def cases() -> list[dict]:
        return api.get("/intake/v1/cases", headers=coordinator).json()["items"]

    event, envelope = _report_visit(system, client["id"])
    until(lambda: len(cases()) == 1, timeout=10)
    [case] = cases()
    assert (case["origin"], case["origin_ref"], case["category"], case["priority"], case["opened_by"]) == (
        "visit", str(event.visit_id), "health_access", "urgent", "scheduling")

    # The same envelope once more on the bus, then a later visit: once that one's case is
    # there, the duplicate before it has been consumed.
    with system.runtimes["scheduling"].database.unit_of_work() as session:
        body = session.scalar(select(outbox.c.body).where(outbox.c.event_id == envelope.id))
    duplicate = Message(envelope.id, envelope.type, body.encode())
    assert system.runtimes["scheduling"].brokers().publish([duplicate]) == set()
    later, _ = _report_visit(system, client["id"], concern_category=None, concern_priority="normal")
    until(lambda: len(cases()) == 2, timeout=10)

    by_visit = {c["origin_ref"]: c for c in cases()}
    assert set(by_visit) == {str(event.visit_id), str(later.visit_id)}
    assert by_visit[str(later.visit_id)]["category"] == "other"  # no category reported
    assert system.runtimes["intake"].brokers().dead_letters("intake") == []
    detail = api.get(f"/intake/v1/cases/{case['id']}", headers=coordinator).json()
    assert detail["follow_ups"] == [] and detail["status"] == "open"
