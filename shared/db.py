"""Engine, sessions and the unit of work, the same for SQLite and PostgreSQL."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, Engine, MetaData, TypeDecorator, create_engine, event, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from shared.errors import Conflict

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Each service owns its own metadata: no table is shared between databases."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware UTC in Python: PostgreSQL
    keeps the zone, SQLite does not, and both must answer the same."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: give timestamps a time zone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# The execution option of a write transaction's connection (see ``_sqlite_engine``).
_WRITES = "carecircle_writes"


def per_dialect(build: Callable[[Callable[..., Any]], T]) -> dict[str, T]:
    """A statement built once with each dialect's own INSERT (``ON CONFLICT`` is not portable
    Core), to look up by ``session.get_bind().dialect.name``."""
    return {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}


# What a database call raises when it fails, as the relay and consumer loops catch it.
DATABASE_ERRORS = (DBAPIError, PoolTimeout)


def unavailable(exc: BaseException) -> bool:
    """The database was not there to answer (refused, lost, locked, every pooled
    connection busy): nothing in the request or event was at fault, so it is
    answered "try again later", not blamed on the input."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def flush_unique(session: Session, conflict: Conflict) -> None:
    """Flush, answering ``conflict`` (a 409) when a unique constraint says that a
    concurrent request registered the same key first. The transaction is rolled back."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise conflict from None


def take_turn(session: Session, column: Any, where: ColumnElement[bool]) -> None:
    """Transactions that take their turn on the same row (``where``) run one after the other,
    each until it ends: a write of ``column`` (a plain column of the row) to itself is the lock
    on both databases (PostgreSQL's row lock, which inserts referring to the row do not wait
    for; SQLite's write lock, whenever the transaction began)."""
    session.execute(update(column.class_).where(where).values({column: column})
                    .execution_options(synchronize_session=False))


class Database:
    """One service's database. The engine is made on first use, so it is
    created after a fork (Celery prefork, several uvicorn workers)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._sessions: dict[bool, sessionmaker[Session]] | None = None
        self._lock = threading.Lock()  # embedded mode: the API, relay and consumer threads share it

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                self._engine = _create_engine(self.url)
                self._pid = os.getpid()
                self._sessions = {write: sessionmaker(self._engine.execution_options(**{_WRITES: write}),
                                                      expire_on_commit=False) for write in (True, False)}
            return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def one_writer(self) -> bool:
        """Whether one transaction writes at a time, whatever rows it touches (SQLite)."""
        return _sqlite(self.url)

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """A session that rolls back on exit unless the caller committed. A write (the
        default) runs alone on SQLite from its first statement; ``write=False`` is for
        reads, which never wait for a writer (a write in one may find the database busy)."""
        self.engine  # noqa: B018 - makes the session factories for this process
        assert self._sessions is not None
        with self._sessions[write]() as session:
            yield session

    @contextmanager
    def one_connection(self) -> Iterator[Session]:
        """A writing unit of work that keeps its connection across commits: for a task that
        commits item by item (a connection taken from the pool for each is checked by a ping,
        a round trip each)."""
        engine = self.engine.execution_options(**{_WRITES: True})
        assert self._sessions is not None
        with engine.connect() as connection, self._sessions[True](bind=connection) as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work that commits when the block ends normally: the owner of the
        transaction for a task, a command or a test (service functions never commit)."""
        with self.unit_of_work() as session:
            yield session
            session.commit()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _create_engine(url: str) -> Engine:
    # hide_parameters: an error's text never quotes a statement's values (names, phones...).
    if _sqlite(url):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True)


def _sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # WAL lets the API, relay and consumer threads share a file
        dbapi_conn.isolation_level = None  # sqlite3 emits no BEGIN of its own: _begin does
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        """SQLite ignores ``FOR UPDATE``: a write takes the database's write lock as it
        begins, so what it read stays true until it commits, as a row lock keeps it on
        PostgreSQL (SQLAlchemy's pysqlite recipe for controlling BEGIN)."""
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITES) else "BEGIN")

    return engine
