"""What people do with notifications through its API, on SQLite and PostgreSQL: the call list
and its outcomes, escalations taken and resolved, the inbox, messages listed and resent,
the SMS provider's signed receipts, quiet hours and preferences refused when malformed."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from services.notifications.channels import ChannelError, Outgoing, Sent
from services.notifications.channels.lists import CallListChannel, InboxChannel
from services.notifications.channels.sms import receipt_signature
from services.notifications.messages import service as messages
from services.notifications.messages.service import Draft
from shared import testing
from shared.events.scheduling import VisitMissed
from shared.settings import get_settings
from shared.testing import assert_problem
from tests.notifications.conftest import CLIENT, deliver
from tests.notifications.test_rules import messages_of

NOW = datetime.now(UTC)
CHANNELS = {"call": CallListChannel(testing.make_settings()), "inbox": InboxChannel(testing.make_settings())}


class Texting:
    kind, needs_address = "sms", True

    def send(self, message: Outgoing) -> Sent:
        return Sent(provider_id=f"SM-{message.message_id}")


def send_all(database, channels=CHANNELS) -> None:
    for message in messages_of(database, status="queued"):
        with database.transaction() as session:
            messages.send(message.id, now=datetime.now(UTC), channels=channels, address=lambda m: "+359888100201",
                          session=session)


@pytest.fixture
def missed(awake, monkeypatch):
    database = awake
    monkeypatch.setattr(get_settings(), "staff_channel", "inbox")  # as when distributed (embedded: the log)
    event = VisitMissed(visit_id=uuid.uuid4(), client_id=CLIENT, municipality="BG-RAK", service_type="home_help",
                        staff_id="helper-1", starts_at=NOW - timedelta(hours=2), reason="not_checked_in")
    deliver(database, event)
    send_all(database)
    return event


def test_a_call_on_the_list_is_made_once_and_closes_with_its_outcome(notifications, missed, auth):
    coordinator = auth("coordinator", "BG-RAK", subject="coord-1")
    [call] = notifications.get("/calls", headers=coordinator).json()["items"]
    assert call["kind"] == "missed_visit_call" and "не се състоя" in call["body"]
    assert notifications.get("/calls", headers=auth("coordinator", "PL-PLO")).json()["items"] == []
    done = notifications.post(f"/calls/{call['id']}/outcome", headers=coordinator, json={"outcome": "reached"})
    assert (done.status_code, done.json()["status"], done.json()["outcome"]) == (200, "delivered", "reached")
    again = notifications.post(f"/calls/{call['id']}/outcome", headers=coordinator, json={"outcome": "no_answer"})
    assert_problem(again, 409, "outcome")
    assert_problem(notifications.post(f"/calls/{call['id']}/outcome", headers=coordinator,
                                      json={"outcome": "maybe"}), 422, "outcome")
    assert notifications.get("/calls", headers=coordinator).json()["items"] == []


def test_an_escalation_is_listed_taken_and_resolved(notifications, missed, auth):
    coordinator = auth("coordinator", "BG-RAK", subject="coord-1")
    [escalation] = notifications.get("/escalations", headers=coordinator, params={"status": "open"}).json()["items"]
    assert (escalation["kind"], escalation["about"]) == ("visit_missed", f"visit:{missed.visit_id}")
    path = f"/escalations/{escalation['id']}"
    taken = notifications.post(path, headers=coordinator, json={"action": "acknowledge"})
    assert (taken.json()["status"], taken.json()["handled_by"]) == ("acknowledged", "coord-1")
    assert notifications.post(path, headers=coordinator, json={"action": "resolve"}).json()["status"] == "resolved"
    assert_problem(notifications.post(path, headers=coordinator, json={"action": "acknowledge"}), 409)
    assert_problem(notifications.post(path, headers=auth("coordinator", "PL-PLO"), json={"action": "resolve"}), 404)
    assert_problem(notifications.get("/escalations", headers=auth("worker", "BG-RAK")), 403)


def test_the_coordinators_inbox_has_the_escalation_until_read(notifications, missed, auth):
    coordinator = auth("coordinator", "BG-RAK", subject="coord-1")
    [entry] = notifications.get("/inbox", headers=coordinator).json()
    assert (entry["kind"], entry["status"], entry["subject"]) == ("visit_missed", "sent", "Пропуснато посещение")
    assert notifications.get("/inbox", headers=auth("worker", "BG-RAK", subject="helper-1")).json() == []
    assert_problem(notifications.post(f"/inbox/{entry['id']}/read", headers=auth("worker", "BG-RAK")), 404)
    read = notifications.post(f"/inbox/{entry['id']}/read", headers=coordinator)
    assert read.json()["status"] == "delivered"


def test_a_failed_message_is_listed_and_resent(awake, notifications, admin):
    database = awake
    with database.transaction() as session:
        message = messages.queue(Draft(key="visit_reminder:x", kind="visit_reminder", recipient=f"client:{CLIENT}",
                                       municipality="BG-RAK", params={"starts_at": NOW.isoformat(),
                                                                      "service": "home_help"},
                                       due_at=NOW, expires_at=NOW + timedelta(hours=3), channel="sms"),
                                 now=NOW, session=session)
    refused = ChannelError("intake: no_consent", transient=False, code="no_consent")

    def no_consent(_message):
        raise refused
    with database.transaction() as session:
        assert messages.send(message.id, now=NOW, channels={"sms": Texting()}, address=no_consent,
                             session=session) == "failed"
    [listed] = notifications.get("/messages", headers=admin, params={"status": "failed"}).json()["items"]
    assert (listed["id"], listed["failure"]) == (str(message.id), "intake: no_consent")
    resent = notifications.post(f"/messages/{message.id}/resend", headers=admin)
    assert (resent.json()["status"], resent.json()["attempts"]) == ("queued", 0)
    assert_problem(notifications.post(f"/messages/{message.id}/resend", headers=admin), 409)
    assert_problem(notifications.get("/messages", headers=admin, params={"status": "lost"}), 422, "query.status")


def test_a_signed_receipt_delivers_the_sms_and_an_unsigned_one_is_refused(database, service_runtime, notifications):
    settings = service_runtime("notifications").settings
    with database.transaction() as session:
        message = messages.queue(Draft(key="visit_reminder:y", kind="visit_reminder", recipient=f"client:{CLIENT}",
                                       municipality="BG-RAK", params={}, due_at=NOW,
                                       expires_at=NOW + timedelta(hours=3), channel="sms"), now=NOW, session=session)
        message.status, message.provider_id = "sent", "SM123"
    form = {"MessageSid": "SM123", "MessageStatus": "delivered"}
    url = "http://testserver/notifications/v1/receipts/sms"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    forged = notifications.post("/receipts/sms", content=urlencode(form),
                                headers={**headers, "X-Twilio-Signature": "forged"})
    assert_problem(forged, 401)
    signature = receipt_signature(url, form, settings.sms_token.get_secret_value())
    answer = notifications.post("/receipts/sms", content=urlencode(form),
                                headers={**headers, "X-Twilio-Signature": signature})
    assert answer.status_code == 204, answer.text
    assert [m.status for m in messages_of(database, provider_id="SM123")] == ["delivered"]


def test_timing_and_preferences_refuse_what_cannot_be(notifications, admin, database):
    bad_hours = {"reminder_lead_hours": 0, "quiet_from": "21:00", "quiet_until": "08:00", "day_plan_at": "07:00"}
    assert_problem(notifications.put("/municipalities/BG-RAK/timing", headers=admin, json=bad_hours), 422,
                   "reminder_lead_hours")
    assert_problem(notifications.put("/municipalities/XX-NOPE/timing", headers=admin, json={
        **bad_hours, "reminder_lead_hours": 24}), 404)
    assert notifications.get("/municipalities/BG-RAK/timing", headers=admin).json()["reminder_lead_hours"] == 24
    assert_problem(notifications.put(f"/clients/{CLIENT}/preferences", headers=admin, json={"channel": "pigeon"}),
                   422, "channel")
    assert_problem(notifications.put(f"/clients/{uuid.uuid4()}/preferences", headers=admin, json={}), 404)
    mine = notifications.put("/me/preferences", headers=admin, json={"language": "en", "channel": "email"})
    assert (mine.json()["recipient"], mine.json()["language"]) == ("staff:admin", "en")
