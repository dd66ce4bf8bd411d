"""Visits from care plans: intake's plans kept as a replica, each plan's visits generated
over a rolling horizon and given to staff, again for the future when the plan changes,
cancelled when it stops. Publishes the visits planned, moved and cancelled
(``scheduling.visits.planned|cancelled.v1``, ``scheduling.visit.rescheduled.v1``) and who
serves whom (``scheduling.client.(un)assigned.v1``)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import local_day, zone_of
from services.scheduling.models import (
    CarePlan,
    ClientServedBy,
    Municipality,
    ServiceType,
    Staff,
    Visit,
)
from services.scheduling.visits import assignment, bookings, rules
from services.scheduling.visits.schemas import VisitCancel, VisitFilters, VisitMove
from services.scheduling.visits.transitions import move, visit_in_reach
from shared.auth import Principal, serves_only_assigned
from shared.db import take_turn
from shared.errors import Conflict, Invalid
from shared.events.intake import CarePlanActivated, CarePlanLine, CarePlanSuspended
from shared.events.scheduling import (
    ClientAssigned,
    ClientUnassigned,
    PlannedVisit,
    VisitRescheduled,
    VisitsCancelled,
    VisitsPlanned,
)
from shared.localtime import moment
from shared.messaging.outbox import record_events
from shared.paging import Page, equal_to_given, paginate, starting_within
from shared.replicas import is_news, keep_latest
from shared.scope import scope_filter
from shared.settings import get_settings
from shared.types import coordinates

PLANNED, CHECKED_IN, CANCELLED, BOOKED = rules.PLANNED, rules.CHECKED_IN, rules.CANCELLED, rules.BOOKED
INSERT_BATCH = 5000
PLANNED_PLACES = ("home", "phone")  # centre slots, rounds and groups are planned by their own features


# -- the replica, and what its events do ---------------------------------------------------------


def keep_plan_in_force(event: CarePlanActivated, *, as_of: datetime, now: datetime, session: Session) -> None:
    """An activated or changed plan (the whole plan): its future visits are planned again."""
    kept = session.get(CarePlan, event.careplan_id)
    latitude, longitude = coordinates(event.location)
    plan = keep_latest(session, CarePlan(
        id=event.careplan_id, client_id=event.client_id, municipality_code=event.municipality, status="active",
        starts_on=event.starts_on, ends_on=event.ends_on, settlement_id=event.settlement_id,
        latitude=latitude, longitude=longitude,
        lines=[line.model_dump(mode="json") for line in event.lines],
        planned_until=kept.planned_until if kept else None, as_of=as_of))
    if plan is not None:
        replan(plan, now=now, session=session)


def keep_plan_stopped(event: CarePlanSuspended, *, status: str, as_of: datetime, now: datetime,
                      session: Session) -> None:
    """A suspended or ended plan: its visits from the day it stopped are cancelled."""
    plan = session.get(CarePlan, event.careplan_id)
    if plan is None or not is_news(plan, as_of):
        return
    plan.status, plan.as_of = status, as_of
    stopped = max(now, moment(event.effective_on, 0, zone_of(plan.municipality_code, session=session)))
    _cancel_from(plan, stopped, "plan_stopped", session=session)
    _publish_assignments({plan.client_id}, plan.municipality_code, now=now, session=session)


# -- planning ------------------------------------------------------------------------------------


def replan(plan: CarePlan, *, now: datetime, session: Session) -> int:
    """Cancels the plan's visits that have not started and plans them again up to the horizon;
    returns how many it planned."""
    take_planning_turn(plan.municipality_code, session=session)
    _cancel_from(plan, now, "plan_changed", session=session)
    today = local_day(plan.municipality_code, now, session=session)
    first, last = max(today, plan.starts_on), horizon_end(today)
    rows, plan.planned_until = _plan(plan, first, last, _Staffing.of(plan.municipality_code, first, last,
                                                                      session=session), now=now)
    planned = _insert(rows, session=session)
    _publish_assignments({plan.client_id}, plan.municipality_code, now=now, session=session)
    return planned


def plan_between(plan: CarePlan, first: date, last: date, *, now: datetime, session: Session) -> list[uuid.UUID]:
    """The plan's visits from ``first`` to ``last`` as planning at ``now`` would have made them
    (the demo's weeks gone by); their ids, in order."""
    rows, _ = _plan(plan, first, last, _Staffing.of(plan.municipality_code, first, last, session=session), now=now)
    _insert(rows, session=session)
    return [row["id"] for row in rows]


def extend_horizons(*, now: datetime, session: Session) -> int:
    """Every active plan's visits from the day after its last planned one to the horizon, a
    municipality at a time (its staff and their bookings read once); returns how many."""
    query = select(CarePlan).where(CarePlan.status == "active", CarePlan.planned_until.is_(None)
                                   | (CarePlan.planned_until < horizon_end(now.date()))).order_by(CarePlan.id)
    by_municipality: dict[str, list[CarePlan]] = {}
    for plan in session.scalars(query):
        by_municipality.setdefault(plan.municipality_code, []).append(plan)
    return sum(_extend(municipality, plans, now=now, session=session)
               for municipality, plans in sorted(by_municipality.items()))


def _extend(municipality: str, plans: list[CarePlan], *, now: datetime, session: Session) -> int:
    take_planning_turn(municipality, session=session)
    today = local_day(municipality, now, session=session)
    last = horizon_end(today)
    starts = {plan.id: plan.planned_until + timedelta(days=1) if plan.planned_until else max(today, plan.starts_on)
              for plan in plans}
    staffing = _Staffing.of(municipality, min(starts.values()), last, session=session)
    planned = [(plan, *_plan(plan, starts[plan.id], last, staffing, now=now)) for plan in plans]
    count = _insert([row for _, rows, _ in planned for row in rows], session=session)
    session.execute(update(CarePlan), [{"id": plan.id, "planned_until": until} for plan, _, until in planned])
    for plan, _, _ in planned:
        session.expire(plan, ["planned_until"])
    if count:
        _publish_assignments({plan.client_id for plan in plans}, municipality, now=now, session=session)
    return count


@dataclass
class _Staffing:
    """What planning in one municipality reads once for many plans: its time zone, who
    delivers each service type, and its staff with what is booked for them."""

    zone: str
    roles: dict[str, frozenset[str]]
    roster: assignment.Roster
    # (day, start, end, roles) no member was free for: bookings only grow while planning, so
    # no later visit at that time needs the members asked again (travel aside).
    full: set[tuple] = field(default_factory=set)
    reasons: dict[tuple, str] = field(default_factory=dict)  # why, for a visit at such a time

    def assign(self, visit: assignment.Visit) -> assignment.Member | None:
        key = _time_of(visit)
        if key in self.full:
            return None
        member = self.roster.assign(visit)
        if member is None:
            self.full.add(key)
        return member

    def reason_against(self, visit: assignment.Visit) -> str:
        key = _time_of(visit)
        if key not in self.reasons:
            self.reasons[key] = assignment.closest_reason(visit, self.roster.members)
        return self.reasons[key]

    @classmethod
    def of(cls, municipality: str, first: date, last: date, *, session: Session) -> _Staffing:
        roles = {row.code: frozenset(row.staff_roles) for row in session.scalars(select(ServiceType))}
        zone = zone_of(municipality, session=session)
        members = bookings.members(bookings.staff_of(municipality, session=session), first, last, zone, session=session)
        return cls(zone, roles, assignment.Roster(members))


def _time_of(visit: assignment.Visit) -> tuple:
    """What the members' answer for a visit depends on, travel aside."""
    return visit.day, visit.start, visit.end, visit.roles


def _plan(plan: CarePlan, first: date, last: date, staffing: _Staffing, *, now: datetime) -> tuple[list[dict], date]:
    """The plan's visits from ``first`` to ``last``, as rows to insert (the staff booked for
    them), and the last day planned for it now."""
    if plan.ends_on is not None:
        last = min(last, plan.ends_on)
    zone = staffing.zone
    wanted = sorted(((line, rule, slot) for line, rule in _lines(plan) for slot in rules.slots_between(
        rule, plan.starts_on, first, last) if moment(slot.day, slot.start, zone) > now),
        key=lambda wish: (wish[2].day, wish[2].start))
    # A service type scheduling has not learnt yet: no one may deliver it.
    rows = [_visit(plan, line, rule, slot, staffing.roles.get(line.service_type, frozenset()), staffing, now=now)
            for line, rule, slot in wanted]
    return rows, max(plan.planned_until or last, last)


def _insert(rows: list[dict], *, session: Session) -> int:
    """Visits inserted a few thousand to a statement (psycopg pipelines them): the daily task
    plans a hundred thousand. Each client's are announced in one event."""
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(insert(Visit), rows[start:start + INSERT_BATCH])
    _announce_planned(rows, session=session)
    return len(rows)


def _announce_planned(rows: list[dict], *, session: Session) -> None:
    by_client: dict[tuple, list[dict]] = {}
    for row in rows:
        by_client.setdefault((row["client_id"], row["municipality_code"], row["care_plan_id"]), []).append(row)
    subjects = _subjects({row["staff_id"] for row in rows}, session=session)
    record_events(session, [(VisitsPlanned(client_id=client_id, municipality=municipality, careplan_id=plan_id, visits=[
        PlannedVisit(visit_id=row["id"], service_type=row["service_type"], staff_id=subjects.get(row["staff_id"]),
                     starts_at=row["starts_at"], ends_at=row["ends_at"]) for row in planned]),
        str(client_id), municipality) for (client_id, municipality, plan_id), planned in by_client.items()])


def _subjects(staff_ids: set[uuid.UUID | None], *, session: Session) -> dict[uuid.UUID, str]:
    """Who the members are in tokens and events, by id."""
    query = select(Staff.id, Staff.subject).where(Staff.id.in_(staff_ids - {None}))
    return {row.id: row.subject for row in session.execute(query)}


def _visit(plan: CarePlan, line: CarePlanLine, rule: rules.LineRule, slot: rules.Slot, roles: frozenset[str],
           staffing: _Staffing, *, now: datetime) -> dict:
    """The visit of ``slot``, given to a member at its time or, if no one is free then, at a
    later start within its window; else at its time, unstaffed, with the reason."""
    place = (plan.latitude, plan.longitude) if line.place == "home" and plan.latitude is not None else None
    zone = staffing.zone
    at = (assignment.Visit(
        client_id=plan.client_id, roles=roles, starts_at=moment(slot.day, start, zone),
        ends_at=moment(slot.day, start + slot.length, zone), day=slot.day, start=start,
        end=start + slot.length, place=place, preferred=line.preferred_worker)
        for start in [slot.start, *rules.later_starts(rule, slot)])
    first = next(at)
    wanted, member = next(((visit, m) for visit in chain((first,), at) if (m := staffing.assign(visit))),
                          (first, None))
    return {"id": uuid.uuid4(), "care_plan_id": plan.id, "line_id": line.line_id, "client_id": plan.client_id,
            "municipality_code": plan.municipality_code, "service_type": line.service_type,
            "staff_id": member.id if member else None,
            "unstaffed_reason": None if member else staffing.reason_against(wanted),
            "starts_at": wanted.starts_at, "ends_at": wanted.ends_at, "status": PLANNED,
            "latitude": place[0] if place else None, "longitude": place[1] if place else None, "planned_at": now}


def _lines(plan: CarePlan) -> list[tuple[CarePlanLine, rules.LineRule]]:
    """The plan's lines planned here, each with the rule generation reads of it."""
    return [(line, rules.LineRule.of(line)) for line in map(CarePlanLine.model_validate, plan.lines)
            if line.place in PLANNED_PLACES]


def _cancel_from(plan: CarePlan, moment: datetime, reason: str, *, session: Session) -> None:
    """The plan's planned visits starting at ``moment`` or later are cancelled, and announced so."""
    cancelled = list(session.scalars(
        update(Visit).where(Visit.care_plan_id == plan.id, Visit.status == PLANNED, Visit.starts_at >= moment)
        .values(status=CANCELLED).returning(Visit.id).execution_options(synchronize_session=False)))
    if cancelled:
        _announce_cancelled(plan.client_id, plan.municipality_code, plan.id, cancelled, reason, session=session)


def _announce_cancelled(client_id: uuid.UUID, municipality: str, plan_id: uuid.UUID | None,
                        visit_ids: list[uuid.UUID], reason: str, *, session: Session) -> None:
    record_events(session, [(VisitsCancelled(client_id=client_id, municipality=municipality, careplan_id=plan_id,
                                             visit_ids=sorted(visit_ids), reason=reason),
                             str(client_id), municipality)])


# -- coordinators' moves ----------------------------------------------------------------------------

# Why a member may not take a visit moved to them, as the 409 says it; the last two may be overridden.
_REFUSALS = {
    assignment.NOT_WORKING: "is away or no longer works on that day",
    assignment.DOUBLE_BOOKED: "is booked then (travel between visits counted)",
    assignment.NOT_AVAILABLE: "does not usually work then (override: true moves it anyway)",
    assignment.OVER_CONTRACTED_HOURS: "would work over their contracted hours that week (override: true moves it "
                                      "anyway)",
}
OVERRIDABLE = (assignment.NOT_AVAILABLE, assignment.OVER_CONTRACTED_HOURS)


def move_visit(visit_id: uuid.UUID, change: VisitMove, principal: Principal, *, now: datetime,
               session: Session) -> Visit:
    """Another time or worker for a planned visit, checked as planning checks: a member who does
    not deliver the service is a 422; one away or booked then a 409, as is one outside their
    usual week or over their contracted hours unless ``override``. The municipality's turn is
    taken before the visit is locked, in the order planning takes them."""
    visit = visit_in_reach(visit_id, principal, session=session)
    take_planning_turn(visit.municipality_code, session=session)
    session.refresh(visit, with_for_update=True)
    rules.LIFECYCLE.check(visit.status, "move")
    if change.starts_at is not None and change.starts_at <= now:
        raise Invalid("starts_at", "must be in the future")
    starts_at, staff_id = change.starts_at or visit.starts_at, change.staff_id or visit.staff_id
    if staff_id is not None:
        _check_free(visit, staff_id, starts_at, change, session=session)
    return reschedule(visit, starts_at, staff_id, visit.unstaffed_reason if staff_id is None else None, now=now,
                  session=session)


def reschedule(visit: Visit, starts_at: datetime, staff_id: uuid.UUID | None, unstaffed_reason: str | None, *,
           now: datetime, session: Session) -> Visit:
    """The visit at ``starts_at`` by ``staff_id``, announced with where it was before."""
    before = visit.starts_at, visit.staff_id
    visit.starts_at, visit.ends_at = starts_at, starts_at + (visit.ends_at - visit.starts_at)
    visit.staff_id, visit.unstaffed_reason = staff_id, unstaffed_reason
    move(visit, "move", at=now)
    subjects = _subjects({staff_id, before[1]}, session=session)
    record_events(session, [(VisitRescheduled(
        visit_id=visit.id, client_id=visit.client_id, municipality=visit.municipality_code,
        service_type=visit.service_type, staff_id=subjects.get(staff_id), starts_at=visit.starts_at,
        ends_at=visit.ends_at, previous_starts_at=before[0], previous_staff_id=subjects.get(before[1])),
        str(visit.client_id), visit.municipality_code)])
    _publish_assignments({visit.client_id}, visit.municipality_code, now=now, session=session)
    return visit


def _check_free(visit: Visit, staff_id: uuid.UUID, starts_at: datetime, change: VisitMove, *,
                session: Session) -> None:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.municipality_code != visit.municipality_code:
        raise Invalid("staff_id", f"no member of staff {staff_id} in {visit.municipality_code}")
    wanted, [member] = bookings.seen_by_assignment(visit, [staff], starts_at=starts_at, session=session)
    reasons = member.reasons_against(wanted)
    if assignment.NO_STAFF_IN_ROLE in reasons:
        raise Invalid("staff_id", f"staff member {staff_id} has no role that delivers {visit.service_type}")
    refused = [reason for reason in reasons if not (change.override and reason in OVERRIDABLE)]
    if refused:
        raise Conflict(f"staff member {staff_id} {_REFUSALS[refused[0]]}",
                       field="staff_id" if change.staff_id else "starts_at", reason=refused[0], visit_id=str(visit.id))


def add_visit(visit: Visit, *, now: datetime, session: Session) -> Visit:
    """A visit booked outside a care plan's generation (an appointment at a centre, a client
    seen at a round), planned; who serves the client is announced."""
    visit.id, visit.status, visit.planned_at = visit.id or uuid.uuid4(), PLANNED, now
    session.add(visit)
    _announce_planned([{column: getattr(visit, column) for column in (
        "id", "client_id", "municipality_code", "care_plan_id", "service_type", "staff_id", "starts_at", "ends_at")}],
        session=session)
    _publish_assignments({visit.client_id}, visit.municipality_code, now=now, session=session)
    return visit


def unstaff(visit: Visit, reason: str, *, now: datetime, session: Session) -> Visit:
    """A planned visit no one can take now (its worker away, no one to cover): listed unstaffed with ``reason``."""
    return reschedule(visit, visit.starts_at, None, reason, now=now, session=session)


def cancel_visit(visit_id: uuid.UUID, change: VisitCancel, principal: Principal, *, now: datetime,
                 session: Session) -> Visit:
    visit = move(visit_in_reach(visit_id, principal, session=session, for_update=True), "cancel", at=now,
                 reason=change.reason)
    _announce_cancelled(visit.client_id, visit.municipality_code, visit.care_plan_id, [visit.id], change.reason,
                        session=session)
    _publish_assignments({visit.client_id}, visit.municipality_code, now=now, session=session)
    return visit


# -- who serves whom -------------------------------------------------------------------------------


def _publish_assignments(clients: set[uuid.UUID], municipality: str, *, now: datetime, session: Session) -> None:
    """Assigned: the workers with a visit to a client from now on who had none announced;
    unassigned: those announced who have none left."""
    session.flush()
    serving = _pairs(select(Visit.client_id, Staff.subject).join(Staff, Visit.staff_id == Staff.id).where(
        Visit.client_id.in_(clients), Visit.status.in_((PLANNED, CHECKED_IN)), Visit.ends_at >= now), session)
    announced = _pairs(select(ClientServedBy.client_id, ClientServedBy.staff_subject)
                       .where(ClientServedBy.client_id.in_(clients)), session)
    record_events(session, [
        (event_type(client_id=client_id, municipality=municipality, staff_id=subject), str(client_id), municipality)
        for event_type, pairs in ((ClientAssigned, serving - announced), (ClientUnassigned, announced - serving))
        for client_id, subject in sorted(pairs)])
    session.execute(delete(ClientServedBy).where(ClientServedBy.client_id.in_(clients)))
    if serving:
        session.execute(insert(ClientServedBy), [{"client_id": c, "staff_subject": s} for c, s in serving])


def _pairs(query, session: Session) -> set[tuple[uuid.UUID, str]]:
    return {(client_id, subject) for client_id, subject in session.execute(query)}


# -- reading -------------------------------------------------------------------------------------------


def list_visits(filters: VisitFilters, principal: Principal, *, session: Session) -> Page[Visit]:
    """Visits in the caller's scope by start; a worker sees only their own."""
    query = select(Visit).where(scope_filter(principal, Visit.municipality_code, only=filters.municipality),
                                *_matching(filters))
    if serves_only_assigned(principal.roles):
        query = query.where(Visit.staff_id.in_(select(Staff.id).where(Staff.subject == principal.subject)))
    return paginate(session, query, filters, order=(Visit.starts_at, Visit.id))


def _matching(filters: VisitFilters) -> list:
    conditions = equal_to_given(
        (Visit.staff_id, filters.staff_id), (Visit.client_id, filters.client_id),
        (Visit.care_plan_id, filters.care_plan_id), (Visit.service_type, filters.service_type),
        (Visit.status, filters.status))
    if filters.unstaffed is not None:
        conditions.append(Visit.staff_id.is_(None) if filters.unstaffed else Visit.staff_id.is_not(None))
    return [*conditions, *starting_within(Visit.starts_at, filters.starts_from, filters.starts_before)]


def get_visit(visit_id: uuid.UUID, principal: Principal, *, session: Session) -> Visit:
    return visit_in_reach(visit_id, principal, session=session)


# -- helpers -----------------------------------------------------------------------------------------


def horizon_end(today: date) -> date:
    """The last day visits and sessions are planned for, as configured (CARECIRCLE_VISIT_HORIZON_WEEKS)."""
    return rules.horizon_end(today, get_settings().visit_horizon_weeks)


def take_planning_turn(municipality: str, *, session: Session) -> None:
    """Planning in a municipality runs one plan at a time, so two plans never give one worker the same hour."""
    take_turn(session, Municipality.name, Municipality.code == municipality)
