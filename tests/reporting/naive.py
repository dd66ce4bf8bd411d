"""Reporting's indicators counted a second, deliberately naive way: straight from the list of
events, in Python, with none of reporting's code (no read model, no SQL). A record is a dict
of what each dimension is for it (a list where it has several values, absent where it has
none); each indicator filters and groups its records the plain way. Care plans are walked
day by day; cases step by step."""
from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.events import Envelope

RESOLVED = {"resolved", "closed"}
NOT_APPLICABLE = "n/a"
CLIENT = {"municipality", "settlement", "sex", "age_band", "target_group", "programme"}
VISITS = CLIENT | {"service_type", "staff_role"}
GROUPS = {"municipality", "kind"}
# The dimensions each indicator's records have, by hand from what the events tell.
DIMENSIONS = {
    "clients_registered": CLIENT, "clients_assessed": CLIENT, "clients_served": CLIENT | {"service_type"},
    "agreements_signed": CLIENT, "care_plans_active": CLIENT | {"service_type"},
    **dict.fromkeys(["visits_planned", "visits_delivered", "visits_missed", "visits_cancelled", "hours_planned",
                     "hours_delivered", "checkin_calls_made", "checkin_calls_unanswered"], VISITS),
    "staff_headcount": {"municipality", "staff_role"},
    "groups_formed": GROUPS, "sessions_held": GROUPS, "attendance_total": GROUPS,
    "participants_unique": CLIENT | {"kind"}, "activities_held": GROUPS, "activity_participants": GROUPS,
    **dict.fromkeys(["cases_opened", "cases_resolved", "cases_open", "cases_overdue", "days_to_resolution_median"],
                    CLIENT | {"kind"}),
    "escalations_raised": GROUPS, "messages_sent": GROUPS | {"channel"}, "messages_failed": GROUPS | {"channel"},
}


@dataclass(frozen=True)
class Ask:
    first: date
    last: date
    municipalities: set[str]
    filters: dict[str, str]
    by: str | None
    bands: tuple[int, ...] = (18, 54, 65, 80)


class World:
    """Every record's latest state, worked out by reading all events for each."""

    def __init__(self, envelopes: Iterable[Envelope]) -> None:
        self.events = sorted(({"type": e.type, "time": e.time, **e.data} for e in envelopes), key=lambda e: e["time"])
        self.zones = {e["code"]: e["timezone"] for e in self.of("intake.municipality.registered.v1")}
        self.modes = {e["code"]: e["mode"] for e in self.of("intake.servicetype.registered.v1")}

    def of(self, *types: str) -> list[dict]:
        return [e for e in self.events if e["type"] in types]

    def latest(self, key: str, *types: str) -> dict[Any, dict]:
        found: dict[Any, dict] = {}
        for event in self.of(*types):  # oldest first: the last one stays
            found[event[key]] = event
        return found

    def local_day(self, at: datetime | str, municipality: str) -> date:
        instant = datetime.fromisoformat(at) if isinstance(at, str) else at
        return instant.astimezone(ZoneInfo(self.zones[municipality])).date()


def answer(envelopes: list[Envelope], ask: Ask) -> dict[str, dict[str, Any] | str]:
    world = World(envelopes)
    records = Records(world, ask)
    return {code: figure(rows, ask, combine, DIMENSIONS[code])
            for code, (rows, combine) in records.indicators().items()}


def figure(rows: list[dict], ask: Ask, combine: Callable[[list], Any], dimensions: set[str]) -> dict[str, Any] | str:
    if not {*ask.filters, *([ask.by] if ask.by else [])} <= dimensions:
        return NOT_APPLICABLE
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        if row["municipality"] not in ask.municipalities or not all(
                _has(row[name], value) for name, value in ask.filters.items()):
            continue
        for key in (_values(row[ask.by]) if ask.by else ["total"]):
            grouped[key].append(row)
    return {key: combine(found) for key, found in grouped.items()}


def _has(held: Any, wanted: str) -> bool:
    return wanted in held if isinstance(held, (list, set)) else held is not None and str(held) == wanted


def _values(held: Any) -> list[str]:
    if isinstance(held, (list, set)):
        return sorted(str(value) for value in held) or ["unknown"]
    return ["unknown" if held is None else str(held)]


