"""Reporting's read models, built only from events: pseudonymous ids, codes, dates and counts.

Events may come in any order (a feed replayed after the queue, a retried older event), so each
row that an event describes whole remembers the time of that event (``as_of``) and an older
event never overwrites it; what a history decides (a care plan's runs, a case's open spells) is
kept as steps, one per event, and worked out again from all of them.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared.models import service_base
from shared.replicas import Replica

Base = service_base()
metadata = Base.metadata

Code = String(64)
MunicipalityCode = String(32)


# -- the catalogue ------------------------------------------------------------------------


class Municipality(Replica, Base):
    """Figures are counted in the municipality's calendar and reported in its language."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(MunicipalityCode, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    network: Mapped[str | None] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))


class Settlement(Replica, Base):
    __tablename__ = "settlement"
    settlement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    name: Mapped[str] = mapped_column(String(200))


class ServiceType(Replica, Base):
    """Its mode tells check-in calls (``phone``) from visits; its names label reports."""

    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))
    names: Mapped[dict[str, str]] = mapped_column(JSON)


class Programme(Replica, Base):
    __tablename__ = "programme"
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str | None] = mapped_column(String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class CodeName(Replica, Base):
    """An entry of a code list (target group, case category, staff role) by language, to label reports."""

    __tablename__ = "code_name"
    kind: Mapped[str] = mapped_column(Code, primary_key=True)
    code: Mapped[str] = mapped_column(Code, primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)


# -- people ---------------------------------------------------------------------------------


class Client(Replica, Base):
    """A client as figures break them down: where, sex, year of birth (an age band at the
    period's end), target groups; ``registered_at`` once the registration event is here."""

    __tablename__ = "client"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sex: Mapped[str] = mapped_column(String(8))
    birth_year: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(20))
    registered_at: Mapped[datetime | None]


class ClientTargetGroup(Base):
    """The client's target groups as their latest event lists them."""

    __tablename__ = "client_target_group"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    code: Mapped[str] = mapped_column(Code, primary_key=True)


class Assessment(Base):
    __tablename__ = "assessment"
    assessment_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode)
    assessed_on: Mapped[date]


class Agreement(Base):
    __tablename__ = "agreement"
    __table_args__ = (Index("ix_agreement_programme_client", "programme", "client_id"),)
    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    programme: Mapped[str] = mapped_column(Code)
    signed_on: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class Staff(Replica, Base):
    """A member of staff by id and token subject (visits name them by subject), from their
    first working day (where given, else the day they were registered) to their last."""

    __tablename__ = "staff"
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    joined_at: Mapped[datetime | None]
    joined_on: Mapped[date | None]
    left_on: Mapped[date | None]


class StaffRole(Base):
    __tablename__ = "staff_role"
    staff_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    role: Mapped[str] = mapped_column(Code, primary_key=True)


# -- care plans and visits --------------------------------------------------------------------


class CarePlan(Replica, Base):
    __tablename__ = "care_plan"
    careplan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    programme: Mapped[str | None] = mapped_column(Code, index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class CarePlanService(Base):
    """A service type the plan's lines (as the latest event lists them) provide."""

    __tablename__ = "care_plan_service"
    careplan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    service_type: Mapped[str] = mapped_column(Code, primary_key=True)


class CarePlanStep(Base):
    """One event of a plan's history: it runs (activated, resumed, changed while running) or
    stops (suspended, ended) from ``effective_on``; ``at`` orders steps of one day."""

    __tablename__ = "care_plan_step"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    careplan_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    effective_on: Mapped[date]
    at: Mapped[datetime]
    running: Mapped[bool]


class CarePlanRun(Base):
    """A spell in which the plan ran, from its steps and dates (``last_day`` None: open-ended)."""

    __tablename__ = "care_plan_run"
    careplan_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    first_day: Mapped[date] = mapped_column(primary_key=True)
    last_day: Mapped[date | None]


class Visit(Base):
    """A visit or check-in call as planned (``planned_as_of``: the planning event's time) and
    how it ended (``outcome``: completed, missed, unanswered, cancelled; ``outcome_as_of``):
    two halves that events change apart. It counts on the day it happened, else was due."""

    __tablename__ = "visit"
    visit_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    careplan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service_type: Mapped[str | None] = mapped_column(Code)
    # as planned
    staff: Mapped[str | None] = mapped_column(String(200))  # the worker's token subject
    due_at: Mapped[datetime | None]
    planned_minutes: Mapped[int | None]
    planned_as_of: Mapped[datetime | None]
    # as it ended
    outcome: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Code)
    happened_at: Mapped[datetime | None]  # started, called, or due when missed
    delivered_by: Mapped[str | None] = mapped_column(String(200))
    delivered_minutes: Mapped[int | None]
    outcome_as_of: Mapped[datetime | None]


