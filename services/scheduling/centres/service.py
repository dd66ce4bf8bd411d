"""Centres: professionals' office hours for a service, cut into slots of its length; the
slots free (the professional working, not booked, not away) booked as appointments, which
are visits at the centre and live as any visit does (check-in, report, missed)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import (
    duration_of,
    local_day,
    mode_of,
    require_municipality,
    roles_for,
    zone_of,
)
from services.scheduling.centres.schemas import (
    AppointmentCreate,
    CentreCreate,
    CentreFilters,
    OfficeHoursCreate,
    Slot,
    SlotFilters,
)
from services.scheduling.models import CarePlan, Centre, OfficeHours, Staff, Visit
from services.scheduling.staff.rules import WEEKDAYS
from services.scheduling.visits import assignment, bookings, service as visits
from shared.auth import Principal
from shared.errors import Conflict, Invalid, NotFound
from shared.localtime import moment
from shared.paging import Page, paginate
from shared.scope import get_in_scope, scope_filter
from shared.types import coordinates
from shared.week import minutes

CENTRE = "centre"  # the service mode of appointments
AHEAD = timedelta(days=366)  # how far ahead an appointment is booked


def register_centre(data: CentreCreate, *, session: Session) -> Centre:
    require_municipality(data.municipality, session=session)
    latitude, longitude = coordinates(data.location)
    centre = Centre(id=uuid.uuid4(), municipality_code=data.municipality, name=data.name, latitude=latitude,
                    longitude=longitude, hours=[])
    session.add(centre)
    return centre


def list_centres(filters: CentreFilters, principal: Principal, *, session: Session) -> Page[Centre]:
    query = select(Centre).where(scope_filter(principal, Centre.municipality_code, only=filters.municipality))
    return paginate(session, query, filters, order=(Centre.name, Centre.id))


def get_centre(centre_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> Centre:
    return get_in_scope(session, Centre, centre_id, principal, what="centre", for_update=for_update)


def add_hours(centre: Centre, data: OfficeHoursCreate, *, session: Session) -> OfficeHours:
    """A professional's weekly hours for a service at the centre: 422 for a member elsewhere or
    without a role for it, or a service not given at centres; 409 over their other office hours."""
    staff = session.get(Staff, data.staff_id)
    if staff is None or staff.municipality_code != centre.municipality_code:
        raise Invalid("staff_id", f"no member of staff {data.staff_id} in {centre.municipality_code}")
    if mode_of(data.service_type, session=session) != CENTRE:
        raise Invalid("service_type", f"{data.service_type} is not a service given at a centre")
    if not roles_for(data.service_type, session=session) & set(staff.roles):
        raise Invalid("staff_id", f"staff member {data.staff_id} has no role that delivers {data.service_type}")
    slot = data.slot_minutes or duration_of(data.service_type, session=session)
    if minutes(data.start) + slot > minutes(data.end):
        raise Invalid("slot_minutes", f"a slot of {slot} minutes does not fit {data.start}-{data.end}")
    _refuse_overlap(data, session=session)
    hours = OfficeHours(id=uuid.uuid4(), staff_id=data.staff_id, service_type=data.service_type,
                        weekday=WEEKDAYS.index(data.day), start=data.start, end=data.end,
                        slot_minutes=slot)
    centre.hours.append(hours)
    return hours


def remove_hours(centre: Centre, hours_id: uuid.UUID) -> None:
    found = next((hours for hours in centre.hours if hours.id == hours_id), None)
    if found is None:
        raise NotFound("office hours", hours_id)
    centre.hours.remove(found)


def free_slots(centre: Centre, filters: SlotFilters, *, now: datetime, session: Session) -> list[Slot]:
    """The slots of the centre's office hours (for a service, a professional) nobody has booked
    and the professional can take: working that day, not booked then, within their week."""
    zone = zone_of(centre.municipality_code, session=session)
    first = filters.from_day or local_day(centre.municipality_code, now, session=session)
    last = first + timedelta(days=filters.days - 1)
    hours = [h for h in centre.hours if filters.service_type in (None, h.service_type)
             and filters.staff_id in (None, h.staff_id)]
    staff = session.scalars(select(Staff).where(Staff.id.in_({h.staff_id for h in hours}))).all()
    members = {m.id: m for m in bookings.members(staff, first, last, zone, session=session)}
    roles = {h.service_type: roles_for(h.service_type, session=session) for h in hours}

    def free(slot: Slot) -> bool:
        visit = _as_visit(slot, centre, roles[slot.service_type], zone)
        return slot.starts_at > now and members[slot.staff_id].reason_against(visit) is None

    slots = [slot for h in hours for slot in _slots(h, first, last, zone) if free(slot)]
    return sorted(slots, key=lambda slot: (slot.starts_at, str(slot.staff_id)))


def book(centre: Centre, data: AppointmentCreate, *, now: datetime, session: Session) -> Visit:
    """The client's appointment in a free slot (409 if it is not one, or no longer), a visit at the centre."""
    if data.starts_at > now + AHEAD:
        raise Invalid("starts_at", "an appointment is booked at most a year ahead")
    if data.care_plan_id is not None:
        _require_plan(data, centre, session=session)
    visits.take_planning_turn(centre.municipality_code, session=session)
    day = local_day(centre.municipality_code, data.starts_at, session=session)
    free = free_slots(centre, SlotFilters(service_type=data.service_type, staff_id=data.staff_id, from_day=day, days=1),
                      now=now, session=session)
    slot = next((slot for slot in free if slot.starts_at == data.starts_at), None)
    if slot is None:
        raise Conflict("not a free slot of the member's office hours for this service", field="starts_at")
    return visits.add_visit(Visit(
        care_plan_id=data.care_plan_id, client_id=data.client_id, municipality_code=centre.municipality_code,
        service_type=data.service_type, staff_id=data.staff_id, starts_at=slot.starts_at, ends_at=slot.ends_at,
        latitude=centre.latitude, longitude=centre.longitude, centre_id=centre.id), now=now, session=session)


