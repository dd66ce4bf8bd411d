"""Every indicator, once: which records it counts and how (services/reporting/indicators/slices.py
narrows and breaks them down). Visits and check-in calls count on the day they took place,
else were due; a visit cancelled because its plan changed was replaced by another and is not
counted at all. A visit made (its hours, a call made) counts for the roles of who made it, any
other for whom it was planned. A care plan counts as active in a period it ran on a day of."""
from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, distinct, func, literal, or_, select, union_all

from services.reporting.indicators.slices import Facts, Frame, Measure
from services.reporting.models import (
    Activity,
    Agreement,
    Assessment,
    Attendance,
    CarePlan,
    CarePlanRun,
    CarePlanService,
    Case,
    CaseSpell,
    Client,
    Escalation,
    FollowUp,
    Group,
    GroupSession,
    Message,
    ServiceType,
    Staff,
    Visit,
)

PHONE = "phone"  # the mode of check-in calls
REPLACED = "plan_changed"  # a visit cancelled to be planned again


def total(values: Sequence[Any]) -> int | float:
    return sum(value for value in values if value is not None)


def hours(minutes: Sequence[Any]) -> float:
    return round(total(minutes) / 60, 1)


def median_days(spans: Sequence[Any]) -> float | None:
    days = [(resolved - opened).total_seconds() / 86400 for opened, resolved in spans]
    return round(statistics.median(days), 1) if days else None


@dataclass(frozen=True)
class Indicator:
    code: str
    query: Callable[[Frame], Any]  # a Measure, or with ``rows`` a query of (key, *columns) rows
    combine: Callable[[Sequence[Any]], Any] = total  # of one key's values over every time zone
    rows: bool = False  # ``combine`` takes each row's columns rather than a summed value
    # Not a count of people or records: the count of the records it is measured over, whose
    # small values it hides with it (services/reporting/indicators/rules.py).
    counted_by: str | None = None
    # Counts its own records (each of one value of a breakdown: the values add up to the
    # total), not people who may be found in several (a client served by two services).
    adds_up: bool = True


# -- clients ---------------------------------------------------------------------------------------

CLIENTS = Facts(Client, Client.municipality, client=Client.client_id)
ASSESSMENTS = Facts(Assessment, Assessment.municipality, client=Assessment.client_id)
AGREEMENTS = Facts(Agreement, Agreement.municipality, client=Agreement.client_id, programme=Agreement.programme)


def registered(f: Frame) -> Measure:
    return f.figure(func.count(), CLIENTS, f.during(Client.registered_at))


def assessed(f: Frame) -> Measure:
    return f.figure(func.count(distinct(Assessment.client_id)), ASSESSMENTS, f.on_days(Assessment.assessed_on))


def served(f: Frame) -> Measure:
    """Clients who had a visit or came to a group session in the period."""
    visited = select(Visit.client_id, Visit.municipality, CarePlan.programme, Visit.service_type).outerjoin(
        CarePlan, CarePlan.careplan_id == Visit.careplan_id).where(Visit.outcome == "completed",
                                                                  f.during(Visit.happened_at))
    came = select(Attendance.client_id, GroupSession.municipality, literal(None), literal(None)).join(
        GroupSession, GroupSession.session_id == Attendance.session_id).where(f.during(GroupSession.held_at))
    seen = union_all(visited, came).subquery()
    facts = Facts(seen, seen.c.municipality, client=seen.c.client_id, programme=seen.c.programme,
                  service_type=seen.c.service_type)
    return f.figure(func.count(distinct(seen.c.client_id)), facts)


def agreements_signed(f: Frame) -> Measure:
    return f.figure(func.count(), AGREEMENTS, f.on_days(Agreement.signed_on))


# -- care plans and visits -------------------------------------------------------------------------

PLANS = Facts(CarePlan, CarePlan.municipality, client=CarePlan.client_id, programme=CarePlan.programme,
              service_type=CarePlanService.service_type, several=frozenset({"service_type"}))


