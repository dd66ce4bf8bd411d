"""The case register (seed 000): cases raised at visits, group sessions,
campaigns or walk-ins, followed up by consultations, referrals, visits and calls.

No function commits: the request, the consumer's batch or the command that
calls them owns the transaction. ``add_case_for_visit`` is the event handler's:
it never fails on an event's content.
"""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, contains_eager

from services.intake.access.lookups import get_readable, readable
from services.intake.cases import rules
from services.intake.cases.schemas import (
    CaseCreate,
    CaseFilters,
    CaseUpdate,
    FollowUpCreate,
    FollowUpUpdate,
    OverdueFilters,
    OverdueFollowUp,
    StatusChange,
)
from services.intake.catalogue.lookups import require_code, require_municipality, today_in
from services.intake.models import Case, CaseStatusChange, Client, CodeListEntry, FollowUp, Household, Municipality
from services.intake.staff.lookups import require_staff_subject
from shared.auth import Principal
from shared.db import flush_unique
from shared.errors import Conflict, Invalid, NotFound
from shared.events.intake import CaseOpened, CaseStatusChanged, FollowUpRecorded
from shared.events.scheduling import VisitCompleted
from shared.messaging.outbox import record_event
from shared.paging import Page, equal_to_given, paginate
from shared.scope import scope_filter

log = logging.getLogger(__name__)
SCHEDULING = "scheduling"  # opened_by of the cases that visits raise


# -- opening ---------------------------------------------------------------------


def open_case(data: CaseCreate, *, opened_by: str, session: Session) -> Case:
    require_municipality(data.municipality, session=session)
    _require_subject(data, session=session)
    _require_staff(data.municipality, {"assignee": data.assignee, "supervising_expert": data.supervising_expert},
                   session=session)
    _require_origin(data)
    require_code("case_category", data.category, session=session, field="category")
    _refuse_second_case_for_visit(data.origin, data.origin_ref, session=session)
    case = _add(Case(
        municipality_code=data.municipality, client_id=data.client_id, household_id=data.household_id,
        origin=data.origin, origin_ref=data.origin_ref, category_code=data.category, priority=data.priority,
        title=data.title, description=data.description, assignee=data.assignee,
        supervising_expert=data.supervising_expert, opened_by=opened_by,
    ), session=session)
    _flush_new_case(data, session=session)  # before the outbox insert, which would flush it unguarded
    return _record_opened(case, session=session)


def _flush_new_case(data: CaseCreate, *, session: Session) -> None:
    """A visit's case opened by a simultaneous request is the same 409 naming that case as one found before."""
    try:
        flush_unique(session, Conflict("a simultaneous change conflicts with this case; try again"))
    except Conflict:
        _refuse_second_case_for_visit(data.origin, data.origin_ref, session=session)  # the rollback showed the winner
        raise


def _add(case: Case, *, session: Session) -> Case:
    """A new case, open from now."""
    case.id = case.id or uuid.uuid4()
    case.status, case.opened_at = rules.INITIAL_STATUS, datetime.now(UTC)
    session.add(case)
    return case


def _record_opened(case: Case, *, session: Session) -> Case:
    """The new case's CaseOpened event, for the outbox."""
    record_event(session, CaseOpened(
        case_id=case.id, municipality=case.municipality_code, client_id=case.client_id,
        household_id=case.household_id, origin=case.origin, origin_ref=case.origin_ref,
        category=case.category_code, priority=case.priority,
    ), subject=str(case.id), municipality=case.municipality_code)
    return case


