"""One way to page a list: ``PageQuery`` declares limit and offset with their bounds,
``paginate`` runs a query for one page and its total, ``Page[T]`` is the answer."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
U = TypeVar("U")

MAX_LIMIT = 200
# Far beyond any list here, and well inside a 64-bit OFFSET on SQLite and PostgreSQL.
MAX_OFFSET = 1_000_000


class PageQuery(BaseModel):
    """The paging query parameters; a list's filter model extends it. A query parameter
    the model does not declare is refused (``shared.routes``), as on every other route."""

    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many matching records to skip")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many records match, on every page")
    limit: int
    offset: int

    def map(self, shape: Callable[[T], U]) -> Page[U]:
        """The same page with each item shaped for the answer (e.g. ``ClientRead.of``)."""
        return Page[Any](items=[shape(item) for item in self.items], total=self.total,
                         limit=self.limit, offset=self.offset)


def paginate(session: Session, query: Select, paging: PageQuery) -> Page[Any]:
    """One page of ``query`` (which sets its own order) and the total of all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.limit(paging.limit).offset(paging.offset)))
    return Page[Any](items=items, total=total, limit=paging.limit, offset=paging.offset)
