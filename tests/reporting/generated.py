"""A year of a small network's events, made up from a seed: what reporting's figures are
checked against (tests/reporting/naive.py counts them another way). Three municipalities in
two time zones; clients who move and change; plans suspended, resumed and ended; visits
planned, moved, replaced, cancelled, made and missed; check-in calls; staff who join, change
and leave; groups whose sessions are recorded twice; cases reopened; messages that fail and
then go out."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from shared.events import Envelope, Event, intake as i, notifications as n, scheduling as s

YEAR = 2021
PLACES = {  # code: (time zone, network, language)
    "BG-MTR": ("Europe/Sofia", "bg-health", "bg"),
    "BG-BGS": ("Europe/Sofia", "bg-health", "bg"),
    "PL-WAW": ("Europe/Warsaw", "pl-clubs", "pl"),
}
SERVICE_TYPES = {"home_help": "home_visit", "nursing": "home_visit", "phone_friend": "phone"}
PROGRAMMES = ("patronage", "clubs")
TARGET_GROUPS = ("disability", "elderly_65", "over_54", "quarantined")
ROLES = ("home_helper", "nurse", "mediator", "volunteer")
SEXES = ("female", "male", "other", "unknown")
CATEGORIES = ("health_access", "housing", "documents")
MINUTE = timedelta(minutes=1)


@dataclass
class Network:
    """The events made, each wrapped with its own time (the envelope's)."""

    rng: random.Random
    envelopes: list[Envelope] = field(default_factory=list)
    settlements: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    staff: dict[str, list[str]] = field(default_factory=dict)  # municipality: subjects
    clients: dict[uuid.UUID, str] = field(default_factory=dict)  # client: municipality

    def publish(self, event: Event, at: datetime) -> None:
        wrapped = Envelope.wrap(event, municipality=getattr(event, "municipality", None))
        self.envelopes.append(wrapped.model_copy(update={"time": at}))

    def moment(self) -> datetime:
        """A time in the year, to the second, and a little beyond on both sides."""
        start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(days=10)
        return start + timedelta(seconds=self.rng.randrange(385 * 86400))

    def day(self) -> date:
        return self.moment().date()


def network(seed: int, *, clients: int = 40) -> list[Envelope]:
    world = Network(random.Random(seed))
    catalogue(world)
    for municipality in PLACES:
        staff(world, municipality)
    for _ in range(clients):
        client(world, world.rng.choice(list(PLACES)))
    for municipality in PLACES:
        groups(world, municipality)
        activities(world, municipality)
    for _ in range(clients // 2):
        case(world)
    messages(world)
    return world.envelopes


def catalogue(world: Network) -> None:
    early = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    for code, (zone, net, language) in PLACES.items():
        world.publish(i.MunicipalityRegistered(code=code, name=code.title(), language=language, timezone=zone,
                                               network=net), early)
        world.settlements[code] = [uuid.uuid4(), uuid.uuid4()]
        for settlement_id in world.settlements[code]:
            world.publish(i.SettlementRegistered(settlement_id=settlement_id, municipality=code, name="Село",
                                                 kind="village", marginalised_community=False), early)
    for code, mode in SERVICE_TYPES.items():
        world.publish(i.ServiceTypeRegistered(code=code, names={"en": code}, mode=mode, staff_roles=list(ROLES),
                                              default_duration_minutes=60, unit="hour"), early)
    for code in PROGRAMMES:
        world.publish(i.ProgrammeRegistered(code=code, name=code, starts_on=date(YEAR, 1, 1),
                                            ends_on=date(YEAR, 12, 31), municipalities=list(PLACES),
                                            service_types=list(SERVICE_TYPES)), early)


def staff(world: Network, municipality: str) -> None:
    rng = world.rng
    world.staff[municipality] = []
    for number in range(4):
        subject = f"{municipality.lower()}-worker-{number}"
        world.staff[municipality].append(subject)
        joined = world.moment()
        member = {"staff_id": uuid.uuid4(), "subject": subject, "municipality": municipality,
                  "roles": rng.sample(ROLES, rng.randint(1, 2)),
                  "joined_on": rng.choice([None, (joined - timedelta(days=rng.randint(0, 90))).date()])}
        world.publish(s.StaffRegistered(**member), joined)
        if rng.random() < 0.4:
            world.publish(s.StaffChanged(**{**member, "roles": rng.sample(ROLES, 1)}), joined + timedelta(days=20))
        if rng.random() < 0.3:
            world.publish(s.StaffLeft(**member, left_on=(joined + timedelta(days=rng.randint(1, 200))).date()),
                          joined + timedelta(days=rng.randint(1, 200)))


def client(world: Network, municipality: str) -> None:
    rng = world.rng
    client_id, at = uuid.uuid4(), world.moment()
    world.clients[client_id] = municipality
    told = {"client_id": client_id, "municipality": municipality,
            "settlement_id": _maybe(rng, world.settlements[municipality]),
                "target_groups": rng.sample(TARGET_GROUPS, rng.randint(0, 2)), "sex": rng.choice(SEXES),
                "birth_year": rng.choice([None, *range(1925, 2015)])}
    world.publish(i.ClientRegistered(**told), at)
    if rng.random() < 0.3:
        moved = {**told, "settlement_id": _maybe(rng, world.settlements[municipality]),
                 "target_groups": rng.sample(TARGET_GROUPS, rng.randint(0, 2)), "sex": rng.choice(SEXES)}
        world.publish(i.ClientUpdated(**moved, status="active", language="bg"), at + timedelta(days=rng.randint(1, 90)))
    if rng.random() < 0.6:
        world.publish(i.AssessmentRecorded(assessment_id=uuid.uuid4(), client_id=client_id, municipality=municipality,
                                           template="social", template_version=1, assessed_on=world.day()), at)
    for _ in range(rng.choice([0, 1, 1, 2])):
        agreement(world, client_id, municipality)


def agreement(world: Network, client_id: uuid.UUID, municipality: str) -> None:
    rng = world.rng
    programme, signed = rng.choice(PROGRAMMES), world.moment()
    starts_on = signed.date() + timedelta(days=rng.randint(0, 10))
    ends_on = rng.choice([None, starts_on + timedelta(days=rng.randint(30, 300))])
    world.publish(i.AgreementSigned(agreement_id=uuid.uuid4(), client_id=client_id, municipality=municipality,
                                    programme=programme, signed_on=signed.date(), starts_on=starts_on,
                                    ends_on=ends_on), signed)
    care_plan(world, client_id, municipality, programme, starts_on, ends_on, signed)


def care_plan(world: Network, client_id: uuid.UUID, municipality: str, programme: str, starts_on: date,
              ends_on: date | None, at: datetime) -> None:
    rng = world.rng
    lines = [i.CarePlanLine(line_id=uuid.uuid4(), service_type=code, unit="hour", per_week=2, duration_minutes=60,
                            preferred_days=["mon"], time_windows=[], preferred_worker=None, place="home")
             for code in rng.sample(list(SERVICE_TYPES), rng.randint(1, 2))]
    plan = {"careplan_id": uuid.uuid4(), "client_id": client_id, "municipality": municipality,
                "programme": rng.choice([programme, programme, None]), "settlement_id": None, "location": None,
                "language": "bg", "starts_on": starts_on, "ends_on": ends_on, "lines": lines}
    world.publish(i.CarePlanActivated(**plan, active_since=starts_on), at)
    stopped = starts_on + timedelta(days=rng.randint(5, 120))
    if rng.random() < 0.3:
        world.publish(i.CarePlanChanged(**{**plan, "lines": lines[:1]}, active_since=starts_on), at + 3 * MINUTE)
    if rng.random() < 0.4:
        world.publish(i.CarePlanSuspended(careplan_id=plan["careplan_id"], client_id=client_id,
                                          municipality=municipality, effective_on=stopped, reason="hospital_stay"),
                      at + timedelta(days=1))
        if rng.random() < 0.6:
            again = stopped + timedelta(days=rng.randint(0, 40))
            world.publish(i.CarePlanActivated(**plan, active_since=again), at + timedelta(days=2))
    if rng.random() < 0.2:
        world.publish(i.CarePlanEnded(careplan_id=plan["careplan_id"], client_id=client_id, municipality=municipality,
                                      effective_on=stopped + timedelta(days=rng.randint(41, 90)), reason="deceased"),
                      at + timedelta(days=3))
    visits(world, client_id, municipality, plan["careplan_id"], [line.service_type for line in lines])


def visits(world: Network, client_id: uuid.UUID, municipality: str, careplan_id: uuid.UUID | None,
           services: list[str]) -> None:
    rng = world.rng
    planned, at = [], world.moment()
    for _ in range(rng.randint(2, 8)):
        starts = world.moment().replace(second=0)
        planned.append(s.PlannedVisit(visit_id=uuid.uuid4(), service_type=rng.choice(services),
                                      staff_id=_maybe(rng, world.staff[municipality]), starts_at=starts,
                                      ends_at=starts + rng.randint(3, 12) * 10 * MINUTE))
    world.publish(s.VisitsPlanned(client_id=client_id, municipality=municipality, careplan_id=careplan_id,
                                  visits=planned), at)
    for visit in planned:
        outcome(world, client_id, municipality, careplan_id, visit, at)


def outcome(world: Network, client_id: uuid.UUID, municipality: str, careplan_id: uuid.UUID | None,
            visit: s.PlannedVisit, planned_at: datetime) -> None:
    rng, ids = world.rng, {"visit_id": visit.visit_id, "client_id": client_id, "municipality": municipality}
    if rng.random() < 0.2:  # moved: another day, another worker
        moved = visit.starts_at + timedelta(days=rng.randint(-3, 3), hours=rng.randint(-5, 5))
        visit = visit.model_copy(update={"starts_at": moved, "ends_at": moved + 45 * MINUTE,
                                         "staff_id": rng.choice(world.staff[municipality])})
        world.publish(s.VisitRescheduled(**ids, service_type=visit.service_type, staff_id=visit.staff_id,
                                         starts_at=visit.starts_at, ends_at=visit.ends_at,
                                         previous_starts_at=visit.starts_at, previous_staff_id=None),
                      planned_at + MINUTE)
    ended_at, worker = planned_at + 2 * MINUTE, visit.staff_id or rng.choice(world.staff[municipality])
    roll, call = rng.random(), SERVICE_TYPES[visit.service_type] == "phone"
    if roll < 0.5:
        started = visit.starts_at + rng.randint(-20, 20) * MINUTE
        world.publish(s.VisitCompleted(**ids, careplan_id=careplan_id, service_type=visit.service_type,
                                       staff_id=worker, started_at=started,
                                       ended_at=started + rng.randint(5, 90) * MINUTE), ended_at)
    elif roll < 0.65 and call:
        world.publish(s.CheckInUnanswered(**ids, careplan_id=careplan_id, staff_id=worker,
                                          called_at=visit.starts_at + 5 * MINUTE), ended_at)
    elif roll < 0.65:
        world.publish(s.VisitMissed(**ids, careplan_id=careplan_id, service_type=visit.service_type,
                                    staff_id=visit.staff_id, starts_at=visit.starts_at, reason="not_checked_in"),
                      ended_at)
    elif roll < 0.8:
        world.publish(s.VisitsCancelled(client_id=client_id, municipality=municipality, careplan_id=careplan_id,
                                        visit_ids=[visit.visit_id],
                                        reason=rng.choice(["plan_changed", "client_request", "plan_stopped"])),
                      ended_at)


def groups(world: Network, municipality: str) -> None:
    rng = world.rng
    members = [client_id for client_id, place in world.clients.items() if place == municipality]
    for _ in range(2):
        group = {"group_id": uuid.uuid4(), "municipality": municipality, "topic": rng.choice(["mothers", "elderly"]),
                     "capacity": 12, "facilitator_ids": [uuid.uuid4()], "starts_on": world.day()}
        world.publish(s.GroupRegistered(**group), world.moment())
        for _ in range(rng.randint(2, 6)):
            held = {"session_id": uuid.uuid4(), "group_id": group["group_id"], "municipality": municipality,
                        "topic": group["topic"], "held_at": world.moment()}
            at = world.moment()
            world.publish(s.SessionHeld(**held, present=rng.sample(members, min(len(members), rng.randint(0, 5))),
                                        anonymous_participants=rng.randint(0, 4)), at)
            if rng.random() < 0.3:  # recorded again, corrected
                world.publish(s.SessionHeld(**{**held, "held_at": held["held_at"] + timedelta(days=1)},
                                            present=rng.sample(members, min(len(members), rng.randint(0, 3))),
                                            anonymous_participants=rng.randint(0, 2)), at + timedelta(hours=1))


def activities(world: Network, municipality: str) -> None:
    rng = world.rng
    for _ in range(3):
        activity = {"activity_id": uuid.uuid4(), "municipality": municipality,
                        "kind": rng.choice(["training", "campaign"]), "held_at": world.moment()}
        world.publish(s.ActivityHeld(**activity, participants=rng.randint(3, 30)), world.moment())


def case(world: Network) -> None:
    rng = world.rng
    client_id = rng.choice([*world.clients, None])
    municipality = world.clients[client_id] if client_id else rng.choice(list(PLACES))
    case_id, category, at = uuid.uuid4(), rng.choice(CATEGORIES), world.moment()
    world.publish(i.CaseOpened(case_id=case_id, municipality=municipality, client_id=client_id,
                               household_id=None if client_id else uuid.uuid4(), origin="walk_in", origin_ref=None,
                               category=category, priority="normal"), at)
    previous = "open"
    for status in rng.choice([[], ["in_progress"], ["resolved"], ["in_progress", "resolved", "in_progress", "closed"]]):
        at += timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
        world.publish(i.CaseStatusChanged(case_id=case_id, municipality=municipality, category=category,
                                          previous_status=previous, status=status), at)
        previous = status
    for _ in range(rng.randint(0, 2)):
        follow_up = {"follow_up_id": uuid.uuid4(), "case_id": case_id, "municipality": municipality, "kind": "call",
                         "due_on": world.day()}
        world.publish(i.FollowUpRecorded(**follow_up, done_on=None), at)
        if rng.random() < 0.5:
            done_on = follow_up["due_on"] + timedelta(days=rng.randint(-5, 20))
            world.publish(i.FollowUpRecorded(**follow_up, done_on=done_on),
                          at + timedelta(days=30))


def messages(world: Network) -> None:
    rng = world.rng
    for _ in range(60):
        message = {"message_id": uuid.uuid4(), "municipality": rng.choice(list(PLACES)),
                   "kind": rng.choice(["reminder", "checkin"]), "channel": rng.choice(["sms", "email"]),
                   "attempts": 1}
        at = world.moment()
        if rng.random() < 0.3:
            world.publish(n.MessageFailed(**message, reason="provider_down"), at)
            at += timedelta(hours=rng.randint(1, 48))
        world.publish(n.MessageSent(**message) if rng.random() < 0.8 else n.MessageFailed(**message, reason="refused"),
                      at)
    for _ in range(12):
        world.publish(n.EscalationRaised(escalation_id=uuid.uuid4(), municipality=rng.choice(list(PLACES)),
                                         kind=rng.choice(["visit_missed", "checkin_unanswered"]),
                                         about=f"visit:{uuid.uuid4()}"), world.moment())


def _maybe(rng: random.Random, values: list) -> object | None:
    return rng.choice([*values, None])
