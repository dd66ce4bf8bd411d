"""Plans of routes and rosters: asked for by a coordinator, made by a worker in the
background (a periodic sweep hands each to a task; the optimiser searches for the plan's
time limit), read with their progress, then applied through visits' own lifecycle: each
visit rescheduled announces it, and the days as they then stand are checked by the rules
the plan was made by, all or nothing."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.scheduling.catalogue.lookups import local_day
from services.scheduling.models import RoutePlan, TravelSettings, Visit
from services.scheduling.optimiser import measures
from services.scheduling.optimiser.check import violations
from services.scheduling.optimiser.model import Route, Solution
from services.scheduling.optimiser.solver import Options, solve
from services.scheduling.optimiser.travel import ROAD_FACTOR, SPEED_KMH
from services.scheduling.plans import rules
from services.scheduling.plans.problem import Planning, of_worker, planning
from services.scheduling.plans.schemas import (
    Applied,
    LeftOut,
    Measures,
    PlanCreate,
    PlanRead,
    PlanResult,
    RouteRead,
    StopRead,
    TravelSettingsWrite,
)
from services.scheduling.visits import service as visits
from services.scheduling.visits.rules import PLANNED
from shared.auth import Principal
from shared.db import unavailable
from shared.errors import Conflict, Invalid
from shared.paging import Page, PageQuery, paginate
from shared.scope import get_in_scope, in_scope
from shared.tasks import FollowUps

log = logging.getLogger(__name__)
MAKE_PLAN = "make_route_plan"


def ask(data: PlanCreate, principal: Principal, *, now: datetime, session: Session) -> RoutePlan:
    principal.require_municipality(data.municipality)
    today = local_day(data.municipality, now, session=session)
    if (data.last_day or data.first_day) < today:
        raise Invalid("last_day" if data.last_day else "first_day", f"must not be before today ({today}): "
                      "a plan is of days to come")
    plan = RoutePlan(id=uuid.uuid4(), municipality_code=data.municipality, first_day=data.first_day,
                     last_day=data.last_day or data.first_day, seconds=data.seconds, status=rules.QUEUED,
                     asked_by=principal.subject, asked_at=now)
    session.add(plan)
    session.flush()
    return plan


def get(plan_id: uuid.UUID, principal: Principal, *, session: Session, for_update: bool = False) -> RoutePlan:
    return get_in_scope(session, RoutePlan, plan_id, principal, what="plan", for_update=for_update)


def shown(plan: RoutePlan, *, now: datetime) -> PlanRead:
    return PlanRead.model_validate({**{column: getattr(plan, column) for column in _SHOWN}, "result": _public(plan),
                                    "progress": rules.progress(plan.status, plan.started_at, plan.seconds, now)})


_SHOWN = ("id", "municipality_code", "first_day", "last_day", "seconds", "status", "asked_by", "asked_at",
          "finished_at", "applied_at", "error")


def _public(plan: RoutePlan) -> dict | None:
    return None if plan.result is None else {k: v for k, v in plan.result.items() if k != "made_from"}


def list_plans(paging: PageQuery, principal: Principal, *, session: Session) -> Page[RoutePlan]:
    query = in_scope(select(RoutePlan), principal, RoutePlan.municipality_code)
    return paginate(session, query, paging, order=(RoutePlan.asked_at.desc(), RoutePlan.id))


# -- making ------------------------------------------------------------------------------------------------


def sweep(*, now: datetime, session: Session) -> FollowUps:
    """Hands each plan asked for (or whose worker went quiet) to a task."""
    waiting = list(session.scalars(select(RoutePlan).where(
        (RoutePlan.status == rules.QUEUED) | ((RoutePlan.status == rules.MAKING) & (RoutePlan.lease_until < now)))
        .with_for_update()))
    for plan in waiting:
        plan.status = rules.LIFECYCLE.next(plan.status, "start")
        plan.started_at, plan.lease_until = now, rules.lease(now, plan.seconds)
    return FollowUps([(MAKE_PLAN, {"plan_id": str(plan.id)}) for plan in waiting])


def make(plan_id: str, *, now: datetime, session: Session) -> str:
    """The plan searched for and kept, unless another worker kept it first."""
    plan = session.get(RoutePlan, uuid.UUID(plan_id))
    if plan is None or plan.status != rules.MAKING:
        return "skipped"
    try:
        days = planning(plan, now=now, session=session)
        session.commit()  # read all it needs: the search holds no transaction open
        result = _result(days, solve(days.problem, Options(seconds=plan.seconds)))
    except Exception as exc:  # a plan that cannot be made says so; it may be asked again
        if unavailable(exc):
            raise
        log.exception("plan %s could not be made", plan_id)
        return _finish(plan, "fail", now, session=session, error=type(exc).__name__)
    return _finish(plan, "finish", now, session=session, result=result)


def _finish(plan: RoutePlan, action: str, now: datetime, *, session: Session, **outcome: object) -> str:
    session.refresh(plan, with_for_update=True)
    if plan.status != rules.MAKING:
        return "skipped"
    plan.status, plan.finished_at, plan.lease_until = rules.LIFECYCLE.next(plan.status, action), now, None
    for name, value in outcome.items():
        setattr(plan, name, value)
    return plan.status


def _result(days: Planning, solution: Solution) -> dict:
    problem = days.problem
    routes = [_route(days, route) for route in solution.routes if _visits_of(days, route)]
    proposed = _measures(days, solution.routes)
    current = _measures(days, days.current)
    return PlanResult(
        routes=routes, proposed=proposed, current=current,
        unassigned=[LeftOut(visit_id=days.visits[job].id, reason=reason) for job, reason in solution.unassigned.items()
                    if job in days.visits],
        saving=Measures(visits=proposed.visits - current.visits, travel_minutes=current.travel_minutes
                        - proposed.travel_minutes, distance_km=round(current.distance_km - proposed.distance_km, 1),
                        overtime_minutes=current.overtime_minutes - proposed.overtime_minutes),
        continuity_share=measures.continuity(problem, solution)).model_dump(mode="json") | {
        "made_from": {job: [visit.starts_at.isoformat(), str(visit.staff_id) if visit.staff_id else None]
                      for job, visit in days.visits.items()}}


def _route(days: Planning, route: Route) -> RouteRead:
    staff_id, day = of_worker(str(route.worker))
    measured = measures.of_route(days.problem, route)
    return RouteRead(
        staff_id=staff_id, day=day, starts_at=days.at(measured.leaves), ends_at=days.at(measured.returns),
        travel_minutes=measured.travel // 60, distance_km=round(measured.distance / 1000, 1),
        working_minutes=(measured.returns - measured.leaves) // 60, overtime_minutes=measured.overtime // 60,
        stops=[_stop(days, stop.job, stop.start, staff_id) for stop in route.stops if stop.job in days.visits])


def _stop(days: Planning, job: object, start: int, staff_id: uuid.UUID) -> StopRead:
    visit = days.visits[str(job)]
    starts_at = days.at(start)
    return StopRead(visit_id=visit.id, starts_at=starts_at, ends_at=starts_at + (visit.ends_at - visit.starts_at),
                    moved=starts_at != visit.starts_at or staff_id != visit.staff_id)


def _visits_of(days: Planning, route: Route) -> list[str]:
    return [str(stop.job) for stop in route.stops if stop.job in days.visits]


def _measures(days: Planning, routes: list[Route]) -> Measures:
    measured = measures.total(days.problem, routes)
    return Measures(visits=sum(len(_visits_of(days, route)) for route in routes), travel_minutes=measured.travel // 60,
                    distance_km=round(measured.distance / 1000, 1), overtime_minutes=measured.overtime // 60)


# -- applying ----------------------------------------------------------------------------------------------


def apply(plan_id: uuid.UUID, principal: Principal, *, now: datetime, session: Session) -> Applied:
    """The plan's moves made, each through visits' lifecycle, or none: 409 when the plan is not
    ready, when a visit changed since it was made, or when the days it leaves break a rule."""
    plan = get(plan_id, principal, session=session)
    visits.take_planning_turn(plan.municipality_code, session=session)
    session.refresh(plan, with_for_update=True)
    rules.LIFECYCLE.check(plan.status, "apply")
    result = PlanResult.model_validate(plan.result)
    found = _unchanged(plan, session=session)
    if any(stop.starts_at <= now for route in result.routes for stop in route.stops if stop.moved):
        raise Conflict("the plan moves visits to times already past: ask for a new plan", reason="too_late")
    moved = [visits.reschedule(found[stop.visit_id], stop.starts_at, route.staff_id, None, now=now, session=session)
             for route in result.routes for stop in route.stops if stop.moved]
    unstaffed = [visits.unstaff(found[left.visit_id], left.reason, now=now, session=session)
                 for left in result.unassigned if found[left.visit_id].staff_id is not None]
    session.flush()
    _still_holds(plan, now=now, session=session)
    plan.status, plan.applied_at, plan.applied_by = rules.LIFECYCLE.next(plan.status, "apply"), now, principal.subject
    return Applied(plan_id=plan.id, moved=len(moved), unstaffed=len(unstaffed))


def _unchanged(plan: RoutePlan, *, session: Session) -> dict[uuid.UUID, Visit]:
    """The plan's visits, locked; 409 if one is no longer as the plan found it."""
    made_from = plan.result["made_from"] if plan.result else {}
    found = {visit.id: visit for visit in session.scalars(select(Visit).where(
        Visit.id.in_([uuid.UUID(job) for job in made_from])).with_for_update())}
    changed = [job for job, (starts_at, staff_id) in made_from.items()
               if (visit := found.get(uuid.UUID(job))) is None or visit.status != PLANNED
               or visit.starts_at != datetime.fromisoformat(starts_at) or str(visit.staff_id) != str(staff_id)]
    if changed:
        raise Conflict(f"{len(changed)} of the plan's visits changed since it was made: ask for a new plan",
                       reason="visits_changed", visit_ids=changed[:20])
    return found


