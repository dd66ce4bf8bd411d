"""Notifications' tables."""
from __future__ import annotations

import uuid
from datetime import datetime

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
    expires_at: Mapped[datetime]  # not sent by then: too late to matter
    provider_id: Mapped[str | None] = mapped_column(String(200))
    failure: Mapped[str | None] = mapped_column(String(200))  # why it failed or was last retried
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
