"""Reporting's read models are built from events only, so they can be built again from the
producers' replay feeds (``carecircle rebuild``): first everything reporting knows, and what
its inbox remembers having applied and how far it read each feed, is forgotten in one
transaction."""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.reporting.models import metadata
from shared.messaging.tables import feed_position, heartbeat, inbox, outbox

CONSUMER = "reporting"
KEPT = {outbox.name, inbox.name, heartbeat.name, feed_position.name, "alembic_version"}


def forget_everything(*, session: Session) -> None:
    for table in reversed(metadata.sorted_tables):  # rows that refer to others first
        if table.name not in KEPT:
            session.execute(delete(table))
    session.execute(delete(inbox).where(inbox.c.consumer == CONSUMER))
    session.execute(delete(feed_position).where(feed_position.c.consumer == CONSUMER))
