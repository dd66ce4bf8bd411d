"""Notifications' tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
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
