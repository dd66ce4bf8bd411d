"""Scheduling's tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import service_base
from shared.replicas import MunicipalityReplica

Base = service_base()
metadata = Base.metadata


class Municipality(MunicipalityReplica, Base):
    """Replica of intake's catalogue: visits are planned in its time zone."""


class ServiceType(Base):
    """Replica of intake's service types, kept by ``intake.servicetype.registered|changed.v1``:
    visits take the default duration and go to staff of the listed roles."""

    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(20))
    staff_roles: Mapped[list[str]] = mapped_column(JSON)
    default_duration_minutes: Mapped[int]
    unit: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool]
    as_of: Mapped[datetime]  # time of the event this row reflects; an older event never overwrites it
