"""Intake's tables: the only database with people's names, phones and addresses.

Catalogue rows (networks, municipalities, settlements, programmes, service
types, code lists) are data: a new municipality or service type is a row.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.models import service_base
from shared.replicas import Replica

Base = service_base()
metadata = Base.metadata

# -- catalogue ----------------------------------------------------------------


class Network(Base):
    """A regional network: a national network of health mediators, a provincial network of clubs..."""

    __tablename__ = "network"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Municipality(Base):
    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))  # official name, in the municipality's language
    # Server defaults fill rows that existed before a column was added.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")  # translations
    language: Mapped[str] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    network_code: Mapped[str | None] = mapped_column(ForeignKey("network.code"), index=True)
    registered_at: Mapped[datetime]


class Settlement(Base):
    """A village, town or neighbourhood. ``marginalised_community`` describes the
    place, never a person's ethnicity."""

    __tablename__ = "settlement"
    __table_args__ = (UniqueConstraint("municipality_code", "name"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # town, village, neighbourhood
    marginalised_community: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)


class CodeListEntry(Base):
    """Configurable code lists: target groups, case categories, staff roles."""

    __tablename__ = "code_list_entry"
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)


class ServiceType(Base):
    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)  # bg, pl, uk, en
    mode: Mapped[str] = mapped_column(String(20))  # home_visit, centre, group, phone, mobile_unit
    staff_roles: Mapped[list[str]] = mapped_column(JSON)  # codes of the staff_role code list
    default_duration_minutes: Mapped[int]
    unit: Mapped[str] = mapped_column(String(10))  # hour or visit
    active: Mapped[bool] = mapped_column(default=True)


programme_municipality = Table(
    "programme_municipality", metadata,
    Column("programme_code", ForeignKey("programme.code", ondelete="CASCADE"), primary_key=True),
    Column("municipality_code", ForeignKey("municipality.code"), primary_key=True),
)
programme_service_type = Table(
    "programme_service_type", metadata,
    Column("programme_code", ForeignKey("programme.code", ondelete="CASCADE"), primary_key=True),
    Column("service_type_code", ForeignKey("service_type.code"), primary_key=True),
)


class Programme(Base):
    """A funded project: who pays, when, where, and for which service types."""

    __tablename__ = "programme"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str | None] = mapped_column(String(300))  # a coordinator may not know it
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    network_code: Mapped[str | None] = mapped_column(ForeignKey("network.code"))
    municipalities: Mapped[list[Municipality]] = relationship(secondary=programme_municipality)
    service_types: Mapped[list[ServiceType]] = relationship(secondary=programme_service_type)


# -- clients --------------------------------------------------------------------

class Household(Base):
    __tablename__ = "household"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    label: Mapped[str] = mapped_column(String(200))  # how the team refers to it, e.g. "Petrovi, ul. Rila 5"


class Client(Base):
    __tablename__ = "client"
    # What the duplicate check looks up (services.intake.clients.service._comparable).
    __table_args__ = (Index("ix_client_municipality_code_birth_date", "municipality_code", "birth_date"),
                      Index("ix_client_municipality_code_phone_key", "municipality_code", "phone_key"))
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    birth_date: Mapped[date | None]
    sex: Mapped[str] = mapped_column(String(10), server_default="unknown")  # female, male, other, unknown
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str] = mapped_column(String(2))
    address: Mapped[str | None] = mapped_column(String(300))
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("settlement.id"), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)  # where visits happen
    longitude: Mapped[float | None] = mapped_column(Float)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), server_default="active")  # active, inactive, deceased, moved
    status_since: Mapped[date | None]  # the day of the death, the move...: unknown for rows older than the column
    registered_at: Mapped[datetime]
    registered_by: Mapped[str] = mapped_column(String(200), server_default="unknown")
    # The phone's national number (matching.phone_key), searched by its start; and the keys
    # of the names' spellings and likeness. All kept by services.intake.clients.service.
    phone_key: Mapped[str | None] = mapped_column(String(32))
    name_key_rows: Mapped[list[ClientNameKey]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    likeness_key_rows: Mapped[list[ClientLikenessKey]] = relationship(cascade="all, delete-orphan",
                                                                      passive_deletes=True)
    target_group_rows: Mapped[list[ClientTargetGroup]] = relationship(cascade="all, delete-orphan")

    @property
    def target_groups(self) -> list[str]:
        return sorted(row.code for row in self.target_group_rows)

    @target_groups.setter
    def target_groups(self, codes: list[str]) -> None:
        self.target_group_rows = [ClientTargetGroup(code=code) for code in sorted(set(codes))]


# Byte order on PostgreSQL, as SQLite compares: the keys that begin with a text are then one
# range of an index (matching.prefix_range), whatever the database's collation.
_NAME_KEY = String(64).with_variant(String(64, collation="C"), "postgresql")


class ClientNameKey(Base):
    """One spelling key of a word of a client's name (``matching.name_keys``): search finds a
    client by the keys the query's words begin."""

    __tablename__ = "client_name_key"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(_NAME_KEY, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32))  # the client's, which does not change


