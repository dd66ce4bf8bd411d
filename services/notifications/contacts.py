"""How a message's recipient is reached, asked of intake when sending: a named service-to-
service call with notifications' own token (role ``notifier``), which intake answers only
while the client's consent to that contact is in force and they are in care, and logs as a
read of personal data. A send task asks once for the clients of its batch (``POST
{intake}/clients/contacts``), a message outside it alone (``GET {intake}/clients/{id}/contact``).
Nothing of the answer is kept here: the address goes to the channel and is forgotten with the task."""
from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx

from services.notifications.channels import ChannelError
from services.notifications.models import Message
from services.notifications.recipients import rules as recipients
from shared.auth import Role, ServiceToken
from shared.settings import Settings

TIMEOUT = httpx.Timeout(5.0, connect=2.0)
# Why intake will not tell (its 409's field, or unknown: erased), as the message's failure code.
REFUSALS = {"consent": "no_consent", "status": "not_in_care", "address": "no_address", "unknown": "unknown_client"}
Wanted = tuple[str, str]  # a message's recipient and channel


class IntakeContacts:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = httpx.Client(timeout=TIMEOUT)
        self.token = ServiceToken(settings, role=Role.NOTIFIER, subject="notifications",
                                  configured=settings.notifier_token)

    def __call__(self, message: Message) -> str:
        """The recipient's address for the message's channel."""
        client_id = _client_id(message.recipient)
        answer = self._ask("GET", f"/clients/{client_id}/contact", params={"channel": message.channel})
        if answer.status_code == 404:
            raise _refused("unknown")
        if answer.status_code == 409:
            raise _refused(answer.json().get("field"))
        return _ok(answer).json()["address"]

    def for_batch(self, wanted: Sequence[Wanted]) -> BatchContacts:
        """The addresses of a send task's messages (``wanted``), asked for at once when the first is needed."""
        return BatchContacts(self, wanted)

    def ask_all(self, wanted: Sequence[Wanted]) -> dict[Wanted, str | ChannelError]:
        """Each recipient's address for its channel, or why not (a ChannelError)."""
        try:
            answer = _ok(self._ask("POST", "/clients/contacts", json={"wanted": [
                {"client_id": str(_client_id(recipient)), "channel": channel} for recipient, channel in wanted]}))
        except ChannelError as failed:  # intake down or busy: every message of the batch waits
            return dict.fromkeys(wanted, failed)
        return {(recipients.client(uuid.UUID(item["client_id"])), item["channel"]):
                item["address"] if item["address"] is not None else _refused(item["refused"])
                for item in answer.json()["contacts"]}

    def _ask(self, method: str, path: str, **request: object) -> httpx.Response:
        try:
            return self.client.request(method, f"{self.settings.intake_url.rstrip('/')}{path}",
                                       headers={"Authorization": f"Bearer {self.token()}"}, **request)
        except httpx.HTTPError as exc:  # intake down or slow: the message waits
            raise ChannelError(f"intake unreachable: {type(exc).__name__}", transient=True) from exc


class BatchContacts:
    """A send task's lookup: intake is asked for every message of the batch that needs an
    address at the first of them (none if none does), any other message alone."""

    def __init__(self, contacts: IntakeContacts, wanted: Sequence[Wanted]) -> None:
        self.contacts, self.wanted = contacts, list(wanted)
        self.answers: dict[Wanted, str | ChannelError] | None = None

    def __call__(self, message: Message) -> str:
        key = (message.recipient, message.channel)
        if key not in self.wanted:
            return self.contacts(message)
        if self.answers is None:
            self.answers = self.contacts.ask_all(self.wanted)
        answer = self.answers.get(key, ChannelError("intake did not answer for the client", transient=True))
        if isinstance(answer, ChannelError):
            raise answer
        return answer


def _client_id(recipient: str) -> str:
    client_id = recipients.client_id_of(recipient)
    if client_id is None:
        raise ChannelError(f"no address is known for a {recipient.partition(':')[0]}", transient=False,
                           code="no_address")
    return str(client_id)


def _ok(answer: httpx.Response) -> httpx.Response:
    if answer.status_code != 200:  # busy, or our token refused: the message waits
        raise ChannelError(f"intake answered {answer.status_code}", transient=True)
    return answer


def _refused(why: str | None) -> ChannelError:
    code = REFUSALS.get(why or "", "not_contactable")
    return ChannelError(f"intake: {code}", transient=False, code=code)
