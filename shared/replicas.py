"""Local copies of another service's records, kept from its events (no service
reads another's database). Events may arrive out of order (a retried older one
after the newer one that followed it), so a replica row remembers the time of
the event it reflects and an older event never overwrites a newer one."""
from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, delete, func, inspect, or_
from sqlalchemy.orm import Mapped, Session

from shared.db import per_dialect


class Replica:
    """Mixin of a replica table: ``as_of`` is the time of the event the row reflects."""

    as_of: Mapped[datetime]


R = TypeVar("R", bound=Replica)


def keep_latest(session: Session, row: R) -> R | None:
    """Stores ``row`` as its event describes it, unless a later event is already kept;
    returns the stored row, or None when the event changed nothing."""
    key = inspect(type(row)).primary_key_from_instance(row)
    if is_news(session.get(type(row), key), row.as_of):
        return session.merge(row)
    return None


def is_news(kept: Replica | None, as_of: datetime) -> bool:
    """Whether an event of ``as_of`` about ``kept`` (None: unknown yet) is to be applied: it is
    not older than the event the row reflects. For an event that changes part of a row."""
    return kept is None or kept.as_of <= as_of


# -- the same rule in one Core statement, for consumers that apply many events a second ----------


def keep_latest_values(session: Session, table: Table, row: dict[str, Any], *, version: str = "as_of") -> bool:
    """Inserts ``row`` into ``table``, or updates the row of its key with it unless that row's
    ``version`` column is later: one ``INSERT .. ON CONFLICT DO UPDATE .. WHERE`` statement.
    Returns whether the row was written."""
    return session.execute(_statement(session, table, tuple(row), version), row).first() is not None


def later(session: Session, table: Table, row: dict[str, Any], *, version: str | None = None,
          fill: bool = False) -> None:
    """``row`` kept as ``keep_latest_values`` keeps it (by ``version``), or with ``fill`` only
    filled in: inserted, or given the values its row lacks (its NULL columns), as what never
    changes of a record that events tell in parts, whichever part comes first. Written with
    the batch's other rows of the same statement by ``write_later`` before the batch commits:
    one pipelined executemany instead of a round trip a row. For writes that no handler of
    the batch reads and whose order does not matter (the latest version wins, a filled value
    stays): a consumer that applies thousands of events a second."""
    key = (table, tuple(row), _FILL if fill else version)
    session.info.setdefault(_LATER, {}).setdefault(key, []).append(row)


def write_later(session: Session) -> None:
    """Writes what ``later`` kept for the end of the batch (a consumer's ``finishing``)."""
    for (table, columns, version), rows in session.info.pop(_LATER, {}).items():
        session.execute(_statement(session, table, columns, version, returning=False), rows)


def add_once(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Inserts the ``rows`` whose key ``table`` does not hold yet (facts that never change)."""
    if rows:
        session.execute(_statement(session, table, tuple(rows[0]), None), rows)


_FILL = "\0fill"  # the statement that fills a row in
_LATER = "carecircle.later"  # the session's rows left for the end of the batch
_statements: dict[tuple[str, str, tuple[str, ...], str | None, bool], Any] = {}


def _statement(session: Session, table: Table, columns: tuple[str, ...], version: str | None, *,
               returning: bool = True) -> Any:
    """Built once per table, columns and dialect: building a statement costs more than running it."""
    dialect = session.get_bind().dialect.name
    key = (dialect, table.name, columns, version, returning)
    if key not in _statements:
        _statements[key] = _upsert(per_dialect(lambda insert: insert(table))[dialect], table, columns, version,
                                   returning=returning)
    return _statements[key]


def _upsert(insert: Any, table: Table, columns: tuple[str, ...], version: str | None, *, returning: bool) -> Any:
    keys = [column.name for column in table.primary_key]
    if version is None:
        return insert.on_conflict_do_nothing(index_elements=keys)
    if version == _FILL:
        return insert.on_conflict_do_update(index_elements=keys, set_={
            name: func.coalesce(table.c[name], insert.excluded[name]) for name in columns if name not in keys})
    kept = table.c[version]
    changes = {name: insert.excluded[name] for name in columns if name not in keys}
    upsert = insert.on_conflict_do_update(
        index_elements=keys, set_=changes, where=or_(kept.is_(None), kept <= insert.excluded[version]))
    return upsert.returning(*table.primary_key.columns) if returning else upsert


def replace_rows(session: Session, table: Table, key: str, value: Any, rows: list[dict[str, Any]]) -> None:
    """The rows of ``table`` whose ``key`` is ``value`` become ``rows``: a replica's list (a
    client's target groups, a worker's roles) as the event just kept lists it."""
    session.execute(delete(table).where(table.c[key] == value))
    add_once(session, table, rows)