# -- groups and activities ------------------------------------------------------------------


class Group(Replica, Base):
    __tablename__ = "group"
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    topic: Mapped[str] = mapped_column(Code)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class GroupSession(Replica, Base):
    """A session held: members present are ``Attendance`` rows, others only counted."""

    __tablename__ = "group_session"
    __table_args__ = (Index("ix_group_session_municipality_held_at", "municipality", "held_at"),)
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    municipality: Mapped[str] = mapped_column(MunicipalityCode)
    topic: Mapped[str] = mapped_column(Code)
    held_at: Mapped[datetime]
    members_present: Mapped[int]
    anonymous_participants: Mapped[int]


class Attendance(Base):
    __tablename__ = "attendance"
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class Activity(Replica, Base):
    """A training, campaign, public discussion or meeting held, with its participants."""

    __tablename__ = "activity"
    activity_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    kind: Mapped[str] = mapped_column(Code)
    held_at: Mapped[datetime]
    participants: Mapped[int]


# -- cases ---------------------------------------------------------------------------------------


class Case(Base):
    """A case of the register: ``opened_at`` once its opening event is here."""

    __tablename__ = "case"
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    category: Mapped[str] = mapped_column(Code)
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    opened_at: Mapped[datetime | None]


class CaseStep(Base):
    """A status the case took at ``at`` (its opening included)."""

    __tablename__ = "case_step"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))


class CaseSpell(Base):
    """A spell in which the case was unresolved, from its steps (``resolved_at`` None: still open)."""

    __tablename__ = "case_spell"
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(primary_key=True)
    resolved_at: Mapped[datetime | None]


class FollowUp(Replica, Base):
    __tablename__ = "follow_up"
    follow_up_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]


# -- notifications -------------------------------------------------------------------------------


class Message(Replica, Base):
    """How a message ended (``sent`` or ``failed``), when: its channel and kind, never its text."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_municipality_at", "municipality", "as_of"),)
    message_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode)
    kind: Mapped[str] = mapped_column(Code)
    channel: Mapped[str] = mapped_column(Code)
    outcome: Mapped[str] = mapped_column(String(8))


class Escalation(Base):
    __tablename__ = "escalation"
    escalation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, index=True)
    kind: Mapped[str] = mapped_column(Code)
    raised_at: Mapped[datetime]


# -- period progress reports ------------------------------------------------------------------------


class Report(Base):
    """A period progress report asked for: whose (a municipality, a network, a programme), the
    period, the language and age bands, the municipalities it covers (``ReportPlace``, fixed
    when asked), and where its making stands. Its sections, once made, are its snapshot:
    frozen, it never changes."""

    __tablename__ = "report"
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str | None] = mapped_column(MunicipalityCode)
    network: Mapped[str | None] = mapped_column(String(64))
    programme: Mapped[str | None] = mapped_column(Code)
    first_day: Mapped[date]
    last_day: Mapped[date]
    language: Mapped[str] = mapped_column(String(8))
    age_bands: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)
    sections_total: Mapped[int]
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(index=True)
    made_at: Mapped[datetime | None]  # when its sections were all made
    lease_until: Mapped[datetime | None]  # a worker is making it until then
    frozen_at: Mapped[datetime | None]
    frozen_by: Mapped[str | None] = mapped_column(String(200))
    compared_with: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the frozen report of its subject and period


class ReportPlace(Base):
    """A municipality a report covers: who may read it is who may read them all."""

    __tablename__ = "report_place"
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality: Mapped[str] = mapped_column(MunicipalityCode, primary_key=True)


class ReportSection(Base):
    """One section of a report as made: each figure's total and breakdown, exact, and the
    labels of its keys in the report's language."""

    __tablename__ = "report_section"
    report_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    section: Mapped[str] = mapped_column(Code, primary_key=True)
    content: Mapped[dict] = mapped_column(JSON)