def count(key: str) -> Callable[[list], int]:
    return lambda rows: len({row[key] for row in rows})


def sum_of(name: str) -> Callable[[list], int]:
    return lambda rows: sum(row[name] or 0 for row in rows)


def hours_of(name: str) -> Callable[[list], float]:
    return lambda rows: round(sum(row[name] or 0 for row in rows) / 60, 1)


class Records:
    def __init__(self, world: World, ask: Ask) -> None:
        self.world, self.ask = world, ask
        self.clients = world.latest("client_id", "intake.client.registered.v1", "intake.client.updated.v1")
        self.programmes: dict[Any, set[str]] = defaultdict(set)
        for agreement in world.of("intake.agreement.signed.v1"):
            self.programmes[agreement["client_id"]].add(agreement["programme"])
        staff = world.latest("staff_id", "scheduling.staff.registered.v1", "scheduling.staff.changed.v1",
                             "scheduling.staff.left.v1")
        self.roles = {member["subject"]: member["roles"] for member in staff.values()}

    def in_period(self, at: Any, municipality: str) -> bool:
        return at is not None and self.ask.first <= self.world.local_day(at, municipality) <= self.ask.last

    def on_days(self, day: str | date) -> bool:
        return self.ask.first <= date.fromisoformat(str(day)) <= self.ask.last

    def of_client(self, client_id: Any, *, programme: Any = "agreements") -> dict:
        """The client's dimensions (none known: every one unknown), and a programme: the record's
        own, or the client's agreements'."""
        told = self.clients.get(client_id) if client_id else None
        age = self.ask.last.year - told["birth_year"] if told and told["birth_year"] else None
        row = {"settlement": told and told["settlement_id"], "sex": told and told["sex"],
               "age_band": None if age is None else _band(age, self.ask.bands),
               "target_group": told["target_groups"] if told else []}
        row["programme"] = sorted(self.programmes.get(client_id, ())) if programme == "agreements" else programme
        return row

    def staff_of(self, subject: str | None) -> list[str]:
        return self.roles.get(subject, []) if subject else []

    def indicators(self) -> dict[str, tuple[list[dict], Callable]]:
        visits, calls = self.visits()
        cases = self.cases()
        return {
            "clients_registered": (self.registered(), count("id")),
            "clients_assessed": (self.assessed(), count("id")),
            "clients_served": (self.served(), count("id")),
            "agreements_signed": (self.agreements(), count("id")),
            "care_plans_active": (self.plans(), count("id")),
            "visits_planned": (visits, count("id")),
            "visits_delivered": ([{**v, "staff_role": self.staff_of(v["delivered_by"])} for v in visits
                                  if v["outcome"] == "completed"], count("id")),
            "visits_missed": ([v for v in visits if v["outcome"] == "missed"], count("id")),
            "visits_cancelled": ([v for v in visits if v["outcome"] == "cancelled"], count("id")),
            "hours_planned": (visits, hours_of("planned")),
            "hours_delivered": ([{**v, "staff_role": self.staff_of(v["delivered_by"])} for v in visits
                                 if v["outcome"] == "completed"], hours_of("delivered")),
            "staff_headcount": (self.headcount(), count("id")),
            **self.groups(),
            **self.activities(),
            "cases_opened": ([c for c in cases if self.in_period(c["opened_at"], c["municipality"])], count("id")),
            "cases_resolved": ([c for c in cases
                                if any(self.in_period(t, c["municipality"]) for t in c["resolutions"])],
                               count("id")),
            "cases_open": ([c for c in cases if c["open_at_end"]], count("id")),
            "cases_overdue": ([c for c in cases if c["open_at_end"] and c["overdue"]], count("id")),
            "days_to_resolution_median": (self.resolutions(cases), _median),
            "checkin_calls_made": ([{**v, "staff_role": self.staff_of(v["delivered_by"])} for v in calls
                                    if v["outcome"] in ("completed", "unanswered")], count("id")),
            "checkin_calls_unanswered": ([v for v in calls if v["outcome"] == "unanswered"], count("id")),
            "escalations_raised": (self.escalations(), count("id")),
            "messages_sent": (self.messages("sent"), count("id")),
            "messages_failed": (self.messages("failed"), count("id")),
        }

    # -- clients ----------------------------------------------------------------------------------

    def registered(self) -> list[dict]:
        latest = self.clients
        return [{"id": e["client_id"], "municipality": latest[e["client_id"]]["municipality"],
                 **self.of_client(e["client_id"])}
                for e in self.world.of("intake.client.registered.v1")
                if self.in_period(e["time"], latest[e["client_id"]]["municipality"])]

    def assessed(self) -> list[dict]:
        return [{"id": e["client_id"], "municipality": e["municipality"], **self.of_client(e["client_id"])}
                for e in self.world.of("intake.assessment.recorded.v1") if self.on_days(e["assessed_on"])]

    def served(self) -> list[dict]:
        visits, calls = self.visits(every=True)
        seen = [{"id": v["client"], "municipality": v["municipality"], **self.of_client(v["client"]),
                 "programme": v["programme"], "service_type": v["service_type"]}
                for v in visits + calls
                if v["outcome"] == "completed" and self.in_period(v["happened_at"], v["municipality"])]
        for held in self.sessions():
            seen += [{"id": c, "municipality": held["municipality"], **self.of_client(c), "programme": None,
                      "service_type": None} for c in held["present"]]
        return seen

    def agreements(self) -> list[dict]:
        return [{"id": e["agreement_id"], "municipality": e["municipality"],
                 **self.of_client(e["client_id"], programme=e["programme"])}
                for e in self.world.of("intake.agreement.signed.v1") if self.on_days(e["signed_on"])]

    # -- care plans, day by day ---------------------------------------------------------------------

    def plans(self) -> list[dict]:
        plans = self.world.latest("careplan_id", "intake.careplan.activated.v1", "intake.careplan.changed.v1")
        steps: dict[Any, list] = defaultdict(list)
        for event in self.world.of("intake.careplan.activated.v1", "intake.careplan.changed.v1",
                                   "intake.careplan.suspended.v1", "intake.careplan.ended.v1"):
            on = event.get("effective_on") or event.get("active_since") or event["starts_on"]
            steps[event["careplan_id"]].append((date.fromisoformat(on), event["time"], "effective_on" not in event))
        return [{"id": careplan_id, "municipality": plan["municipality"],
                 **self.of_client(plan["client_id"], programme=plan["programme"]),
                 "service_type": sorted({line["service_type"] for line in plan["lines"]})}
                for careplan_id, plan in plans.items()
                if any(_running(plan, sorted(steps[careplan_id]), day) for day in _days(self.ask.first, self.ask.last))]

    # -- visits ----------------------------------------------------------------------------------------

    def visits(self, *, every: bool = False) -> tuple[list[dict], list[dict]]:
        """The period's visits and calls (``every``: of any day), replaced ones left out."""
        plans = self.world.latest("careplan_id", "intake.careplan.activated.v1", "intake.careplan.changed.v1")
        known: dict[Any, dict] = defaultdict(dict)
        for event in self.world.events:
            for visit in self._visits_in(event):
                known[visit["id"]] = _merged(known[visit["id"]], visit, event["time"])
        visits, calls = [], []
        for visit in known.values():
            if visit.get("outcome") == "cancelled" and visit["reason"] == "plan_changed":
                continue
            if not every and not self.in_period(visit.get("happened_at") or visit.get("due_at"), visit["municipality"]):
                continue
            plan = plans.get(visit.get("careplan_id"))
            row = {"outcome": None, "planned": None, "delivered": None, "delivered_by": None, "staff": None, **visit,
                   "client": visit["client_id"],
                   **self.of_client(visit["client_id"], programme=plan and plan["programme"])}
            row["staff_role"] = self.staff_of(row["staff"])
            call = self.world.modes.get(visit.get("service_type")) == "phone" or row["outcome"] == "unanswered"
            (calls if call else visits).append(row)
        return visits, calls

    def _visits_in(self, event: dict) -> list[dict]:
        kind, ids = event["type"], {"client_id": event.get("client_id"), "municipality": event.get("municipality")}
        if kind == "scheduling.visits.planned.v1":
            return [{"id": v["visit_id"], **ids, "careplan_id": event["careplan_id"], "half": "plan",
                     "service_type": v["service_type"], "staff": v["staff_id"], "due_at": v["starts_at"],
                     "planned": _minutes(v["starts_at"], v["ends_at"])} for v in event["visits"]]
        if kind == "scheduling.visit.rescheduled.v1":
            return [{"id": event["visit_id"], **ids, "half": "plan", "service_type": event["service_type"],
                     "staff": event["staff_id"], "due_at": event["starts_at"],
                     "planned": _minutes(event["starts_at"], event["ends_at"])}]
        if kind == "scheduling.visits.cancelled.v1":
            return [{"id": v, **ids, "half": "end", "outcome": "cancelled", "reason": event["reason"],
                     "happened_at": None, "delivered": None, "delivered_by": None} for v in event["visit_ids"]]
        ended = {"scheduling.visit.completed.v1": ("completed", "started_at"),
                 "scheduling.visit.missed.v1": ("missed", "starts_at"),
                 "scheduling.checkin.unanswered.v1": ("unanswered", "called_at")}.get(kind)
        if ended is None:
            return []
        outcome, when = ended
        return [{"id": event["visit_id"], **ids, "half": "end", "careplan_id": event["careplan_id"],
                 "outcome": outcome, "reason": event.get("reason"), "happened_at": event[when],
                 "delivered": _minutes(event["started_at"], event["ended_at"]) if outcome == "completed" else None,
                 "delivered_by": event["staff_id"] if outcome != "missed" else None,
                 **({"service_type": event["service_type"]} if "service_type" in event else {})}]

    # -- staff, groups, activities ----------------------------------------------------------------------

    def headcount(self) -> list[dict]:
        joined = {e["staff_id"]: e["time"] for e in self.world.of("scheduling.staff.registered.v1")}
        staff = self.world.latest("staff_id", "scheduling.staff.registered.v1", "scheduling.staff.changed.v1",
                                  "scheduling.staff.left.v1")
        return [{"id": staff_id, "municipality": m["municipality"], "staff_role": m["roles"]}
                for staff_id, m in staff.items()
                if self._joined_by_the_end(m, joined.get(staff_id))
                and (m["left_on"] is None or date.fromisoformat(m["left_on"]) >= self.ask.first)]

    def _joined_by_the_end(self, member: dict, registered: datetime | None) -> bool:
        """Their first working day, where given, else the day registered, is in or before the period."""
        if member.get("joined_on"):
            return date.fromisoformat(member["joined_on"]) <= self.ask.last
        return registered is None or self.world.local_day(registered, member["municipality"]) <= self.ask.last

    def sessions(self) -> list[dict]:
        held = self.world.latest("session_id", "scheduling.session.held.v1")
        return [s for s in held.values() if self.in_period(s["held_at"], s["municipality"])]

    def groups(self) -> dict[str, tuple[list[dict], Callable]]:
        formed = [{"id": g["group_id"], "municipality": g["municipality"], "kind": g["topic"]}
                  for g in self.world.latest("group_id", "scheduling.group.registered.v1").values()
                  if self.on_days(g["starts_on"])]
        sessions = [{"id": s["session_id"], "municipality": s["municipality"], "kind": s["topic"],
                     "people": len(set(s["present"])) + s["anonymous_participants"]} for s in self.sessions()]
        came = [{"id": c, "municipality": s["municipality"], "kind": s["topic"], **self.of_client(c)}
                for s in self.sessions() for c in set(s["present"])]
        return {"groups_formed": (formed, count("id")), "sessions_held": (sessions, count("id")),
                "participants_unique": (came, count("id")), "attendance_total": (sessions, sum_of("people"))}

    def activities(self) -> dict[str, tuple[list[dict], Callable]]:
        held = [{"id": a["activity_id"], "municipality": a["municipality"], "kind": a["kind"],
                 "participants": a["participants"]}
                for a in self.world.latest("activity_id", "scheduling.activity.held.v1").values()
                if self.in_period(a["held_at"], a["municipality"])]
        return {"activities_held": (held, count("id")), "activity_participants": (held, sum_of("participants"))}

    # -- cases, step by step ------------------------------------------------------------------------------

    def cases(self) -> list[dict]:
        found = []
        follow_ups = self.world.latest("follow_up_id", "intake.followup.recorded.v1").values()
        for opened in self.world.of("intake.case.opened.v1"):
            steps = [(opened["time"], "open")] + [
                (e["time"], e["status"]) for e in self.world.of("intake.case.status_changed.v1")
                if e["case_id"] == opened["case_id"]]
            resolutions, status = [], "open"
            for at, new in sorted(steps):
                if new in RESOLVED and status not in RESOLVED:
                    resolutions.append(at)
                status = new
            end = self._end(opened["municipality"])
            before_end = [new for at, new in sorted(steps) if at < end]
            last = self.ask.last
            overdue = any(f["case_id"] == opened["case_id"] and f["due_on"] and date.fromisoformat(f["due_on"]) < last
                          and (f["done_on"] is None or date.fromisoformat(f["done_on"]) > last) for f in follow_ups)
            found.append({"id": opened["case_id"], "municipality": opened["municipality"], "kind": opened["category"],
                          **self.of_client(opened["client_id"]), "opened_at": opened["time"],
                          "resolutions": resolutions,
                          "open_at_end": bool(before_end) and before_end[-1] not in RESOLVED,
                          "overdue": overdue})
        return found

    def _end(self, municipality: str) -> datetime:
        """The instant after the period, in the municipality's calendar."""
        midnight = datetime.combine(self.ask.last + timedelta(days=1), datetime.min.time())
        return midnight.replace(tzinfo=ZoneInfo(self.world.zones[municipality]))

    def resolutions(self, cases: list[dict]) -> list[dict]:
        return [{**c, "days": (at - c["opened_at"]).total_seconds() / 86400}
                for c in cases for at in c["resolutions"] if self.in_period(at, c["municipality"])]

    # -- messages and escalations ---------------------------------------------------------------------------

    def escalations(self) -> list[dict]:
        return [{"id": e["escalation_id"], "municipality": e["municipality"], "kind": e["kind"]}
                for e in self.world.of("notifications.escalation.raised.v1")
                if self.in_period(e["time"], e["municipality"])]

    def messages(self, outcome: str) -> list[dict]:
        latest = self.world.latest("message_id", "notifications.message.sent.v1", "notifications.message.failed.v1")
        return [{"id": m["message_id"], "municipality": m["municipality"], "kind": m["kind"], "channel": m["channel"]}
                for m in latest.values() if m["type"].endswith(f".{outcome}.v1")
                and self.in_period(m["time"], m["municipality"])]


