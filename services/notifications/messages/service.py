"""Messages: queued once per key by the recipient's channel and language (none to someone
who opted out or left care), each sent and committed on its own by a send task when due, in
the text of its kind and language filled in at send time; an SMS or call due in the night waits for the
morning; a channel's transient error waits and tries again, a refusal or too many attempts
fail it, one not sent by its expiry expires. Publishes ``notifications.message.sent|failed.v1``
(ids and codes only)."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notifications.catalogue import rules as timing
from services.notifications.catalogue.service import service_name, timing_of, zone_of
from services.notifications.channels import Channel, ChannelError, Outgoing
from services.notifications.messages import rules
from services.notifications.messages.schemas import CallFilters, CallOutcome, MessageFilters
from services.notifications.models import Message
from services.notifications.recipients import rules as recipients
from services.notifications.recipients.service import Reach, reach, refusal
from services.notifications.templates import rules as texts
from services.notifications.templates.service import get_template
from shared import metrics
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.events.notifications import MessageFailed, MessageSent
from shared.messaging.outbox import record_event
from shared.paging import Page, equal_to_given, paginate
from shared.recent import Recent
from shared.scope import get_in_scope, scope_filter

Address = Callable[[Message], str]  # how to reach the recipient now, or ChannelError
# What sending reads of the catalogue and templates, read at most half a minute ago: an
# edited template or timing applies to what is sent from then on, a message at a time.
_recent = Recent(seconds=30).get
NO_WAY = Reach(channel="none", language="en")  # of a message kept cancelled: it goes nowhere
# The send path's statements, built once and run on the session's connection: it runs for
# every message, and building a statement and passing it through the ORM's unit of work cost
# more than the database's work (bench/notifications.py).
_MESSAGE = Message.__table__
_LOCKED = select(_MESSAGE).where(_MESSAGE.c.id == bindparam("message_id")).with_for_update(skip_locked=True)
_WRITE = update(_MESSAGE).where(_MESSAGE.c.id == bindparam("message_id"))  # the columns given


@dataclass(frozen=True)
class Draft:
    key: str  # the same message asked for again has the same key
    kind: str
    recipient: str  # client:<id>, staff:<subject>, coordinators:<municipality>
    municipality: str
    params: dict[str, str]  # moments and days in ISO form, service type codes
    due_at: datetime
    expires_at: datetime
    channel: str | None = None  # none: the recipient's (preference, else the default)
    language: str | None = None  # none: the recipient's


def queue(draft: Draft, *, now: datetime, session: Session) -> Message:
    """The message of ``draft.key``: queued now, or the one queued before under that key
    (also when another transaction queued it a moment ago). One to someone who opted out or
    left care is kept as cancelled, with why."""
    found = _by_key(draft.key, session)
    if found is not None:
        return found
    way = reach(draft.recipient, draft.municipality, session=session, task=draft.channel in rules.TASK_CHANNELS)
    refused, way = (way, NO_WAY) if isinstance(way, str) else (None, way)
    message = Message(id=uuid.uuid4(), key=draft.key, kind=draft.kind, recipient=draft.recipient,
                      channel=draft.channel or way.channel, municipality_code=draft.municipality,
                      language=draft.language or way.language, params=draft.params, status=rules.QUEUED, attempts=0,
                      next_attempt_at=draft.due_at, expires_at=draft.expires_at, created_at=now)
    if refused is not None:
        _step(message, "cancel")
        message.failure = refused
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return _by_key(draft.key, session)
    return message


def cancel_queued(*, session: Session, recipient: str | None = None, key_prefix: str | None = None,
                  reason: str) -> int:
    """Cancels the queued messages to ``recipient`` or whose key starts with ``key_prefix``."""
    query = update(Message).where(Message.status == rules.QUEUED)
    query = query.where(Message.recipient == recipient) if recipient else query
    query = query.where(Message.key.startswith(key_prefix, autoescape=True)) if key_prefix else query
    return session.execute(query.values(status=rules.CANCELLED, failure=reason)
                           .execution_options(synchronize_session=False)).rowcount


def hand_out(*, now: datetime, lease: timedelta, session: Session, limit: int = 20_000,
             chunk: int = 1000) -> list[uuid.UUID]:
    """The messages due now and not handed out to a task already (up to ``limit``, ``chunk``
    a statement), the longest waiting first, each handed out for ``lease``: a task lost with
    its worker is made again by a later sweep, and a task still queued is not made twice."""
    due: list[uuid.UUID] = []
    while len(due) < limit:
        more = _hand_out_chunk(now=now, lease=lease, session=session, size=min(chunk, limit - len(due)))
        due += more
        if len(more) < chunk:
            break
    return due


def _hand_out_chunk(*, now: datetime, lease: timedelta, session: Session, size: int) -> list[uuid.UUID]:
    ids = list(session.scalars(select(Message.id).where(
        Message.status == rules.QUEUED, Message.next_attempt_at <= now,
        or_(Message.handed_out_until.is_(None), Message.handed_out_until <= now))
        .order_by(Message.next_attempt_at).limit(size).with_for_update(skip_locked=True)))
    if ids:
        session.execute(update(Message).where(Message.id.in_(ids)).values(handed_out_until=now + lease)
                        .execution_options(synchronize_session=False))
    return ids


def wanted_addresses(message_ids: list[uuid.UUID], *, channels: Mapping[str, Channel], now: datetime,
                     session: Session) -> list[tuple[str, str]]:
    """The clients and channels of those of ``message_ids`` about to be sent that need an
    address: what a send task asks intake for at once."""
    rows = session.execute(select(Message.recipient, Message.channel).where(
        Message.id.in_(message_ids), Message.status == rules.QUEUED, Message.next_attempt_at <= now,
        Message.expires_at > now))
    return sorted({(recipient, channel) for recipient, channel in rows
                   if recipients.is_client(recipient) and channel in channels and channels[channel].needs_address})


def send(message_id: uuid.UUID, *, now: datetime, channels: Mapping[str, Channel], address: Address,
         session: Session) -> str:
    """Sends the message if it is due and no other task holds it; returns its status after."""
    connection = session.connection()
    row = connection.execute(_LOCKED, {"message_id": message_id}).mappings().first()
    if row is None:
        return "busy"  # another task is sending it (or there is no such message)
    message = Message(**row)  # a copy outside the session: what changes is written in one statement
    status = _send(message, now=now, channels=channels, address=address, session=session)
    changed = {name: value for name, value in _fields(message).items() if value != row[name]}
    if changed:
        connection.execute(_WRITE, {"message_id": message_id, **changed})
    return status


def _fields(message: Message) -> dict[str, object]:
    return {column.key: getattr(message, column.key) for column in _MESSAGE.columns}


def _send(message: Message, *, now: datetime, channels: Mapping[str, Channel], address: Address,
          session: Session) -> str:
    if message.status != rules.QUEUED or message.next_attempt_at > now:
        return message.status  # sent already, or not yet due: a task that runs twice sends once
    if message.expires_at <= now:
        return _end(message, "expire", reason="expired", session=session)
    why_not = refusal(message.recipient, session=session, task=message.channel in rules.TASK_CHANNELS)
    if why_not is not None:  # opted out or left care since it was queued
        message.failure = why_not
        return _step(message, "cancel")
    morning = _quiet_until(message, now, session=session)
    if morning is not None:
        message.next_attempt_at, message.handed_out_until = morning, None
        metrics.messages.labels(message.channel, "waiting").inc()
        return "waiting"
    channel = channels[message.channel]
    subject, body = text_of(message, session=session)
    try:
        to = address(message) if channel.needs_address else message.recipient
        sent = channel.send(Outgoing(message_id=str(message.id), to=to, body=body, subject=subject))
    except ChannelError as error:
        return _again(message, error, now=now, session=session) if error.transient else \
            _end(message, "fail", reason=error.code, session=session, failure=error.reason)
    message.attempts += 1
    message.provider_id, message.sent_at = sent.provider_id, now
    return _moved(message, "send", MessageSent, session=session)


def _quiet_until(message: Message, now: datetime, *, session: Session) -> datetime | None:
    """When the night ends, for an SMS or call due in its municipality's quiet hours."""
    if message.channel not in rules.QUIET_CHANNELS:
        return None
    code = message.municipality_code
    return timing.quiet_until(now, _recent(session, ("zone", code), lambda: zone_of(code, session=session)),
                              _recent(session, ("timing", code), lambda: timing_of(code, session=session)))


