"""The access log over HTTP: ``Reads``, how every route that shows a client's personal data
records it, and the query of the data-protection officer (and network admin) per person."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.intake.access import schemas, service
from services.intake.access.rules import Reading
from shared.auth import AccessLogReader, Caller, Principal
from shared.errors import Problem
from shared.paging import Page
from shared.web import Db, WritesWhenReading, problem_answer

router = APIRouter(tags=["access log"])


@dataclass(frozen=True)
class AccessLog:
    """What a route shows of whom, written in the request's transaction. That transaction commits
    before the answer is sent: when a row cannot be written, nothing is shown."""

    reader: Principal
    session: Session

    def clients(self, what: Reading, ids: Iterable[uuid.UUID]) -> None:
        """A row per client shown (one INSERT for a whole page)."""
        if ids := list(ids):
            service.record_reads(what, service.clients_among(ids), self.reader, session=self.session)

    def cases(self, what: Reading, ids: Iterable[uuid.UUID]) -> None:
        """A row per client the cases shown are about (a household's case: each member)."""
        if ids := list(ids):
            service.record_reads(what, service.clients_of_cases(ids), self.reader, session=self.session)

    def refusal(self, problem: Problem, what: Reading, ids: Iterable[uuid.UUID]) -> JSONResponse:
        """The answer to ``problem``, which shows these clients: what the request changed is
        undone, the rows of what it shows are kept."""
        self.session.rollback()
        self.clients(what, ids)
        return problem_answer(problem)


def _access_log(reader: Caller, session: Db, _: WritesWhenReading) -> AccessLog:
    return AccessLog(reader, session)


# The access log of a route that shows personal data: a GET taking it is a write transaction.
Reads = Annotated[AccessLog, Depends(_access_log)]


@router.get("/clients/{client_id}/access-log", response_model=Page[schemas.AccessRead],
            summary="Who read a client's personal data, what and when, the latest first "
                    "(data-protection officer, network admin)")
def access_log(client_id: uuid.UUID, filters: Annotated[schemas.AccessLogFilters, Query()],
               caller: AccessLogReader, reads: Reads, session: Db):
    page = service.access_log(client_id, filters, caller, session=session)
    reads.clients("access_log", [client_id])
    return page.map(schemas.AccessRead.model_validate)
