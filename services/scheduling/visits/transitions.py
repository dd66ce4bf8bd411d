"""How a visit moves through its lifecycle (``rules.LIFECYCLE``): the visit found within
the caller's reach and locked, the move checked, when and why kept. The visits feature
(coordinators' moves) and the delivery feature (the worker's) move visits through here."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.models import Staff, Visit
from services.scheduling.visits import rules
from shared.auth import Principal, serves_only_assigned
from shared.errors import NotFound
from shared.scope import get_in_scope


def visit_in_reach(visit_id: uuid.UUID, principal: Principal, *, session: Session,
                   for_update: bool = False) -> Visit:
    """The visit, or 404 when it is outside the caller's municipalities or, for a worker, not
    theirs. ``for_update`` locks it, so two changes of one visit run one after the other."""
    visit = get_in_scope(session, Visit, visit_id, principal, what="visit", for_update=for_update)
    if serves_only_assigned(principal.roles) and subject_of(visit.staff_id, session=session) != principal.subject:
        raise NotFound("visit", visit_id)
    return visit


def move(visit: Visit, action: str, *, at: datetime, reason: str | None = None) -> Visit:
    """The visit's next status after ``action`` (the lifecycle's 409 if it may not), with why."""
    visit.status = rules.LIFECYCLE.next(visit.status, action)
    visit.status_changed_at = at
    if reason is not None:
        visit.status_reason = reason
    return visit


def subject_of(staff_id: uuid.UUID | None, *, session: Session) -> str | None:
    """Who the member is in tokens (and in events), or None for no one."""
    return None if staff_id is None else session.scalar(select(Staff.subject).where(Staff.id == staff_id))