# Search reads the clients from an index alone.
Index("ix_client_name_key_search", ClientNameKey.municipality_code, ClientNameKey.key, ClientNameKey.client_id)


class ClientLikenessKey(Base):
    """One likeness key of a client's name (``matching.likeness_keys``): the duplicate check
    finds the clients whose names are worth comparing with a newcomer's by the keys they share.
    ``undated``: the client's birth date is unknown (a newcomer with a birth date is compared
    by name only with those)."""

    __tablename__ = "client_likeness_key"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(66), primary_key=True)  # a name key, "|", a letter
    municipality_code: Mapped[str] = mapped_column(String(32))
    undated: Mapped[bool]


Index("ix_client_likeness_key_all", ClientLikenessKey.municipality_code, ClientLikenessKey.key,
      ClientLikenessKey.client_id)
Index("ix_client_likeness_key_undated", ClientLikenessKey.municipality_code, ClientLikenessKey.key,
      ClientLikenessKey.client_id,
      sqlite_where=ClientLikenessKey.undated.is_(True), postgresql_where=ClientLikenessKey.undated.is_(True))


class ClientTargetGroup(Base):
    """A row per target group, so that clients can be searched by it."""

    __tablename__ = "client_target_group"
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class Consent(Base):
    """One recorded decision; the latest per (client, purpose) is in force."""

    __tablename__ = "consent"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # services, contact_sms, contact_email...
    given: Mapped[bool]
    decided_on: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


# -- needs assessments ------------------------------------------------------------


class AssessmentTemplate(Base):
    """A versioned assessment form of a network; a new version never changes old assessments."""

    __tablename__ = "assessment_template"
    __table_args__ = (UniqueConstraint("network_code", "code", "version"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    network_code: Mapped[str] = mapped_column(ForeignKey("network.code"))
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    # [{"code": "self_care", "names": {...}, "min": 0, "max": 4}, ...]
    domains: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class Assessment(Base):
    __tablename__ = "assessment"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessment_template.id"))
    assessed_on: Mapped[date]
    assessor: Mapped[str] = mapped_column(String(200))  # who assessed: a token subject
    # Who recorded it: the assessor, or a coordinator on their behalf. Rows older than the
    # column were recorded by their assessor (the migration copies it).
    recorded_by: Mapped[str] = mapped_column(String(200), server_default="unknown")
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    template: Mapped[AssessmentTemplate] = relationship(lazy="joined")


# -- agreements and care plans ------------------------------------------------------


class Agreement(Base):
    """The contract between the municipality and the client under a programme."""

    __tablename__ = "agreement"
    __table_args__ = (UniqueConstraint("municipality_code", "programme_code", "number"),)  # a contract number once
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    programme_code: Mapped[str] = mapped_column(ForeignKey("programme.code"))
    number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    # The coordinator confirmed dates outside the programme's period (see careplans.service).
    outside_programme_period: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    programme: Mapped[Programme] = relationship()


class CarePlan(Base):
    __tablename__ = "care_plan"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    agreement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agreement.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft, active, suspended, ended
    status_since: Mapped[date | None]  # when the current status took effect (not for drafts)
    status_reason: Mapped[str | None] = mapped_column(String(64))  # why suspended or ended, a code
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200), server_default="unknown")
    changed_at: Mapped[datetime]
    agreement: Mapped[Agreement | None] = relationship()
    lines: Mapped[list[CarePlanLine]] = relationship(
        back_populates="care_plan", cascade="all, delete-orphan", order_by="CarePlanLine.position")
    status_changes: Mapped[list[CarePlanStatusChange]] = relationship(
        cascade="all, delete-orphan",
        order_by=lambda: [CarePlanStatusChange.effective_on, CarePlanStatusChange.changed_at])


