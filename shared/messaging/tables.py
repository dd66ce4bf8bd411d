"""The outbox, inbox and heartbeat tables, added to every service's own metadata."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, text

from shared.db import UtcDateTime
from shared.events.envelope import EVENT_ID_LENGTH


def outbox_table(metadata: MetaData) -> Table:
    """Events to publish, and once published the service's record of what it published, in
    ``seq`` order: its replay feed (``shared.feed``)."""
    table = Table(
        "outbox", metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(EVENT_ID_LENGTH), nullable=False, unique=True),
        Column("type", String(120), nullable=False),
        Column("body", Text, nullable=False),  # the whole CloudEvents envelope as JSON
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime()),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", UtcDateTime()),
    )
    # The relay only ever looks at unpublished rows: keep that index small.
    Index(
        "ix_outbox_unpublished", table.c.seq,
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    )
    return table


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox", metadata,
        Column("consumer", String(80), primary_key=True),
        Column("event_id", String(EVENT_ID_LENGTH), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )


def heartbeat_table(metadata: MetaData) -> Table:
    """When each relay and consumer process last showed it was alive."""
    return Table(
        "heartbeat", metadata,
        Column("process", String(20), primary_key=True),  # relay, consumer
        Column("instance", String(200), primary_key=True),  # host:pid
        Column("beat_at", UtcDateTime(), nullable=False),
    )


def feed_position_table(metadata: MetaData) -> Table:
    """How far each consumer has read each producer's replay feed (``shared.feed``)."""
    return Table(
        "feed_position", metadata,
        Column("consumer", String(80), primary_key=True),
        Column("producer", String(80), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("read_at", UtcDateTime(), nullable=False),
    )


# Statements compile to the same SQL whatever metadata holds the table, so the
# outbox, relay, consumer and heartbeat use these; each service adds copies to its own
# metadata so that its migrations create them.
_messaging = MetaData()
outbox = outbox_table(_messaging)
inbox = inbox_table(_messaging)
heartbeat = heartbeat_table(_messaging)
feed_position = feed_position_table(_messaging)


def add_messaging_tables(metadata: MetaData) -> None:
    for table in (outbox, inbox, heartbeat, feed_position):
        table.to_metadata(metadata)
