"""Scheduling's tables."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.models import service_base
from shared.replicas import Replica

Base = service_base()
metadata = Base.metadata


class ServiceType(Replica, Base):
    """Replica of intake's service types: visits take the default duration and go
    to staff of the listed roles."""

    __tablename__ = "service_type"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(20))
    staff_roles: Mapped[list[str]] = mapped_column(JSON)
    default_duration_minutes: Mapped[int]
    unit: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool]


class Municipality(Replica, Base):
    """Replica of intake's municipalities: visits are planned in their time zone."""

    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))


class StaffRole(Replica, Base):
    """Replica of intake's staff-role code list: a member of staff has active ones."""

    __tablename__ = "staff_role"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[bool]


class Staff(Base):
    """A member of a municipality's staff: who does visits, runs groups and answers calls.
    Their name is for coordinators and stays here; events name them by id and subject."""

    __tablename__ = "staff"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(200), unique=True)  # who they are in tokens
    display_name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(JSON)
    base_latitude: Mapped[float | None] = mapped_column(Float)  # where their working day starts
    base_longitude: Mapped[float | None] = mapped_column(Float)
    contracted_hours_per_week: Mapped[float]
    registered_at: Mapped[datetime]
    joined_on: Mapped[date | None]  # their first working day, where given
    left_on: Mapped[date | None]
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # the secret of their feed
    role_rows: Mapped[list[StaffMemberRole]] = relationship(cascade="all, delete-orphan",
                                                            order_by="StaffMemberRole.code")
    availability_rows: Mapped[list[StaffAvailability]] = relationship(
        cascade="all, delete-orphan", order_by="(StaffAvailability.weekday, StaffAvailability.start)")

    @property
    def roles(self) -> list[str]:
        return [row.code for row in self.role_rows]

    @roles.setter
    def roles(self, codes: list[str]) -> None:
        self.role_rows = [StaffMemberRole(code=code) for code in sorted(set(codes))]


class StaffMemberRole(Base):
    """One of a member's roles (a staff_role code): planning looks members up by role."""

    __tablename__ = "staff_member_role"
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class StaffAvailability(Base):
    """One window of a member's usual week, in their municipality's local time."""

    __tablename__ = "staff_availability"
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(primary_key=True)  # 0 Monday .. 6 Sunday
    start: Mapped[str] = mapped_column(String(5), primary_key=True)  # "09:00"
    end: Mapped[str] = mapped_column(String(5))  # "13:00", "24:00"


class StaffAbsence(Base):
    """Whole days a member does not work though their week says so: leave, sickness,
    training. Days of their municipality's calendar, the last included."""

    __tablename__ = "staff_absence"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # leave, sickness, training
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime]


class CarePlan(Replica, Base):
    """Replica of an intake care plan in force, the whole plan as its latest event gave it
    (``lines``: the events' CarePlanLine, as JSON); ``planned_until``: the last day its
    visits are generated for."""

    __tablename__ = "care_plan"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(20))  # active, suspended, ended
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    latitude: Mapped[float | None] = mapped_column(Float)  # where home visits happen
    longitude: Mapped[float | None] = mapped_column(Float)
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lines: Mapped[list[dict]] = mapped_column(JSON)
    planned_until: Mapped[date | None]


class Centre(Base):
    """A place clients come to (an integrated social-health centre): professionals keep office
    hours there, and each hour's slots are booked as appointments (visits at the centre)."""

    __tablename__ = "centre"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    hours: Mapped[list[OfficeHours]] = relationship(cascade="all, delete-orphan",
                                                    order_by="(OfficeHours.weekday, OfficeHours.start)")


class OfficeHours(Base):
    """When a professional receives clients for a service at a centre, every week (local time),
    in slots of the service's length."""

    __tablename__ = "office_hours"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    centre_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    service_type: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int]  # 0 Monday .. 6 Sunday
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int]


class MobileRound(Base):
    """A mobile unit's stop at a settlement on a date: its team is booked for it, and each
    client seen there is recorded as a completed visit of the round."""

    __tablename__ = "mobile_round"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    unit: Mapped[str] = mapped_column(String(200))  # which unit: "Мобилен кабинет 1"
    service_type: Mapped[str] = mapped_column(String(64))
    stop_name: Mapped[str] = mapped_column(String(200))  # where it stops: a square, a community centre
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # planned, held, cancelled
    team_rows: Mapped[list[RoundTeam]] = relationship(cascade="all, delete-orphan")

    @property
    def team(self) -> list[uuid.UUID]:
        return sorted(row.staff_id for row in self.team_rows)


class RoundTeam(Base):
    __tablename__ = "round_team"
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mobile_round.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)


