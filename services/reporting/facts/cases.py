"""The case register as figures see it: category, when opened, and the spells in which a
case was unresolved; follow-ups with their due and done days."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.reporting.facts.history import spells
from services.reporting.models import Case, CaseSpell, CaseStep, FollowUp
from shared.events.intake import CaseOpened, CaseStatusChanged, FollowUpRecorded
from shared.replicas import add_once, keep_latest_values, replace_rows

RESOLVED = frozenset({"resolved", "closed"})
OPENED = "open"


def keep_opened(event: CaseOpened, *, at: datetime, event_id: str, session: Session) -> None:
    _case(event.case_id, event.municipality, event.category, session=session)
    session.execute(update(Case).where(Case.case_id == event.case_id).values(
        category=event.category, client_id=event.client_id, opened_at=at))
    _step(event.case_id, OPENED, at=at, event_id=event_id, session=session)


def keep_status(event: CaseStatusChanged, *, at: datetime, event_id: str, session: Session) -> None:
    _case(event.case_id, event.municipality, event.category, session=session)
    _step(event.case_id, event.status, at=at, event_id=event_id, session=session)


def keep_follow_up(event: FollowUpRecorded, *, at: datetime, session: Session) -> None:
    keep_latest_values(session, FollowUp.__table__, {
        "follow_up_id": event.follow_up_id, "case_id": event.case_id, "due_on": event.due_on, "done_on": event.done_on,
        "as_of": at})


def _case(case_id: uuid.UUID, municipality: str, category: str, *, session: Session) -> None:
    add_once(session, Case.__table__, [{"case_id": case_id, "municipality": municipality, "category": category}])


def _step(case_id: uuid.UUID, status: str, *, at: datetime, event_id: str, session: Session) -> None:
    add_once(session, CaseStep.__table__, [{"event_id": event_id, "case_id": case_id, "at": at, "status": status}])
    steps = session.execute(select(CaseStep.at, CaseStep.status).where(CaseStep.case_id == case_id))
    replace_rows(session, CaseSpell.__table__, "case_id", case_id,
                 [{"case_id": case_id, "opened_at": opened, "resolved_at": resolved}
                  for opened, resolved in spells((at, status not in RESOLVED) for at, status in steps)])
