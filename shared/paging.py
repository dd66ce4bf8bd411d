"""One way to page a list: ``PageQuery`` declares limit, offset and the ``after`` cursor with
their bounds, ``paginate`` runs a query for one page and its total, ``Page[T]`` is the answer.

Two ways through a long list: ``offset`` skips rows (the database still reads them, so deep
pages get slower), ``after`` continues from the ``next`` cursor of the page before (keyset
paging: an index lookup however deep, and no row is skipped or repeated while rows are added).
"""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from shared.errors import Invalid

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 200
# Far beyond any list here, and well inside a 64-bit OFFSET on SQLite and PostgreSQL.
MAX_OFFSET = 1_000_000
MAX_CURSOR = 512  # characters: a few keys, base64


class PageQuery(BaseModel):
    """The paging query parameters; a list's filter model extends it. A query parameter
    the model does not declare is refused (``shared.routes``), as on every other route."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many matching records to skip")
    after: str | None = Field(None, min_length=1, max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_-]+={0,2}$",
                              description="The `next` of the page before: the page that follows it, "
                                          "however deep (instead of `offset`)")

    @field_validator("after")
    @classmethod
    def _one_way_through(cls, after: str | None, info: ValidationInfo) -> str | None:
        if after is not None and info.data.get("offset"):
            raise ValueError("after and offset exclude each other: continue with after, or skip with offset")
        return after


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many records match, on every page")
    limit: int
    offset: int
    next: str | None = Field(None, description="Send as `after` for the page that follows; null on the last page")

    def map(self, shape: Callable[[T], U]) -> Page[U]:
        """The same page with each item shaped for the answer (e.g. ``ClientRead.of``)."""
        return Page[Any](items=[shape(item) for item in self.items], total=self.total,
                         limit=self.limit, offset=self.offset, next=self.next)


def equal_to_given(*pairs: tuple[Any, Any]) -> list[ColumnElement[bool]]:
    """``column == value`` for each (column, value) of a list's filters that was given (not None)."""
    return [column == value for column, value in pairs if value is not None]


def starting_within(column: Any, starts_from: Any, starts_before: Any) -> list[ColumnElement[bool]]:
    """The conditions of a list's period filters that were given: ``column`` at or after
    ``starts_from``, before ``starts_before``."""
    conditions = [] if starts_from is None else [column >= starts_from]
    return conditions if starts_before is None else [*conditions, column < starts_before]


def paginate(session: Session, query: Select, paging: PageQuery, *, order: Sequence[Any]) -> Page[Any]:
    """One page of ``query`` and the total of all its rows. ``order`` is the list's order:
    mapped columns, each ascending or ``.desc()``, never null, the last one unique (an id),
    so that a cursor names one place in it."""
    keys = [_Key.of(term) for term in order]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if paging.after is not None:
        query = query.where(_beyond(keys, _decode(paging.after, keys)))
    rows = list(session.scalars(query.order_by(*order).limit(paging.limit + 1).offset(paging.offset)))
    items, more = rows[:paging.limit], len(rows) > paging.limit
    return Page[Any](items=items, total=total, limit=paging.limit, offset=paging.offset,
                     next=_encode(keys, items[-1]) if more else None)


class _Key:
    """One term of a list's order: the mapped column, its direction, how to read its value back."""

    def __init__(self, column: Any, descending: bool) -> None:
        self.column, self.descending = column, descending
        self.parse = _PARSERS.get(column.type.python_type, str)

    @classmethod
    def of(cls, term: Any) -> _Key:
        if isinstance(term, UnaryExpression):
            return cls(term.element, descending=term.modifier is operators.desc_op)
        return cls(term, descending=False)

    def beyond(self, value: Any) -> ColumnElement[bool]:
        return self.column < value if self.descending else self.column > value


# Cursor values travel as JSON strings; each column type reads its own back.
_PARSERS: dict[type, Callable[[str], Any]] = {
    uuid.UUID: uuid.UUID, date: date.fromisoformat, datetime: datetime.fromisoformat, int: int, str: str,
}


def _beyond(keys: list[_Key], values: list[Any]) -> ColumnElement[bool]:
    """Rows after ``values`` in the order of ``keys``: greater in the first key, or equal in
    it and after in the rest (spelled out, as row values cannot mix directions)."""
    return or_(*(and_(*(key.column == value for key, value in zip(keys[:i], values, strict=False)),
                      keys[i].beyond(values[i]))
                 for i in range(len(keys))))


def _encode(keys: list[_Key], item: Any) -> str:
    values = [str(getattr(item, key.column.key)) for key in keys]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decode(cursor: str, keys: list[_Key]) -> list[Any]:
    """The values a cursor holds (422 naming ``after`` for one this list did not give)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(keys) or not all(isinstance(v, str) for v in values):
            raise ValueError
        return [key.parse(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, binascii.Error):
        raise Invalid("after", "is not the next of a page of this list") from None
