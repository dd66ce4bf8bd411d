"""Notifications' tasks: sweeps that queue reminders and escalations when due, and one that
hands the messages due to send tasks, a batch each, which send and commit each message on
its own (``shared.tasks``: a sweep's follow-up tasks are sent once it has committed)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from services.notifications.channels import Channel, load_channels
from services.notifications.contacts import BatchContacts, IntakeContacts
from services.notifications.escalations import service as escalations
from services.notifications.messages import service as messages
from services.notifications.reminders import service as reminders
from shared import metrics
from shared.metrics import count_from_zero
from shared.settings import get_settings
from shared.tasks import FollowUps, TaskRegistry

registry = TaskRegistry()
SEND_BATCH = 50  # messages a send task carries, each sent and committed on its own
SWEEP_AT_MOST = 20_000  # messages a sweep hands out (a thousand a statement)


@registry.task("queue_reminders", every=timedelta(minutes=1))
def queue_reminders(*, session: Session) -> int:
    """Every minute: visit and session reminders within their lead time, day plans and follow-up
    reminders once their hour has come, overdue follow-ups escalated; how many were queued."""
    now = datetime.now(UTC)
    return (reminders.queue_visit_reminders(now=now, session=session)
            + reminders.queue_session_reminders(now=now, session=session)
            + reminders.queue_day_plans(now=now, session=session)
            + reminders.queue_follow_up_reminders(now=now, session=session)
            + escalations.escalate_overdue_follow_ups(now=now, session=session))


@registry.task("send_due_messages", every=timedelta(seconds=10))
def send_due_messages(*, session: Session) -> FollowUps:
    """Every ten seconds: the messages due (up to SWEEP_AT_MOST) go to send tasks
    (``hand_out``), a batch each. A task that runs twice sends each message once (it finds it sent)."""
    due = messages.hand_out(now=datetime.now(UTC), lease=timedelta(seconds=get_settings().send_lease_seconds),
                            session=session, limit=SWEEP_AT_MOST)
    return FollowUps.batches("send_message", [str(message_id) for message_id in due], SEND_BATCH)


def _addresses(*, session: Session, batch: list[str]) -> dict[str, BatchContacts]:
    """A send task's lookup of its clients' addresses, asked of intake at once when first needed."""
    wanted = messages.wanted_addresses([uuid.UUID(message_id) for message_id in batch], channels=_channels(),
                                       now=datetime.now(UTC), session=session)
    return {"address": _contacts().for_batch(wanted)}


@registry.task("send_message", each="message_id", prepare=_addresses)
def send_message(*, session: Session, message_id: str, address: BatchContacts) -> str:
    return messages.send(uuid.UUID(message_id), now=datetime.now(UTC), channels=_channels(), address=address,
                         session=session)


@lru_cache(maxsize=1)
def _channels() -> dict[str, Channel]:
    """The channels of this process (made on first use: after a worker's fork), each
    channel's outcomes counted from zero."""
    channels = load_channels(get_settings())
    count_from_zero(metrics.messages, [(kind, outcome) for kind in channels for outcome in metrics.MESSAGE_OUTCOMES])
    return channels


@lru_cache(maxsize=1)
def _contacts() -> IntakeContacts:
    return IntakeContacts(get_settings())
