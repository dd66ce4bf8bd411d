"""Messages: queued once per key, each sent by its own task when due, in the text of its
kind and language filled in at send time; a channel's transient error waits and tries
again, a refusal or too many attempts fail it, one not sent by its expiry expires.
Publishes ``notifications.message.sent|failed.v1`` (ids and codes only)."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notifications.channels import Channel, ChannelError, Outgoing
from services.notifications.messages import rules
from services.notifications.models import Message, Municipality
from services.notifications.templates import rules as texts
from services.notifications.templates.service import get_template
from shared.events.notifications import MessageFailed, MessageSent
from shared.messaging.outbox import record_event

Address = Callable[[Message], str]  # how to reach the recipient now, or ChannelError


@dataclass(frozen=True)
class Draft:
    key: str  # the same message asked for again has the same key
    kind: str
    channel: str
    recipient: str  # client:<id>, staff:<subject>
    municipality: str
    language: str
    params: dict[str, str]  # moments and days in ISO form
    due_at: datetime
    expires_at: datetime


def queue(draft: Draft, *, now: datetime, session: Session) -> Message:
    """The message of ``draft.key``: queued now, or the one queued before under that key
    (also when another transaction queued it a moment ago)."""
    found = _by_key(draft.key, session)
    if found is not None:
        return found
    message = Message(id=uuid.uuid4(), key=draft.key, kind=draft.kind, channel=draft.channel,
                      recipient=draft.recipient, municipality_code=draft.municipality, language=draft.language,
                      params=draft.params, status=rules.QUEUED, attempts=0, next_attempt_at=draft.due_at,
                      expires_at=draft.expires_at, created_at=now)
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return _by_key(draft.key, session)
    return message


def due(*, now: datetime, session: Session, limit: int = 1000) -> list[uuid.UUID]:
    """The messages due now, the longest waiting first."""
    return list(session.scalars(select(Message.id).where(Message.status == rules.QUEUED,
                                                         Message.next_attempt_at <= now)
                                .order_by(Message.next_attempt_at).limit(limit)))


def send(message_id: uuid.UUID, *, now: datetime, channels: Mapping[str, Channel], address: Address,
         session: Session) -> str:
    """Sends the message if it is due and no other task holds it; returns its status after."""
    message = session.get(Message, message_id, with_for_update={"skip_locked": True})
    if message is None:
        return "busy"  # another task is sending it (or there is no such message)
    if message.status != rules.QUEUED or message.next_attempt_at > now:
        return message.status  # sent already, or not yet due: a task that runs twice sends once
    if message.expires_at <= now:
        return _end(message, "expire", reason="expired", session=session)
    subject, body = _text(message, session=session)
    try:
        sent = channels[message.channel].send(Outgoing(message_id=str(message.id), to=address(message), body=body,
                                                       subject=subject))
    except ChannelError as error:
        return _again(message, error, now=now, session=session) if error.transient else \
            _end(message, "fail", reason=error.code, session=session, failure=error.reason)
    message.attempts += 1
    message.provider_id, message.sent_at = sent.provider_id, now
    return _moved(message, "send", MessageSent, session=session)


def _again(message: Message, error: ChannelError, *, now: datetime, session: Session) -> str:
    """A transient error: tried again after a growing wait, or failed when out of attempts."""
    message.attempts += 1
    message.failure = error.reason[:200]
    if message.attempts >= rules.MAX_ATTEMPTS:
        return _end(message, "fail", reason="out_of_attempts", session=session, failure=error.reason)
    message.next_attempt_at = now + rules.wait_after(message.attempts)
    return message.status


def _end(message: Message, action: str, *, reason: str, session: Session, failure: str | None = None) -> str:
    message.failure = (failure or reason)[:200]
    return _moved(message, action, MessageFailed, session=session, reason=reason)


def _moved(message: Message, action: str, event: type[MessageSent], *, session: Session, **extra: str) -> str:
    message.status = rules.LIFECYCLE.next(message.status, action)
    record_event(session, event(message_id=message.id, municipality=message.municipality_code, kind=message.kind,
                                channel=message.channel, attempts=message.attempts, **extra),
                 subject=str(message.id), municipality=message.municipality_code)
    return message.status


def _text(message: Message, *, session: Session) -> tuple[str, str]:
    """The message's subject and body in its kind's text for its language, filled in now."""
    template = get_template(message.kind, message.language, session=session)
    found = session.get(Municipality, message.municipality_code)
    zone = found.timezone if found else "UTC"
    params = texts.KINDS[message.kind].params
    values = {name: _value(params[name], value) for name, value in message.params.items() if name in params}

    def filled(text: str) -> str:
        return texts.fill(text, message.kind, values, language=message.language, zone=zone)
    return filled(template.subject), filled(template.body)


def _value(kind: str, value: str) -> object:
    if kind == "moment":
        return datetime.fromisoformat(value)
    return date.fromisoformat(value) if kind == "day" else value


def _by_key(key: str, session: Session) -> Message | None:
    return session.scalar(select(Message).where(Message.key == key))