class Visit(Base):
    """One visit of a care plan line: planned, then checked in, completed, missed or
    cancelled (``visits.rules.LIFECYCLE``). ``staff_id`` null: no one could do it, for
    ``unstaffed_reason``. Checked in and out: the time actually delivered."""

    __tablename__ = "visit"
    __table_args__ = (Index("ix_visit_staff_id_starts_at", "staff_id", "starts_at"),
                      Index("ix_visit_care_plan_id_starts_at", "care_plan_id", "starts_at"),
                      Index("ix_visit_municipality_code_starts_at", "municipality_code", "starts_at"),
                      # Partial: the sweep's "still planned" never leads the planner away from the
                      # staff index when bookings are read, and seen-at-a-round rows are few.
                      Index("ix_visit_planned_starts_at", "starts_at", postgresql_where=text("status = 'planned'"),
                            sqlite_where=text("status = 'planned'")),
                      Index("ix_visit_round_id", "round_id", postgresql_where=text("round_id IS NOT NULL"),
                            sqlite_where=text("round_id IS NOT NULL")))
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    care_plan_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    municipality_code: Mapped[str] = mapped_column(String(32))
    service_type: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    unstaffed_reason: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    planned_at: Mapped[datetime]
    status_reason: Mapped[str | None] = mapped_column(String(32))  # why it was missed or cancelled
    status_changed_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    checkin_latitude: Mapped[float | None] = mapped_column(Float)  # where the device was, if it said
    checkin_longitude: Mapped[float | None] = mapped_column(Float)
    checkin_far: Mapped[bool | None]  # the device was far from the visit's place
    centre_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("centre.id"))  # an appointment at a centre
    round_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mobile_round.id"))  # seen at a round


class VisitReport(Base):
    """What the worker reported of a completed visit or call. The observations are personal
    (health notes): they stay here, read as the visit is, and never travel in an event."""

    __tablename__ = "visit_report"
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True)
    services_delivered: Mapped[list[str]] = mapped_column(JSON)
    observations: Mapped[str | None] = mapped_column(Text)
    call_outcome: Mapped[str | None] = mapped_column(String(16))  # answered, needs_help (phone check-ins)
    concern_category: Mapped[str | None] = mapped_column(String(64))  # a concern raised: intake opens a case
    concern_priority: Mapped[str | None] = mapped_column(String(10))
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[datetime]


class Group(Base):
    """A self-help group, club or circle of a municipality: where and when it meets (an RFC 5545
    RRULE from its first day, at a local time), who facilitates it, who belongs to it."""

    __tablename__ = "self_help_group"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(64))  # maternal_child_health, elderly_circle, ...
    venue_name: Mapped[str] = mapped_column(String(200))
    venue_latitude: Mapped[float | None] = mapped_column(Float)
    venue_longitude: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    start_time: Mapped[str] = mapped_column(String(5))  # local, "17:00"
    duration_minutes: Mapped[int]
    recurrence: Mapped[str] = mapped_column(String(500))  # "FREQ=WEEKLY;BYDAY=TU"
    planned_until: Mapped[date | None]
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # the secret of its feed
    created_at: Mapped[datetime]
    facilitator_rows: Mapped[list[GroupFacilitator]] = relationship(cascade="all, delete-orphan")

    @property
    def facilitator_ids(self) -> list[uuid.UUID]:
        return sorted(row.staff_id for row in self.facilitator_rows)


class GroupFacilitator(Base):
    __tablename__ = "group_facilitator"
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("self_help_group.id", ondelete="CASCADE"),
                                                primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)


class GroupMember(Base):
    """A client (by id: who they are stays in intake) in a group from one day, until another."""

    __tablename__ = "group_member"
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("self_help_group.id", ondelete="CASCADE"),
                                                primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    joined_on: Mapped[date]
    left_on: Mapped[date | None]


class GroupSession(Base):
    """One meeting of a group, from its recurrence: planned, then held (with its attendance) or cancelled."""

    __tablename__ = "group_session"
    __table_args__ = (UniqueConstraint("group_id", "starts_at"),)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("self_help_group.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(200))  # what this session is about
    materials: Mapped[list[str]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)
    anonymous_participants: Mapped[int]
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime | None]


class SessionAttendance(Base):
    __tablename__ = "session_attendance"
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("group_session.id", ondelete="CASCADE"),
                                                  primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class Activity(Base):
    """A one-off event: a health campaign, a training of facilitators or staff, a public
    discussion, a coalition meeting; planned, then held with its participant count."""

    __tablename__ = "activity"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    venue_name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # planned, held, cancelled
    participants: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ClientServedBy(Base):
    """The workers (token subjects) last announced as serving a client
    (``scheduling.client.assigned.v1``), so that only changes are announced."""

    __tablename__ = "client_served_by"
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    staff_subject: Mapped[str] = mapped_column(String(200), primary_key=True)


class TravelSettings(Base):
    """How the optimiser reckons travel in a municipality: the straight line times its roads'
    factor at its speed, or an OSRM server's matrix where one serves it."""

    __tablename__ = "travel_settings"
    municipality_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    road_factor: Mapped[float]
    speed_kmh: Mapped[float]
    osrm_url: Mapped[str | None] = mapped_column(String(500))


class RoutePlan(Base):
    """A plan of routes and rosters asked of the optimiser for a municipality's days: made by a
    worker in the background (``result`` once ready: the proposed routes, the visits left out
    with their reasons, the measures), then applied or left."""

    __tablename__ = "route_plan"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(32), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    seconds: Mapped[int]  # the search's time limit
    status: Mapped[str] = mapped_column(String(12), index=True)
    asked_by: Mapped[str] = mapped_column(String(200))
    asked_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]  # a worker is making it until then
    finished_at: Mapped[datetime | None]
    applied_at: Mapped[datetime | None]
    applied_by: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(200))
