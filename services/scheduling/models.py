"""Scheduling's tables."""
from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import service_base
from shared.replicas import Replica

Base = service_base()
metadata = Base.metadata


class ServiceType(Replica, Base):
    """Replica of intake's service types: visits take the default duration and go
    to staff of the listed roles."""

    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(20))
    staff_roles: Mapped[list[str]] = mapped_column(JSON)
    default_duration_minutes: Mapped[int]
    unit: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool]


class Municipality(Replica, Base):
    """Replica of intake's municipalities: visits are planned in their time zone."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
