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
        contacts(intake_url)(message("00000000-0000-0000-0000-000000000000"))
    assert (unknown.value.transient, unknown.value.code, str(unknown.value)) == (
        False, "unknown_client", "intake knows no such client (erased?)")
    with pytest.raises(ChannelError) as down:
        contacts(f"http://127.0.0.1:{testing.free_port()}/intake/v1")(message("x"))
    assert down.value.transient