def _again(message: Message, error: ChannelError, *, now: datetime, session: Session) -> str:
    """A transient error: tried again after a growing wait, or failed when out of attempts."""
    message.attempts += 1
    message.failure = error.reason[:200]
    if message.attempts >= rules.MAX_ATTEMPTS:
        return _end(message, "fail", reason="out_of_attempts", session=session, failure=error.reason)
    message.next_attempt_at, message.handed_out_until = now + rules.wait_after(message.attempts), None
    metrics.messages.labels(message.channel, "retried").inc()
    return message.status


def _end(message: Message, action: str, *, reason: str, session: Session, failure: str | None = None) -> str:
    message.failure = (failure or reason)[:200]
    return _moved(message, action, MessageFailed, session=session, reason=reason)


def _step(message: Message, action: str) -> str:
    """The message's next status after ``action`` (the lifecycle's 409 if it may not), counted."""
    message.status = rules.LIFECYCLE.next(message.status, action)
    if message.status != rules.QUEUED:
        metrics.messages.labels(message.channel, message.status).inc()
    return message.status


def _moved(message: Message, action: str, event: type[MessageSent], *, session: Session, **extra: str) -> str:
    _step(message, action)
    record_event(session, event(message_id=message.id, municipality=message.municipality_code, kind=message.kind,
                                channel=message.channel, attempts=message.attempts, **extra),
                 subject=str(message.id), municipality=message.municipality_code)
    return message.status