def plans_active(f: Frame) -> Measure:
    ran = select(CarePlanRun.careplan_id).where(
        CarePlanRun.first_day <= f.period.last,
        or_(CarePlanRun.last_day.is_(None), CarePlanRun.last_day >= f.period.first))
    return f.figure(func.count(distinct(CarePlan.careplan_id)), PLANS, CarePlan.careplan_id.in_(ran),
                    joins=[(CarePlanService, CarePlanService.careplan_id == CarePlan.careplan_id)])


def _visits(f: Frame, value: Any, *conditions: Any, calls: bool = False, staff: Any = Visit.staff) -> Measure:
    """Visits (or, with ``calls``, check-in calls) of the period that were not replaced: one
    family for each worker they count for (who they were planned for, who made them)."""
    facts = Facts(Visit, Visit.municipality, client=Visit.client_id, programme=CarePlan.programme,
                  service_type=Visit.service_type, staff=staff)
    # A call no one answered is a check-in call whatever scheduling told of its service.
    call = or_(ServiceType.mode == PHONE, Visit.outcome == "unanswered")
    mode = call if calls else ~func.coalesce(call, False)
    return f.figure(value, facts, f.during(func.coalesce(Visit.happened_at, Visit.due_at)),
                    or_(Visit.outcome.is_(None), Visit.outcome != "cancelled", Visit.reason != REPLACED),
                    joins=[(CarePlan, CarePlan.careplan_id == Visit.careplan_id),
                           (ServiceType, ServiceType.code == Visit.service_type)],
                    family=f"visits by {staff.key}", only=and_(mode, *conditions))


def visits_planned(f: Frame) -> Measure:
    return _visits(f, func.count(distinct(Visit.visit_id)))


def _ended(outcome: str, *, calls: bool = False, staff: Any = Visit.staff) -> Callable[[Frame], Select]:
    def query(f: Frame) -> Measure:
        return _visits(f, func.count(distinct(Visit.visit_id)), Visit.outcome == outcome, calls=calls, staff=staff)
    return query


def hours_planned(f: Frame) -> Measure:
    return _visits(f, func.sum(Visit.planned_minutes))


def hours_delivered(f: Frame) -> Measure:
    return _visits(f, func.sum(Visit.delivered_minutes), Visit.outcome == "completed", staff=Visit.delivered_by)


def calls_made(f: Frame) -> Measure:
    return _visits(f, func.count(distinct(Visit.visit_id)), Visit.outcome.in_(["completed", "unanswered"]),
                   calls=True, staff=Visit.delivered_by)


# -- staff, groups and activities ---------------------------------------------------------------------


def staff_headcount(f: Frame) -> Measure:
    """Staff on the books on at least one day of the period."""
    facts = Facts(Staff, Staff.municipality, staff=Staff.subject)
    joined = or_(Staff.joined_on <= f.period.last,
                 Staff.joined_on.is_(None) & (Staff.joined_at.is_(None) | (Staff.joined_at < f.end)))
    return f.figure(func.count(distinct(Staff.staff_id)), facts, joined,
                    or_(Staff.left_on.is_(None), Staff.left_on >= f.period.first))


def groups_formed(f: Frame) -> Measure:
    return f.figure(func.count(), Facts(Group, Group.municipality, kind=Group.topic), f.on_days(Group.starts_on))


SESSIONS = Facts(GroupSession, GroupSession.municipality, kind=GroupSession.topic)


def sessions_held(f: Frame) -> Measure:
    return f.figure(func.count(), SESSIONS, f.during(GroupSession.held_at), family="sessions")


def attendance(f: Frame) -> Measure:
    """Every presence at a session: members and others."""
    value = func.sum(GroupSession.members_present + GroupSession.anonymous_participants)
    return f.figure(value, SESSIONS, f.during(GroupSession.held_at), family="sessions")


def participants(f: Frame) -> Measure:
    """Members who came to at least one session of the period, each once."""
    facts = Facts(Attendance, GroupSession.municipality, client=Attendance.client_id, kind=GroupSession.topic)
    return f.figure(func.count(distinct(Attendance.client_id)), facts, f.during(GroupSession.held_at),
                    joins=[(GroupSession, GroupSession.session_id == Attendance.session_id)])


ACTIVITIES = Facts(Activity, Activity.municipality, kind=Activity.kind)


def activities_held(f: Frame) -> Measure:
    return f.figure(func.count(), ACTIVITIES, f.during(Activity.held_at), family="activities")


