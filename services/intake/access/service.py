"""The access log (who read which client's personal data, what and when) and the replica of
scheduling's assignments that narrows a worker's reading (see ``lookups``)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import JSON, ColumnElement, String, insert, literal, or_, select
from sqlalchemy.orm import Session

from services.intake.access.lookups import get_readable
from services.intake.access.rules import Reading
from services.intake.access.schemas import AccessLogFilters
from services.intake.models import AccessRecord, AssignmentsKnown, Case, Client, ClientAssignment
from shared.auth import Principal
from shared.db import UtcDateTime, per_dialect
from shared.events.scheduling import ClientAssigned, ClientUnassigned
from shared.paging import Page, paginate
from shared.replicas import keep_latest

# -- the access log -----------------------------------------------------------------------


def record_reads(what: Reading, whom: ColumnElement[bool], reader: Principal, *, session: Session) -> None:
    """One access-log row for every client ``whom`` (a condition on Client) selects, in one INSERT."""
    read = select(Client.id, literal(datetime.now(UTC), UtcDateTime()), literal(reader.subject, String()),
                  literal(sorted(reader.roles), JSON()), literal(what, String())).where(whom)
    columns = ["client_id", "read_at", "reader", "roles", "what"]
    session.execute(insert(AccessRecord).from_select(columns, read))


def clients_among(ids: Iterable[uuid.UUID]) -> ColumnElement[bool]:
    return Client.id.in_(list(ids))


def clients_of_cases(ids: Iterable[uuid.UUID]) -> ColumnElement[bool]:
    """The clients the cases ``ids`` are about: each one's client, or the members of its household."""
    cases = list(ids)
    return or_(Client.id.in_(select(Case.client_id).where(Case.id.in_(cases))),
               Client.household_id.in_(select(Case.household_id).where(Case.id.in_(cases))))


def access_log(client_id: uuid.UUID, filters: AccessLogFilters, principal: Principal, *,
               session: Session) -> Page[AccessRecord]:
    """Who read the client's personal data in the period, the latest first (404 for a client
    the caller cannot read: another municipality's)."""
    client = get_readable(session, Client, client_id, principal, what="client")
    query = select(AccessRecord).where(AccessRecord.client_id == client.id)
    if filters.read_from is not None:
        query = query.where(AccessRecord.read_at >= filters.read_from)
    if filters.read_to is not None:
        query = query.where(AccessRecord.read_at < filters.read_to)
    return paginate(session, query, filters, order=(AccessRecord.read_at.desc(), AccessRecord.id.desc()))


# -- who serves whom: scheduling's assignments ----------------------------------------------


def keep_assignment(event: ClientAssigned | ClientUnassigned, *, assigned: bool, as_of: datetime,
                    session: Session) -> None:
    """The latest of a worker's assignment to a client and its end, by the time of their events
    (an older one delivered late changes nothing). The first to arrive of a municipality marks
    it as one where workers read only the clients they serve."""
    keep_latest(session, ClientAssignment(client_id=event.client_id, staff_id=event.staff_id,
                                          municipality_code=event.municipality, assigned=assigned, as_of=as_of))
    session.execute(_MARK_KNOWN[session.get_bind().dialect.name], {"municipality_code": event.municipality,
                                                                     "since": as_of})


# Once per municipality: the time of the first event to arrive stays.
_MARK_KNOWN = per_dialect(lambda insert_: insert_(AssignmentsKnown.__table__).on_conflict_do_nothing())