def _merged(known: dict, told: dict, at: datetime) -> dict:
    """A visit as its events tell it: each half (as planned, as ended) from its latest event; its
    plan from whichever event names one; its service type from the latest planning event, else
    from an ending one."""
    half = told.pop("half")
    merged = dict(known)
    if half == "plan" or "service_type" not in known:
        merged["service_type"] = told.get("service_type", known.get("service_type"))
    told.pop("service_type", None)
    if known.get("careplan_id") is None and told.get("careplan_id") is not None:
        merged["careplan_id"] = told["careplan_id"]
    told.pop("careplan_id", None)
    if at >= known.get(f"{half}_at", at):
        merged.update(told)
        merged[f"{half}_at"] = at
    return merged


def _running(plan: dict, steps: list[tuple], day: date) -> bool:
    """Whether the plan ran on ``day``: within its dates, and its last step on or before it was to run."""
    if day < date.fromisoformat(plan["starts_on"]) or (plan["ends_on"] and day > date.fromisoformat(plan["ends_on"])):
        return False
    earlier = [step for step in steps if step[0] <= day]
    return bool(earlier) and earlier[-1][2]


def _minutes(start: str, end: str) -> int:
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 60)


def _band(age: int, bounds: tuple[int, ...]) -> str:
    edges = [0, *bounds]
    for low, high in itertools.pairwise(edges):
        if age < high:
            return f"{low}-{high - 1}"
    return f"{edges[-1]}+"


def _days(first: date, last: date) -> Iterable[date]:
    while first <= last:
        yield first
        first += timedelta(days=1)


def _median(rows: list[dict]) -> float | None:
    return round(statistics.median(row["days"] for row in rows), 1) if rows else None
