"""Municipality scope: every query and every lookup answers only what the caller's
token covers. A record outside it is answered as not found, never as forbidden, so
an answer does not reveal that it exists."""
from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, true
from sqlalchemy.orm import Session

from shared.auth import Principal
from shared.errors import NotFound

M = TypeVar("M")


def scope_filter(principal: Principal, column: Any, *, only: str | None = None) -> ColumnElement[bool]:
    """The condition "``column`` is one of the caller's municipalities" (and is ``only``,
    a municipality the caller asked for: 403 when it is outside their scope)."""
    if only is not None:
        principal.require_municipality(only)
        return column == only
    if principal.all_municipalities:
        return true()
    return column.in_(sorted(principal.municipalities))


def in_scope(query: Select, principal: Principal, column: Any, *, only: str | None = None) -> Select:
    """``query`` narrowed to the caller's municipalities (or to ``only``, see ``scope_filter``)."""
    return query.where(scope_filter(principal, column, only=only))


def get_in_scope(session: Session, model: type[M], key: Any, principal: Principal, *, what: str,
                 municipality: str = "municipality_code", for_update: bool = False) -> M:
    """The row ``key`` of ``model``, or 404 when it is unknown or outside the caller's
    municipalities. ``for_update`` locks the row, so two changes of it run one after the other."""
    row = session.get(model, key, with_for_update=for_update)
    if row is None or not principal.can_access(getattr(row, municipality)):
        raise NotFound(what, key)
    return row