def activity_participants(f: Frame) -> Measure:
    return f.figure(func.sum(Activity.participants), ACTIVITIES, f.during(Activity.held_at), family="activities")


# -- cases ----------------------------------------------------------------------------------------------

CASES = Facts(Case, Case.municipality, client=Case.client_id, kind=Case.category)


def cases_opened(f: Frame) -> Measure:
    return f.figure(func.count(), CASES, f.during(Case.opened_at))


def _spells(*conditions: Any) -> Any:
    return Case.case_id.in_(select(CaseSpell.case_id).where(*conditions))


def cases_resolved(f: Frame) -> Measure:
    return f.figure(func.count(), CASES, _spells(f.during(CaseSpell.resolved_at)))


def _open_at_end(f: Frame) -> Any:
    return and_(CaseSpell.opened_at < f.end, or_(CaseSpell.resolved_at.is_(None), CaseSpell.resolved_at >= f.end))


def cases_open(f: Frame) -> Measure:
    """Cases still unresolved when the period ended."""
    return f.figure(func.count(), CASES, _spells(_open_at_end(f)))


def cases_overdue(f: Frame) -> Measure:
    """Cases unresolved when the period ended with a follow-up due before its last day and not done by then."""
    late = select(FollowUp.case_id).where(FollowUp.due_on < f.period.last,
                                          or_(FollowUp.done_on.is_(None), FollowUp.done_on > f.period.last))
    return f.figure(func.count(), CASES, _spells(_open_at_end(f)), Case.case_id.in_(late))


def days_to_resolution(f: Frame) -> Select:
    """Of each case resolved in the period, from its opening to that resolution."""
    return f.rows([Case.opened_at, CaseSpell.resolved_at], CASES, Case.opened_at.is_not(None),
                  f.during(CaseSpell.resolved_at), joins=[(CaseSpell, CaseSpell.case_id == Case.case_id)])


# -- messages and escalations -------------------------------------------------------------------------------


def escalations(f: Frame) -> Measure:
    facts = Facts(Escalation, Escalation.municipality, kind=Escalation.kind)
    return f.figure(func.count(), facts, f.during(Escalation.raised_at))


def _messages(outcome: str) -> Callable[[Frame], Select]:
    def query(f: Frame) -> Measure:
        facts = Facts(Message, Message.municipality, kind=Message.kind, channel=Message.channel)
        return f.figure(func.count(), facts, Message.outcome == outcome, f.during(Message.as_of))
    return query


INDICATORS = [
    Indicator("clients_registered", registered),
    Indicator("clients_assessed", assessed, adds_up=False),
    Indicator("clients_served", served, adds_up=False),
    Indicator("agreements_signed", agreements_signed),
    Indicator("care_plans_active", plans_active),
    Indicator("visits_planned", visits_planned),
    Indicator("visits_delivered", _ended("completed", staff=Visit.delivered_by)),
    Indicator("visits_missed", _ended("missed")),
    Indicator("visits_cancelled", _ended("cancelled")),
    Indicator("hours_planned", hours_planned, combine=hours, counted_by="visits_planned"),
    Indicator("hours_delivered", hours_delivered, combine=hours, counted_by="visits_delivered"),
    Indicator("staff_headcount", staff_headcount),
    Indicator("groups_formed", groups_formed),
    Indicator("sessions_held", sessions_held),
    Indicator("participants_unique", participants, adds_up=False),
    Indicator("attendance_total", attendance),
    Indicator("activities_held", activities_held),
    Indicator("activity_participants", activity_participants),
    Indicator("cases_opened", cases_opened),
    Indicator("cases_resolved", cases_resolved),
    Indicator("cases_open", cases_open),
    Indicator("cases_overdue", cases_overdue),
    Indicator("days_to_resolution_median", days_to_resolution, combine=median_days, rows=True,
              counted_by="cases_resolved"),
    Indicator("checkin_calls_made", calls_made),
    Indicator("checkin_calls_unanswered", _ended("unanswered", calls=True)),
    Indicator("escalations_raised", escalations),
    Indicator("messages_sent", _messages("sent")),
    Indicator("messages_failed", _messages("failed")),
]
