"""How a message's recipient is reached, asked of intake when sending: a named service-to-
service call (``GET {intake}/clients/{id}/contact?channel=``) with notifications' own token
(role ``notifier``), which intake answers only while the client's consent to that contact
is in force and they are in care, and logs as a read of personal data. Nothing of the
answer is kept here: the address goes to the channel and is forgotten."""
from __future__ import annotations

import time

import httpx

from services.notifications.channels import ChannelError
from services.notifications.models import Message
from shared.auth import Role, issue_token
from shared.settings import Settings

TIMEOUT = httpx.Timeout(5.0, connect=2.0)
TOKEN_MINUTES = 10
# Why intake will not tell (its 409's field), as the message's failure code.
REFUSALS = {"consent": "no_consent", "status": "not_in_care", "address": "no_address"}


class IntakeContacts:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = httpx.Client(timeout=TIMEOUT)
        self._token, self._token_until = "", 0.0

    def __call__(self, message: Message) -> str:
        """The recipient's address for the message's channel."""
        kind, _, client_id = message.recipient.partition(":")
        if kind != "client":
            raise ChannelError(f"no address is known for a {kind}", transient=False, code="no_address")
        try:
            answer = self.client.get(f"{self.settings.intake_url.rstrip('/')}/clients/{client_id}/contact",
                                     params={"channel": message.channel},
                                     headers={"Authorization": f"Bearer {self._bearer()}"})
        except httpx.HTTPError as exc:  # intake down or slow: the message waits
            raise ChannelError(f"intake unreachable: {type(exc).__name__}", transient=True) from exc
        return self._address(answer)

    def _address(self, answer: httpx.Response) -> str:
        if answer.status_code == 200:
            return answer.json()["address"]
        if answer.status_code == 404:
            raise ChannelError("intake knows no such client (erased?)", transient=False, code="unknown_client")
        if answer.status_code == 409:
            code = REFUSALS.get(answer.json().get("field"), "not_contactable")
            raise ChannelError(f"intake: {code}", transient=False, code=code)
        raise ChannelError(f"intake answered {answer.status_code}", transient=True)  # busy, or our token refused

    def _bearer(self) -> str:
        if self.settings.notifier_token is not None:
            return self.settings.notifier_token.get_secret_value()
        if time.monotonic() >= self._token_until:
            self._token = issue_token(self.settings, roles=[Role.NOTIFIER.value], municipalities=["*"],
                                      subject="notifications", ttl_minutes=TOKEN_MINUTES)
            self._token_until = time.monotonic() + (TOKEN_MINUTES - 1) * 60
        return self._token
