"""Heartbeats of the relay and consumer processes, for a service's /readyz.

Each process writes its own row (process, host:pid) every few seconds; a
process is alive if any of its copies beat recently. The rows live in the
service's own database, which every copy of its processes shares.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from shared.db import Database, per_dialect
from shared.messaging.tables import heartbeat

BEAT_EVERY: float = 5.0  # seconds between beats of one process
STALE_AFTER: float = 30.0  # a process silent longer than this is reported dead
PROCESSES = ("relay", "consumer")  # what every service runs beside its API
FORGET_AFTER = timedelta(days=1)  # rows of instances gone for good (restarts make new pids)


def _upsert(dialect_insert):
    statement = dialect_insert(heartbeat)
    return statement.on_conflict_do_update(index_elements=[heartbeat.c.process, heartbeat.c.instance],
                                           set_={"beat_at": statement.excluded.beat_at})


_UPSERT = per_dialect(_upsert)


def instance() -> str:
    """This process among the copies of the same one."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(database: Database, process: str) -> None:
    """This process is alive now."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        session.execute(_UPSERT[database.dialect], {"process": process, "instance": instance(), "beat_at": now})
        session.execute(delete(heartbeat).where(heartbeat.c.beat_at < now - FORGET_AFTER))


def liveness(database: Database, processes: Sequence[str] = PROCESSES,
             now: datetime | None = None) -> dict[str, str]:
    """Per process: "ok", "stale: last beat 42s ago" or "never seen"."""
    now = now or datetime.now(UTC)
    with database.unit_of_work(write=False) as session:
        latest = dict(session.execute(
            select(heartbeat.c.process, func.max(heartbeat.c.beat_at))
            .where(heartbeat.c.process.in_(processes)).group_by(heartbeat.c.process)
        ).all())
    return {process: _state(latest.get(process), now) for process in processes}


def _state(last_beat: datetime | None, now: datetime) -> str:
    if last_beat is None:
        return "never seen"
    silent = (now - last_beat).total_seconds()
    return "ok" if silent <= STALE_AFTER else f"stale: last beat {silent:.0f}s ago"