def add_case_for_visit(event: VisitCompleted, *, session: Session) -> Case | None:
    """The case a visit's concern raises, once per visit.

    Never fails on the event's content, so a visit report cannot block the queue:
    an absent or unknown category becomes ``other`` (noted in the description),
    and a visit of a client intake no longer has (erased) is logged and skipped."""
    if not event.concern_raised:
        return None
    existing = case_for_visit(event.visit_id, session=session)
    if existing is not None:
        return existing
    client = session.get(Client, event.client_id)
    if client is None:
        log.warning("visit %s raised a concern about unknown client %s; no case opened",
                    event.visit_id, event.client_id)
        return None
    category, note = _visit_category(event.concern_category, session=session)
    case = _add(Case(
        municipality_code=client.municipality_code, client_id=client.id, origin=rules.VISIT,
        origin_ref=event.visit_id, category_code=category, priority=event.concern_priority,
        title=f"Concern raised at a {event.service_type} visit",
        description=f"Raised by {event.staff_id} at the visit of {event.started_at:%Y-%m-%d %H:%M} UTC.{note}",
        assignee=event.staff_id, opened_by=SCHEDULING,
    ), session=session)
    return _record_opened(case, session=session)


def case_for_visit(visit_id: uuid.UUID, *, session: Session) -> Case | None:
    return session.scalars(select(Case).where(Case.origin == rules.VISIT, Case.origin_ref == visit_id)).first()


def _visit_category(code: str | None, *, session: Session) -> tuple[str, str]:
    if code is not None and _known_category(code, session=session):
        return code, ""
    reported = f" The visit reported category {code!r}, which is not in the case categories." if code else ""
    return rules.FALLBACK_CATEGORY, reported


def _known_category(code: str, *, session: Session) -> bool:
    entry = session.get(CodeListEntry, ("case_category", code))
    return entry is not None and entry.active


def _require_subject(data: CaseCreate, *, session: Session) -> None:
    """Exactly one client or household, of the case's municipality. Someone
    else's client reads as unknown, so the answer reveals nothing."""
    problem = rules.subject_problem(data.client_id, data.household_id)
    if problem:
        raise Invalid(*problem)
    model, key, field = (Client, data.client_id, "client_id") if data.client_id else (
        Household, data.household_id, "household_id")
    row = session.get(model, key)
    if row is None or row.municipality_code != data.municipality:
        raise Invalid(field, f"no {field.removesuffix('_id')} {key} in municipality {data.municipality}")


def _require_origin(data: CaseCreate) -> None:
    problem = rules.origin_ref_problem(data.origin, data.origin_ref)
    if problem:
        raise Invalid(*problem)


def _refuse_second_case_for_visit(origin: str, origin_ref: uuid.UUID | None, *, session: Session) -> None:
    if origin == rules.VISIT and origin_ref and (existing := case_for_visit(origin_ref, session=session)):
        raise Conflict(f"visit {origin_ref} already raised case {existing.id}", field="origin_ref",
                       case_id=str(existing.id))


# -- reading -----------------------------------------------------------------------


