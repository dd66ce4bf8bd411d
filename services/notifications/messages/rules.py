"""A message's life, with no database: queued until sent, failed, expired or cancelled; a
channel's transient error tried again after a growing wait, up to MAX_ATTEMPTS."""
from __future__ import annotations

from datetime import timedelta

from shared.lifecycle import Lifecycle

QUEUED, SENT, DELIVERED, FAILED, EXPIRED, CANCELLED = "queued", "sent", "delivered", "failed", "expired", "cancelled"
LIFECYCLE = Lifecycle({
    (QUEUED, "send"): SENT,
    (QUEUED, "fail"): FAILED,
    (QUEUED, "expire"): EXPIRED,
    (QUEUED, "cancel"): CANCELLED,
    (SENT, "deliver"): DELIVERED,
    (SENT, "fail"): FAILED,  # the provider's receipt says it never arrived
    (FAILED, "resend"): QUEUED,
    (EXPIRED, "resend"): QUEUED,
}, initial=QUEUED)

MAX_ATTEMPTS = 6
QUIET_CHANNELS = frozenset({"sms", "call"})  # what wakes people: not sent in the night
TASK_CHANNELS = frozenset({"call"})  # tasks for staff about the recipient, not messages to them
CALL_DONE = frozenset({"reached", "visited"})  # a call's outcomes that deliver it; the others fail it
RESEND_LIFETIME = timedelta(hours=12)  # a message resent has at least this long to go out
COORDINATING = frozenset({"coordinator", "network_admin"})  # whose inbox has their towns' coordinators' messages
# A provider's delivery receipt status (Twilio's MessageStatus), as the message's next step.
RECEIPTS = {"delivered": "deliver", "undelivered": "fail", "failed": "fail"}
FIRST_WAIT, LONGEST_WAIT = timedelta(minutes=1), timedelta(hours=1)


def wait_after(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th transient failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)