def text_of(message: Message, *, session: Session) -> tuple[str, str]:
    """The message's subject and body in its kind's text for its language, filled in now."""
    template = _recent(session, ("template", message.kind, message.language), lambda: _texts(message, session))
    zone = _recent(session, ("zone", message.municipality_code),
                   lambda: zone_of(message.municipality_code, session=session))
    params = texts.KINDS[message.kind].params
    values = {name: _value(params[name], value, message.language, session=session)
              for name, value in message.params.items() if name in params}

    def filled(text: str) -> str:
        return texts.fill(text, message.kind, values, language=message.language, zone=zone)
    return filled(template[0]), filled(template[1])


def _texts(message: Message, session: Session) -> tuple[str, str]:
    template = get_template(message.kind, message.language, session=session)
    return template.subject, template.body


def _value(kind: str, value: str, language: str, *, session: Session) -> object:
    if kind == "moment":
        return datetime.fromisoformat(value)
    if kind == "service":
        return _recent(session, ("service", value, language), lambda: service_name(value, language, session=session))
    return date.fromisoformat(value) if kind == "day" else value


def _by_key(key: str, session: Session) -> Message | None:
    return session.scalar(select(Message).where(Message.key == key))


# -- reading, resending, and what people do with tasks and receipts ---------------------------------


def list_messages(filters: MessageFilters, principal: Principal, *, session: Session) -> Page[Message]:
    query = select(Message).where(
        scope_filter(principal, Message.municipality_code, only=filters.municipality),
        *equal_to_given((Message.status, filters.status), (Message.kind, filters.kind),
                        (Message.channel, filters.channel), (Message.recipient, filters.recipient)))
    return paginate(session, query, filters, order=(Message.created_at.desc(), Message.id))


def get_message(message_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Message:
    return get_in_scope(session, Message, message_id, principal, what="message", for_update=for_update)


def resend(message_id: uuid.UUID, principal: Principal, *, now: datetime, session: Session) -> Message:
    """A failed or expired message queued again, due now, with its attempts afresh."""
    message = get_message(message_id, principal, session=session, for_update=True)
    _step(message, "resend")
    message.attempts, message.failure, message.next_attempt_at, message.handed_out_until = 0, None, now, None
    message.expires_at = max(message.expires_at, now + rules.RESEND_LIFETIME)
    return message


def list_calls(filters: CallFilters, principal: Principal, *, session: Session) -> Page[Message]:
    """The call list: calls to make (sent to the list, no outcome yet), the oldest first."""
    statuses = (rules.SENT,) if filters.open else (rules.SENT, rules.DELIVERED, rules.FAILED)
    query = select(Message).where(scope_filter(principal, Message.municipality_code, only=filters.municipality),
                                  Message.channel == "call", Message.status.in_(statuses))
    return paginate(session, query, filters, order=(Message.created_at, Message.id))


def record_outcome(message_id: uuid.UUID, change: CallOutcome, principal: Principal, *, now: datetime,
                   session: Session) -> Message:
    """A call made (or a visit paid): reached or visited delivers it, else it fails with the outcome."""
    message = get_message(message_id, principal, session=session, for_update=True)
    if message.channel != "call":
        raise NotFound("call", message_id)
    if message.status != rules.SENT:
        raise Conflict(f"this call was {message.status} already", field="outcome")
    message.outcome, message.outcome_by = change.outcome, principal.subject
    if change.outcome in rules.CALL_DONE:
        _step(message, "deliver")
        return message
    _end(message, "fail", reason=change.outcome, session=session)
    return message


def inbox(principal: Principal, *, session: Session, limit: int = 100) -> list[Message]:
    """The caller's inbox: messages to them, and to the coordinators of their municipalities if they are one."""
    return list(session.scalars(select(Message).where(
        Message.channel == "inbox", Message.recipient.in_(_addressed_to(principal)),
        Message.status.in_((rules.SENT, rules.DELIVERED))).order_by(Message.created_at.desc()).limit(limit)))


def read(message_id: uuid.UUID, principal: Principal, *, session: Session) -> Message:
    """An inbox entry read: delivered."""
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.channel != "inbox" or message.recipient not in _addressed_to(principal):
        raise NotFound("message", message_id)
    if message.status == rules.SENT:
        _step(message, "deliver")
    return message


def _addressed_to(principal: Principal) -> list[str]:
    mine = [recipients.staff(principal.subject)]
    if principal.roles & rules.COORDINATING:
        mine += [recipients.coordinators(code) for code in sorted(principal.municipalities)]
    return mine


def receipt(provider_id: str, provider_status: str, *, session: Session) -> Message:
    """The provider's delivery receipt: delivered, or failed after all (``undelivered``)."""
    message = session.scalar(select(Message).where(Message.provider_id == provider_id).with_for_update())
    if message is None:
        raise NotFound("message", provider_id)
    action = rules.RECEIPTS.get(provider_status)
    if action is None or not rules.LIFECYCLE.may(message.status, action):
        return message  # an interim status (queued, sending, sent), or a receipt repeated
    if action == "deliver":
        _step(message, action)
        return message
    _end(message, "fail", reason="undelivered", session=session, failure=f"provider: {provider_status}")
    return message