def _still_holds(plan: RoutePlan, *, now: datetime, session: Session) -> None:
    """The days as they now stand, checked by the optimiser's rules: 409 naming what breaks."""
    days = planning(plan, now=now, session=session)
    routes = [measures.spanned(days.problem, route) for route in days.current if route.stops]
    staffed = {stop.job for route in routes for stop in route.stops}
    broken = violations(days.problem, Solution(routes, {job.id: "unstaffed" for job in days.problem.jobs
                                                        if job.id not in staffed}))
    if broken:
        raise Conflict(f"the plan no longer fits the days as they stand ({broken[0]}): ask for a new plan",
                       reason="no_longer_fits")


# -- travel ------------------------------------------------------------------------------------------------


def set_travel(municipality: str, data: TravelSettingsWrite, principal: Principal, *,
               session: Session) -> TravelSettings:
    principal.require_municipality(municipality)
    settings = session.get(TravelSettings, municipality, with_for_update=True) or TravelSettings(
        municipality_code=municipality)
    settings.road_factor, settings.speed_kmh = data.road_factor, data.speed_kmh
    settings.osrm_url = str(data.osrm_url) if data.osrm_url else None
    session.add(settings)
    session.flush()
    return settings


def get_travel(municipality: str, principal: Principal, *, session: Session) -> TravelSettings:
    principal.require_municipality(municipality)
    return session.get(TravelSettings, municipality) or TravelSettings(
        municipality_code=municipality, road_factor=ROAD_FACTOR, speed_kmh=SPEED_KMH, osrm_url=None)