def _require_plan(data: AppointmentCreate, centre: Centre, *, session: Session) -> None:
    """422 unless the care plan is one scheduling knows, of this client, in the centre's municipality."""
    plan = session.get(CarePlan, data.care_plan_id)
    if plan is None or plan.client_id != data.client_id or plan.municipality_code != centre.municipality_code:
        raise Invalid("care_plan_id", f"no care plan {data.care_plan_id} of client {data.client_id} in "
                                      f"{centre.municipality_code}")


def _slots(hours: OfficeHours, first: date, last: date, zone: str) -> list[Slot]:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    starts = range(minutes(hours.start), minutes(hours.end) - hours.slot_minutes + 1, hours.slot_minutes)
    return [Slot(staff_id=hours.staff_id, service_type=hours.service_type, starts_at=moment(day, start, zone),
                 ends_at=moment(day, start + hours.slot_minutes, zone))
            for day in days if day.weekday() == hours.weekday for start in starts]


def _as_visit(slot: Slot, centre: Centre, roles: frozenset[str], zone: str) -> assignment.Visit:
    """The slot as assignment reads a visit to the centre."""
    return bookings.as_assignment(Visit(client_id=bookings.NO_CLIENT, starts_at=slot.starts_at, ends_at=slot.ends_at,
                                        latitude=centre.latitude, longitude=centre.longitude), ZoneInfo(zone), roles)


def _refuse_overlap(data: OfficeHoursCreate, *, session: Session) -> None:
    weekday = WEEKDAYS.index(data.day)
    for other in session.scalars(select(OfficeHours).where(OfficeHours.staff_id == data.staff_id,
                                                           OfficeHours.weekday == weekday)):
        if other.start < data.end and data.start < other.end:
            raise Conflict(f"overlaps the member's office hours {other.start}-{other.end} on {data.day}",
                           field="start", office_hours_id=str(other.id))