def get_case(case_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Case:
    """A case the caller may not read (another municipality's...) is answered as not found, never
    shown. ``for_update`` locks the row, so two status moves of one case run one after the other."""
    return get_readable(session, Case, case_id, principal, what="case", for_update=for_update)


def list_cases(filters: CaseFilters, principal: Principal, *, session: Session) -> Page[Case]:
    """The cases the caller reads (``access.lookups.readable``) that match ``filters``, newest first."""
    assignee = principal.subject if filters.mine else None
    conditions = [readable(principal, Case, only=filters.municipality), *equal_to_given(
        (Case.status, filters.status),
        (Case.category_code, filters.category), (Case.priority, filters.priority),
        (Case.assignee, filters.assignee), (Case.assignee, assignee),
        (Case.client_id, filters.client_id), (Case.household_id, filters.household_id),
    )]
    return paginate(session, select(Case).where(*conditions), filters, order=(Case.opened_at.desc(), Case.id))


# -- changing ----------------------------------------------------------------------


def update_case(case: Case, data: CaseUpdate, *, session: Session) -> Case:
    _refuse_closed(case)
    changes = data.model_dump(exclude_unset=True)
    if "category" in changes:
        require_code("case_category", changes["category"], session=session, field="category")
        case.category_code = changes.pop("category")
    _require_staff(case.municipality_code, {name: changes.get(name) for name in ("assignee", "supervising_expert")},
                   session=session)
    for name, value in changes.items():
        setattr(case, name, value)
    return case


def change_status(case: Case, change: StatusChange, *, changed_by: str, session: Session) -> Case:
    previous, now = case.status, datetime.now(UTC)
    case.status = rules.LIFECYCLE.next(case.status, change.status)
    if rules.LIFECYCLE.is_final(case.status):
        case.closed_at = now
    case.status_changes.append(CaseStatusChange(
        previous_status=previous, status=change.status, note=change.note, changed_at=now, changed_by=changed_by))
    record_event(session, CaseStatusChanged(
        case_id=case.id, municipality=case.municipality_code, category=case.category_code,
        previous_status=previous, status=change.status,
    ), subject=str(case.id), municipality=case.municipality_code)
    return case


def _refuse_closed(case: Case) -> None:
    if rules.LIFECYCLE.is_final(case.status):
        raise Conflict(f"case {case.id} is closed and can no longer change", field="status",
                       current_status=case.status)


# -- follow-ups --------------------------------------------------------------------


def record_follow_up(case: Case, data: FollowUpCreate, *, recorded_by: str,
                     session: Session) -> tuple[FollowUp, FollowUp | None]:
    """A planned or done follow-up; with ``next_due_on`` the next one is scheduled too."""
    _refuse_closed(case)
    _require_staff(case.municipality_code, {"expert": data.expert}, session=session)
    expert = data.expert or (case.supervising_expert if data.kind == "consultation" else None)
    _check_follow_up(case, kind=data.kind, institution=data.institution, expert=expert, due_on=data.due_on,
                     done_on=data.done_on, outcome=data.outcome, next_due_on=data.next_due_on, session=session)
    follow_up = _add_follow_up(case, FollowUp(
        kind=data.kind, description=data.description, institution=data.institution, expert=expert,
        due_on=data.due_on, done_on=data.done_on, outcome=data.outcome,
    ), created_by=recorded_by, session=session)
    scheduled = _schedule_next(case, follow_up, data.next_due_on, created_by=recorded_by, session=session)
    return follow_up, scheduled


def update_follow_up(case: Case, follow_up_id: uuid.UUID, data: FollowUpUpdate, *, recorded_by: str,
                     session: Session) -> tuple[FollowUp, FollowUp | None]:
    """Records that a follow-up was done (done_on, outcome) or reschedules it."""
    _refuse_closed(case)
    follow_up = next((f for f in case.follow_ups if f.id == follow_up_id), None)
    if follow_up is None:
        raise NotFound("follow-up", follow_up_id)
    changes = data.model_dump(exclude_unset=True)
    next_due_on = changes.pop("next_due_on", None)
    merged = {name: changes.get(name, getattr(follow_up, name)) for name in ("due_on", "done_on", "outcome")}
    if next_due_on is not None and follow_up.done_on is not None:
        raise Invalid("next_due_on", "this follow-up was already recorded as done; add a new follow-up instead")
    _check_follow_up(case, kind=follow_up.kind, institution=follow_up.institution, expert=follow_up.expert,
                     next_due_on=next_due_on, session=session, **merged)
    for name, value in changes.items():
        setattr(follow_up, name, value)
    _record_follow_up_event(case, follow_up, session=session)
    scheduled = _schedule_next(case, follow_up, next_due_on, created_by=recorded_by, session=session)
    return follow_up, scheduled


def _require_staff(municipality: str, named: dict[str, str | None], *, session: Session) -> None:
    """Each subject ``named`` by its field is a member of staff working today: an assignee of
    the municipality's staff, an expert (who supervises across the network) of any's."""
    today = today_in(municipality, session=session)
    for field, subject in named.items():
        if subject is not None:
            require_staff_subject(subject, municipality if field == "assignee" else None, on=today, field=field,
                                  session=session)


def _check_follow_up(case: Case, *, session: Session, **fields) -> None:
    problem = rules.follow_up_problem(**fields, today=today_in(case.municipality_code, session=session))
    if problem:
        raise Invalid(*problem)


def _add_follow_up(case: Case, follow_up: FollowUp, *, created_by: str, session: Session) -> FollowUp:
    follow_up.id, follow_up.created_at, follow_up.created_by = uuid.uuid4(), datetime.now(UTC), created_by
    case.follow_ups.append(follow_up)
    _record_follow_up_event(case, follow_up, session=session)
    return follow_up


def _schedule_next(case: Case, done: FollowUp, due_on: date | None, *, created_by: str,
                   session: Session) -> FollowUp | None:
    """The next follow-up of the same kind, with the same institution or expert."""
    if due_on is None:
        return None
    return _add_follow_up(case, FollowUp(
        kind=done.kind, description=done.description, institution=done.institution, expert=done.expert,
        due_on=due_on,
    ), created_by=created_by, session=session)


def _record_follow_up_event(case: Case, follow_up: FollowUp, *, session: Session) -> None:
    record_event(session, FollowUpRecorded(
        follow_up_id=follow_up.id, case_id=case.id, municipality=case.municipality_code, kind=follow_up.kind,
        due_on=follow_up.due_on, done_on=follow_up.done_on, assignee=case.assignee,
        supervising_expert=case.supervising_expert,
    ), subject=str(case.id), municipality=case.municipality_code)


# -- overdue -------------------------------------------------------------------------


def overdue_follow_ups(filters: OverdueFilters, principal: Principal, *,
                       session: Session) -> Page[OverdueFollowUp]:
    """Follow-ups not done and due before ``as_of``, of cases not closed, most overdue first,
    each with its case's title and who it is about (one query for the page, whatever its size)."""
    cutoffs = _overdue_cutoffs(filters, principal, session=session)  # 403 for a municipality outside scope
    if filters.municipality:
        require_municipality(filters.municipality, session=session)
    assignee = principal.subject if filters.mine else None
    case = contains_eager(FollowUp.case)
    query = (
        select(FollowUp).join(FollowUp.case).outerjoin(Case.client).outerjoin(Case.household)
        .options(case.contains_eager(Case.client), case.contains_eager(Case.household))
        .where(FollowUp.done_on.is_(None), FollowUp.due_on.is_not(None), Case.status != rules.CLOSED,
               _due_before(cutoffs), readable(principal, Case),
               *equal_to_given((Case.assignee, filters.assignee), (Case.assignee, assignee)))
    )
    page = paginate(session, query, filters, order=(FollowUp.due_on, FollowUp.id))
    return page.map(lambda follow_up: _overdue(follow_up, cutoffs))


def _overdue(follow_up: FollowUp, cutoffs: dict[str, date]) -> OverdueFollowUp:
    case, client = follow_up.case, follow_up.case.client
    return OverdueFollowUp(
        follow_up_id=follow_up.id, case_id=case.id, title=case.title,
        client_name=client and f"{client.given_name} {client.family_name}",
        household_label=case.household and case.household.label, municipality=case.municipality_code,
        category=case.category_code, assignee=case.assignee, kind=follow_up.kind, due_on=follow_up.due_on,
        days_overdue=rules.days_overdue(follow_up.due_on, cutoffs[case.municipality_code]))


def _overdue_cutoffs(filters: OverdueFilters, principal: Principal, *, session: Session) -> dict[str, date]:
    """Per municipality in scope: the day before which a follow-up is overdue."""
    query = select(Municipality).where(scope_filter(principal, Municipality.code, only=filters.municipality))
    return {m.code: filters.as_of or datetime.now(ZoneInfo(m.timezone)).date() for m in session.scalars(query)}


def _due_before(cutoffs: dict[str, date]) -> ColumnElement[bool]:
    by_day: dict[date, list[str]] = defaultdict(list)
    for code, day in cutoffs.items():
        by_day[day].append(code)
    if not by_day:
        return false()
    return or_(*(and_(Case.municipality_code.in_(codes), FollowUp.due_on < day) for day, codes in by_day.items()))
