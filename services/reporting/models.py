"""Reporting's read models, built only from events: pseudonymous ids and codes."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import service_base

Base = service_base()
metadata = Base.metadata


class ClientRegistration(Base):
    __tablename__ = "client_registration"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(32), index=True)
    registered_at: Mapped[datetime]
