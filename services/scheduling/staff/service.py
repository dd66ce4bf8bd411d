"""Staff: who works in a municipality, in which roles, in which usual week, and when
they are away. Events name a member by id, subject and roles: their name stays here."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import require_municipality, require_staff_roles
from services.scheduling.models import Staff, StaffAbsence, StaffAvailability, StaffMemberRole
from services.scheduling.staff.rules import WEEKDAYS
from services.scheduling.staff.schemas import (
    AbsenceCreate,
    AvailabilityWindow,
    Leaving,
    StaffCreate,
    StaffFilters,
    StaffUpdate,
)
from shared.auth import Principal
from shared.db import flush_unique
from shared.errors import Conflict, NotFound
from shared.events.scheduling import StaffChanged, StaffLeft, StaffRegistered
from shared.messaging.outbox import record_event
from shared.paging import Page, paginate
from shared.scope import get_in_scope, scope_filter
from shared.types import Location, coordinates


def register_staff(data: StaffCreate, *, session: Session, staff_id: uuid.UUID | None = None) -> Staff:
    """A new member (``staff_id``: an id they already have elsewhere, the demo's, an import's)."""
    require_municipality(data.municipality, session=session)
    require_staff_roles(data.roles, session=session)
    taken = Conflict(f"a member of staff with subject {data.subject} is already registered", field="subject")
    if session.scalar(select(Staff.id).where(Staff.subject == data.subject)) is not None:
        raise taken
    staff = Staff(id=staff_id or uuid.uuid4(), municipality_code=data.municipality, subject=data.subject,
                  display_name=data.display_name, skills=data.skills,
                  contracted_hours_per_week=data.contracted_hours_per_week, registered_at=datetime.now(UTC),
                  joined_on=data.joined_on)
    staff.roles = data.roles
    _locate(staff, data.base_location)
    staff.availability_rows = _availability(data.availability)
    session.add(staff)
    flush_unique(session, taken)
    _publish(staff, StaffRegistered, session=session)
    return staff


def list_staff(filters: StaffFilters, principal: Principal, *, session: Session) -> Page[Staff]:
    query = select(Staff).where(scope_filter(principal, Staff.municipality_code, only=filters.municipality))
    if not filters.include_left:
        query = query.where(Staff.left_on.is_(None))
    if filters.role is not None:
        query = query.where(Staff.id.in_(select(StaffMemberRole.staff_id).where(StaffMemberRole.code == filters.role)))
    return paginate(session, query, filters, order=(Staff.display_name, Staff.id))


def get_staff(staff_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Staff:
    return get_in_scope(session, Staff, staff_id, principal, what="staff member", for_update=for_update)


def update_staff(staff: Staff, data: StaffUpdate, *, session: Session) -> Staff:
    """Applies the fields sent; publishes StaffChanged when the roles changed."""
    sent = data.model_dump(exclude_unset=True)
    roles_before = staff.roles
    if "roles" in sent:
        staff.roles = require_staff_roles(data.roles or [], session=session)
    for name in ("display_name", "skills", "contracted_hours_per_week"):
        if name in sent:
            setattr(staff, name, sent[name])
    if "base_location" in sent:
        _locate(staff, data.base_location)
    if "availability" in sent:
        staff.availability_rows = _availability(data.availability or [])
    if staff.roles != roles_before:
        _publish(staff, StaffChanged, session=session)
    return staff


def record_leaving(staff: Staff, data: Leaving, *, session: Session) -> Staff:
    if staff.left_on is not None:
        raise Conflict(f"staff member {staff.id} left on {staff.left_on}", field="left_on")
    staff.left_on = data.left_on
    _publish(staff, StaffLeft, session=session)
    return staff


def record_absence(staff: Staff, data: AbsenceCreate, *, recorded_by: str, session: Session) -> StaffAbsence:
    """A period away; one that overlaps another of the member's is a 409 naming it."""
    overlapping = session.scalar(select(StaffAbsence).where(
        StaffAbsence.staff_id == staff.id, StaffAbsence.starts_on <= data.ends_on,
        StaffAbsence.ends_on >= data.starts_on))
    if overlapping is not None:
        raise Conflict(f"overlaps the {overlapping.kind} from {overlapping.starts_on} to {overlapping.ends_on}",
                       field="starts_on", absence_id=str(overlapping.id))
    absence = StaffAbsence(id=uuid.uuid4(), staff_id=staff.id, kind=data.kind, starts_on=data.starts_on,
                           ends_on=data.ends_on, recorded_by=recorded_by, recorded_at=datetime.now(UTC))
    session.add(absence)
    return absence


def list_absences(staff: Staff, *, session: Session) -> list[StaffAbsence]:
    query = select(StaffAbsence).where(StaffAbsence.staff_id == staff.id).order_by(StaffAbsence.starts_on)
    return list(session.scalars(query))


def absence_of(staff: Staff, absence_id: uuid.UUID, *, session: Session) -> StaffAbsence:
    """One of the member's absences (404 for another's)."""
    absence = session.get(StaffAbsence, absence_id)
    if absence is None or absence.staff_id != staff.id:
        raise NotFound("absence", absence_id)
    return absence


def cancel_absence(staff: Staff, absence_id: uuid.UUID, *, session: Session) -> None:
    session.delete(absence_of(staff, absence_id, session=session))


def _availability(windows: list[AvailabilityWindow]) -> list[StaffAvailability]:
    return [StaffAvailability(weekday=WEEKDAYS.index(w.day), start=w.start, end=w.end) for w in windows]


def _locate(staff: Staff, location: Location | None) -> None:
    staff.base_latitude, staff.base_longitude = coordinates(location)


def _facts(staff: Staff) -> dict:
    return {"staff_id": staff.id, "subject": staff.subject, "municipality": staff.municipality_code,
            "roles": staff.roles, "joined_on": staff.joined_on, "left_on": staff.left_on}


def _publish(staff: Staff, event_type: type[StaffRegistered], *, session: Session) -> None:
    record_event(session, event_type(**_facts(staff)), subject=str(staff.id), municipality=staff.municipality_code)
