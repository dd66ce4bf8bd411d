"""Notifications asks intake how to reach a client, over HTTP on a socket with its own token,
at send time: an address only with consent, a refusal that fails the message, an intake that
cannot be reached that makes it wait."""
from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from services.notifications.channels import ChannelError
from services.notifications.contacts import IntakeContacts
from services.notifications.models import Message
from shared import testing
from shared.testing import bearer


@pytest.fixture
def intake_url(served_service) -> str:
    return served_service("intake")


@pytest.fixture
def client_id(intake_url) -> str:
    admin = bearer("network_admin", "*", subject="admin")
    assert httpx.post(f"{intake_url}/municipalities", headers=admin, json={
        "code": "BG-RAK", "name": "Ракитово", "language": "bg", "timezone": "Europe/Sofia"}).status_code == 201
    client = httpx.post(f"{intake_url}/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": "Мария", "family_name": "Петрова", "phone": "+359 888 100 201"}).json()
    return client["id"]


def consent(intake_url: str, client_id: str, given: bool) -> None:
    assert httpx.post(f"{intake_url}/clients/{client_id}/consents", headers=bearer("network_admin", "*"), json={
        "purpose": "contact_sms", "given": given, "decided_on": datetime.now(UTC).date().isoformat()},
    ).status_code == 201


NOBODY, UUID_2 = "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000002"


def message(client_id: str, channel: str = "sms") -> Message:
    return Message(recipient=f"client:{client_id}", channel=channel)


def contacts(url: str) -> IntakeContacts:
    return IntakeContacts(testing.make_settings(intake_url=url))


def test_a_client_who_consented_is_reached_by_their_phone(intake_url, client_id):
    with pytest.raises(ChannelError) as refused:
        contacts(intake_url)(message(client_id))
    assert (refused.value.transient, refused.value.code) == (False, "no_consent")
    consent(intake_url, client_id, True)
    assert contacts(intake_url)(message(client_id)) == "+359888100201"
    consent(intake_url, client_id, False)
    with pytest.raises(ChannelError, match="no_consent"):
        contacts(intake_url)(message(client_id))


def test_an_unknown_client_fails_and_an_unreachable_intake_waits(intake_url):
    with pytest.raises(ChannelError) as unknown:
        contacts(intake_url)(message(NOBODY))
    assert (unknown.value.transient, unknown.value.code, str(unknown.value)) == (
        False, "unknown_client", "intake: unknown_client")
    with pytest.raises(ChannelError) as down:
        contacts(f"http://127.0.0.1:{testing.free_port()}/intake/v1")(message(NOBODY))
    assert down.value.transient, str(down.value)
    with pytest.raises(ChannelError) as staff:
        contacts(intake_url)(Message(recipient="staff:gergana", channel="sms"))
    assert (staff.value.transient, staff.value.code) == (False, "no_address")


def test_a_batch_is_asked_for_once_and_answered_message_by_message(intake_url, client_id, monkeypatch):
    consent(intake_url, client_id, True)
    lookup = contacts(intake_url)
    asked = []
    monkeypatch.setattr(lookup.client, "request", _counting(lookup.client.request, asked))
    batch = lookup.for_batch([(f"client:{client_id}", "sms"), (f"client:{client_id}", "email"),
                              (f"client:{NOBODY}", "sms")])
    assert asked == []  # nothing asked until a message needs it
    assert batch(message(client_id)) == "+359888100201"
    for who, channel, code in ((client_id, "email", "no_consent"), (NOBODY, "sms", "unknown_client")):
        with pytest.raises(ChannelError) as refused:
            batch(message(who, channel))
        assert (refused.value.transient, refused.value.code) == (False, code)
    assert asked == [("POST", "/clients/contacts")]
    with pytest.raises(ChannelError, match="no_consent"):
        batch(message(client_id, "phone"))  # not in the batch: asked alone
    assert asked[-1] == ("GET", f"/clients/{client_id}/contact")


def test_a_batch_waits_whole_when_intake_is_unreachable():
    batch = contacts(f"http://127.0.0.1:{testing.free_port()}/intake/v1").for_batch(
        [(f"client:{NOBODY}", "sms"), (f"client:{UUID_2}", "sms")])
    for who in (NOBODY, UUID_2):
        with pytest.raises(ChannelError) as down:
            batch(message(who))
        assert down.value.transient, str(down.value)


def _counting(request, asked: list):
    def counted(method, url, **kwargs):
        asked.append((method, url.split("/intake/v1", 1)[1]))
        return request(method, url, **kwargs)
    return counted

