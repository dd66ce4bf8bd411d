"""Notifications' tables."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import JSON, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import service_base
from shared.replicas import Replica

Base = service_base()
metadata = Base.metadata


class Municipality(Replica, Base):
    """Replica of intake's municipalities: messages go out in their language and time zone."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))


class ServiceType(Replica, Base):
    """Replica of intake's service types: their names, for the texts of messages about visits."""

    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    # How it is delivered: a phone call needs no reminder.
    mode: Mapped[str] = mapped_column(String(16), default="home_visit", server_default="home_visit")


class MunicipalityTiming(Base):
    """When a municipality's messages go out: reminders so many hours before a visit, no SMS
    or call between ``quiet_from`` and ``quiet_until`` (local time), workers' day plans at
    ``day_plan_at``. A municipality without a row has the defaults (``catalogue.rules``)."""

    __tablename__ = "municipality_timing"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    reminder_lead_hours: Mapped[int]
    quiet_from: Mapped[time]
    quiet_until: Mapped[time]
    day_plan_at: Mapped[time]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class Client(Replica, Base):
    """Replica of intake's clients, ids and codes only: their language, and whether they are
    still in care (nothing goes to someone who moved, died or was erased)."""

    __tablename__ = "client"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))


class Preference(Base):
    """How a person wishes to hear from the network: no messages at all (``opted_out``), by
    which channel, in which language. ``recipient`` as messages name them (``client:<id>``)."""

    __tablename__ = "preference"
    recipient: Mapped[str] = mapped_column(String(250), primary_key=True)
    opted_out: Mapped[bool]
    channel: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class Visit(Replica, Base):
    """Replica of scheduling's planned visits, ids and times only: what reminders and day
    plans are made of. ``reminded_for``: the start the client was last reminded of."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_planned_starts_at", "municipality_code", "starts_at",
                            postgresql_where=text("status = 'planned'"), sqlite_where=text("status = 'planned'")),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    service_type: Mapped[str] = mapped_column(String(64))
    staff_subject: Mapped[str | None] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # planned, cancelled
    reminded_for: Mapped[datetime | None]


class GroupSession(Replica, Base):
    """Replica of scheduling's planned group sessions: when, of which group; ``reminded``: its members were."""

    __tablename__ = "group_session"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16))  # planned, cancelled
    reminded: Mapped[bool] = mapped_column(default=False)


class GroupMembership(Replica, Base):
    """Replica of who belongs to a group, and from and until when."""

    __tablename__ = "group_membership"
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]


class FollowUp(Replica, Base):
    """Replica of a case's planned follow-up (intake's register), ids only: when it is due,
    who does it and who supervises; ``reminded``/``escalated`` once each."""

    __tablename__ = "follow_up"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(index=True)
    done: Mapped[bool]
    escalated: Mapped[bool] = mapped_column(default=False)
    assignee: Mapped[str | None] = mapped_column(String(200))
    supervising_expert: Mapped[str | None] = mapped_column(String(200))


class CheckInStreak(Base):
    """How many check-in calls to a client in a row found no one, since someone last reached them."""

    __tablename__ = "checkin_streak"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    unanswered: Mapped[int]
    last_called_at: Mapped[datetime]


class Escalation(Base):
    """Something a coordinator (or the supervising expert) must act on: a missed visit, a
    person unreachable by phone, an overdue follow-up. Raised once per ``key``, with a call
    task (``call_message_id``, a message on the call list); open until acknowledged, then resolved."""

    __tablename__ = "escalation"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    about: Mapped[str] = mapped_column(String(100))  # visit:<id>, case:<id>
    to: Mapped[str] = mapped_column(String(250))  # coordinators:<municipality>, staff:<subject>
    status: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime]
    call_message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    handled_at: Mapped[datetime | None]


class MessageTemplate(Base):
    """A text of a kind of message in a language, as the network edited it; a kind and
    language without one go out in the default text (``templates.rules.KINDS``)."""

    __tablename__ = "message_template"
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class Message(Base):
    """A message to one person, from its kind, parameters and language, sent by one channel
    when due: queued, then sent (or delivered, by the provider's receipt), failed, expired or
    cancelled. ``key`` is unique: whatever asks twice for the same message gets the one row,
    and a task that runs twice sends it once. The recipient is a reference (``client:<id>``,
    ``staff:<subject>``); how to reach them is asked of intake when sending, never kept."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_queued_next_attempt_at", "next_attempt_at",
                            postgresql_where=text("status = 'queued'"), sqlite_where=text("status = 'queued'")),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(250))
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    language: Mapped[str] = mapped_column(String(2))
    params: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]  # when it is due (again)
    handed_out_until: Mapped[datetime | None]  # given to a send task: not handed out again before then
    expires_at: Mapped[datetime]  # not sent by then: too late to matter
    provider_id: Mapped[str | None] = mapped_column(String(200), index=True)  # receipts name it
    failure: Mapped[str | None] = mapped_column(String(200))  # why it failed or was last retried
    outcome: Mapped[str | None] = mapped_column(String(32))  # a call task's: reached, no_answer, visited
    outcome_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
