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
FIRST_WAIT, LONGEST_WAIT = timedelta(minutes=1), timedelta(hours=1)


def wait_after(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th transient failure: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)
