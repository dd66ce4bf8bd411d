"""Channels whose messages stay with us, for a person to act on through the API: a worker's
in-app inbox (``GET /inbox``; reading it delivers the message) and the call list (``GET
/calls``: a coordinator or volunteer phones, or goes to see, the recipient and records the
outcome, which delivers or fails it). Neither needs the recipient's address."""
from __future__ import annotations

from services.notifications.channels import Outgoing, Sent
from shared.settings import Settings


class InboxChannel:
    kind = "inbox"
    needs_address = False

    def __init__(self, settings: Settings) -> None:
        del settings  # nothing to set up: the message row is the inbox entry

    def send(self, message: Outgoing) -> Sent:
        return Sent()


class CallListChannel(InboxChannel):
    kind = "call"
