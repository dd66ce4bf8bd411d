"""Notifications' tasks: a sweep hands each message due to a task of its own, which sends
it (``shared.tasks``: the worker commits when one returns, then sends the follow-ups)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy.orm import Session

from services.notifications.channels import Channel, load_channels
from services.notifications.contacts import IntakeContacts
from services.notifications.escalations import service as escalations
from services.notifications.messages import service as messages
from services.notifications.reminders import service as reminders
from shared.settings import get_settings
from shared.tasks import FollowUps, TaskRegistry

registry = TaskRegistry()


@registry.task("queue_reminders", every=timedelta(minutes=5))
def queue_reminders(*, session: Session) -> int:
    """Every five minutes: visit reminders within their lead time, day plans and follow-up
    reminders once their hour has come, overdue follow-ups escalated; how many were queued."""
    now = datetime.now(UTC)
    return (reminders.queue_visit_reminders(now=now, session=session)
            + reminders.queue_day_plans(now=now, session=session)
            + reminders.queue_follow_up_reminders(now=now, session=session)
            + escalations.escalate_overdue_follow_ups(now=now, session=session))


@registry.task("send_due_messages", every=timedelta(seconds=30))
def send_due_messages(*, session: Session) -> FollowUps:
    """Every half minute: each message due gets a task of its own. One already handed out and
    handed out again is sent once (its task finds it sent)."""
    return FollowUps([("send_message", {"message_id": str(message_id)})
                      for message_id in messages.due(now=datetime.now(UTC), session=session)])


@registry.task("send_message")
def send_message(*, session: Session, message_id: str) -> str:
    return messages.send(uuid.UUID(message_id), now=datetime.now(UTC), channels=_channels(), address=_contacts(),
                         session=session)


@lru_cache(maxsize=1)
def _channels() -> dict[str, Channel]:
    """The channels of this process (made on first use: after a worker's fork)."""
    return load_channels(get_settings())


@lru_cache(maxsize=1)
def _contacts() -> IntakeContacts:
    return IntakeContacts(get_settings())