class CarePlanStatusChange(Base):
    """Who moved a care plan to which status, from which day and why. The days a move takes
    effect never go back (each is checked against the current status's day), so the last
    move taking effect by a day is the plan's status on that day."""

    __tablename__ = "care_plan_status_change"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    care_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("care_plan.id", ondelete="CASCADE"), index=True)
    previous_status: Mapped[str | None] = mapped_column(String(20))  # None: a plan that ran before the history
    status: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date]
    reason: Mapped[str | None] = mapped_column(String(64))  # a code: travels in events
    note: Mapped[str | None] = mapped_column(Text)  # the explanation: stays in intake
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(200))


class CarePlanLine(Base):
    __tablename__ = "care_plan_line"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    care_plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("care_plan.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    service_type_code: Mapped[str] = mapped_column(ForeignKey("service_type.code"))
    per_week: Mapped[float]  # hours or visits a week, by the service type's unit
    preferred_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # mon ... sun
    time_windows: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)  # start/end clock pairs
    preferred_worker: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # a staff id of scheduling
    place: Mapped[str] = mapped_column(String(20))  # home, centre, phone, mobile_unit, group_venue
    care_plan: Mapped[CarePlan] = relationship(back_populates="lines")
    service_type: Mapped[ServiceType] = relationship()


# -- case register ------------------------------------------------------------------


class Case(Base):
    """A problem of one person or family that needs follow-up (казус)."""

    __tablename__ = "case"
    # A visit raises its case once; a group session or a campaign may raise several.
    __table_args__ = (Index("uq_case_visit", "origin_ref", unique=True,
                            sqlite_where=text("origin = 'visit'"), postgresql_where=text("origin = 'visit'")),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    client_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("household.id"), index=True)
    origin: Mapped[str] = mapped_column(String(20))  # visit, group_session, campaign, walk_in
    origin_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the visit's or group session's id
    category_code: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10), default="normal")  # low, normal, high, urgent
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(200))
    supervising_expert: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    # Loaded only where a list shows them, in its own query (see cases.service.overdue_follow_ups).
    client: Mapped[Client | None] = relationship(lazy="raise")
    household: Mapped[Household | None] = relationship(lazy="raise")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="FollowUp.created_at")
    status_changes: Mapped[list[CaseStatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="CaseStatusChange.changed_at")


class CaseStatusChange(Base):
    """Who moved a case to which status, when and why."""

    __tablename__ = "case_status_change"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    previous_status: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(200))


class FollowUp(Base):
    __tablename__ = "follow_up"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # consultation, referral, visit, call
    description: Mapped[str] = mapped_column(Text)
    institution: Mapped[str | None] = mapped_column(String(200))  # where a referral goes
    expert: Mapped[str | None] = mapped_column(String(200))  # who was consulted
    due_on: Mapped[date | None] = mapped_column(index=True)
    done_on: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    case: Mapped[Case] = relationship(back_populates="follow_ups")


# -- who serves whom, and who read what ----------------------------------------------------


class ClientAssignment(Replica, Base):
    """Replica of scheduling's assignments: which workers (token subjects) serve a client.
    An unassignment stays, as a row with ``assigned`` false, so that an older assignment
    delivered after it cannot bring it back (``shared.replicas.keep_latest``)."""

    __tablename__ = "client_assignment"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # no foreign key: a replica
    staff_id: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    assigned: Mapped[bool]


class AssignmentsKnown(Base):
    """A municipality whose workers scheduling assigns to clients (its first assignment event
    arrived): from then on a worker there reads only the clients they serve."""

    __tablename__ = "assignments_known"
    municipality_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[datetime]


class AccessRecord(Base):
    """One read of a client's personal data: who (token subject and roles) read what, when.
    For the data-protection officer; kept whatever becomes of the client (no foreign key)."""

    __tablename__ = "access_log"
    __table_args__ = (Index("ix_access_log_client_id_read_at", "client_id", "read_at"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    read_at: Mapped[datetime]
    reader: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    what: Mapped[str] = mapped_column(String(32))  # a code of services.intake.access.rules.Reading


class StaffMember(Replica, Base):
    """Replica of scheduling's staff, ids and roles only: a care plan's preferred worker and a
    case's assignee or expert must be one of them, not free text."""

    __tablename__ = "staff_member"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)  # who they are in tokens
    municipality_code: Mapped[str] = mapped_column(String(32))
    roles: Mapped[list[str]] = mapped_column(JSON)
    left_on: Mapped[date | None]
