"""Notifications' tables."""
from __future__ import annotations

from shared.db import service_base
from shared.replicas import MunicipalityReplica

Base = service_base()
metadata = Base.metadata


class Municipality(MunicipalityReplica, Base):
    """Replica of intake's catalogue: messages go out in its language and time zone."""
