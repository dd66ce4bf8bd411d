"""The declarative base of a service's tables."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import DeclarativeBase

from shared.db import UtcDateTime, new_metadata
from shared.messaging.tables import add_messaging_tables


def service_base() -> type[DeclarativeBase]:
    """The declarative base of one service: its own metadata, with the outbox and inbox."""
    metadata = new_metadata()
    add_messaging_tables(metadata)
    # Every timestamp is stored with its time zone (UTC), on SQLite and PostgreSQL alike.
    type_map = {datetime: UtcDateTime()}
    return type("Base", (DeclarativeBase,), {"metadata": metadata, "type_annotation_map": type_map})
