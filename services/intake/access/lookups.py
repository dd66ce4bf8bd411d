"""The one rule of who reads which clients, for every read of intake's personal data.

Everyone reads the clients of their municipalities (``shared.scope``). A worker (whose only
role that reads personal data is the worker's) in a municipality where scheduling assigns
workers to clients (its first assignment event arrived) reads only the clients they serve:
those assigned to them, and those they registered whom nobody is assigned to yet (the
families a health mediator finds, until scheduling gives them to someone). A record about
clients (a care plan, an agreement, a case) is read as its client is; a household's case
as any of its members. What is not read is not found (404), as another municipality's."""
from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from services.intake.models import AssignmentsKnown, Case, Client, ClientAssignment
from shared.auth import Principal, serves_only_assigned
from shared.errors import NotFound
from shared.scope import get_in_scope, scope_filter

M = TypeVar("M")


def readable(principal: Principal, model: Any, *, only: str | None = None) -> ColumnElement[bool]:
    """The condition "the caller reads this ``model`` row" (a Client, or a CarePlan, Agreement or
    Case about clients); ``only`` narrows it to one municipality (403 outside the caller's)."""
    in_reach = scope_filter(principal, model.municipality_code, only=only)
    if not serves_only_assigned(principal.roles):
        return in_reach
    return and_(in_reach, _as_a_worker_reads(model, principal.subject))


def get_readable(session: Session, model: type[M], key: uuid.UUID, principal: Principal, *, what: str,
                 for_update: bool = False) -> M:
    """The row ``key`` of ``model`` (see ``readable``), or 404; ``for_update`` locks it."""
    row = get_in_scope(session, model, key, principal, what=what, for_update=for_update)
    if serves_only_assigned(principal.roles) and not _served_row(session, model, key, principal.subject):
        raise NotFound(what, key)
    return row


def _served_row(session: Session, model: Any, key: uuid.UUID, staff_id: str) -> bool:
    return session.scalar(select(model.id).where(model.id == key, _as_a_worker_reads(model, staff_id))) is not None


def _as_a_worker_reads(model: Any, staff_id: str) -> ColumnElement[bool]:
    """The worker ``staff_id`` reads ``model``'s row: nobody's assignments are known in its
    municipality yet, or it is about a client they serve."""
    unknown = model.municipality_code.not_in(select(AssignmentsKnown.municipality_code))
    return or_(unknown, _about_served(model, staff_id))


def _about_served(model: Any, staff_id: str) -> ColumnElement[bool]:
    """``model``'s row is about a client ``staff_id`` serves (for a Client: is one)."""
    if model is Client:
        return _serves(Client, staff_id)
    served = aliased(Client)  # never the Client a query of the record joins
    about = [model.client_id.in_(select(served.id).where(_serves(served, staff_id)))]
    if model is Case:
        about.append(model.household_id.in_(select(served.household_id).where(_serves(served, staff_id))))
    return or_(*about)


def _serves(client: Any, staff_id: str) -> ColumnElement[bool]:
    """``staff_id`` serves ``client`` (Client or an alias of it): it is assigned to them, or they
    registered it and it is assigned to nobody."""
    assigned = select(ClientAssignment.client_id).where(ClientAssignment.assigned.is_(True))
    return or_(client.id.in_(assigned.where(ClientAssignment.staff_id == staff_id)),
               and_(client.registered_by == staff_id, client.id.not_in(assigned)))
