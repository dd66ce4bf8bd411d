"""What a plan costs, measured the same way for the optimiser's routes and for the days as
they are planned now: travel from the start place through the visits and back, the working
day from leaving to coming back, time beyond the normal day, continuity of care."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from services.scheduling.optimiser.model import Problem, Route, Solution


@dataclass(frozen=True)
class Measured:
    travel: int = 0
    distance: int = 0
    leaves: int = 0
    returns: int = 0
    overtime: int = 0

    def __add__(self, other: Measured) -> Measured:
        return Measured(self.travel + other.travel, self.distance + other.distance,
                        overtime=self.overtime + other.overtime)


def of_route(problem: Problem, route: Route) -> Measured:
    if not route.stops:
        return Measured()
    worker = next(w for w in problem.workers if w.id == route.worker)
    jobs = {job.id: job for job in problem.jobs}
    places = [worker.start, *(jobs[stop.job].place for stop in route.stops), worker.end]
    travel = sum(int(problem.duration[a, b]) for a, b in pairwise(places))
    distance = sum(int(problem.distance[a, b]) for a, b in pairwise(places))
    first, last = route.stops[0], route.stops[-1]
    leaves = first.start - problem.leg(worker.start, places[1], commute=True)
    returns = last.start + jobs[last.job].duration + problem.leg(places[-2], worker.end, commute=True)
    return Measured(travel, distance, leaves, returns, max(returns - leaves - worker.normal_day, 0))


def total(problem: Problem, routes: Iterable[Route]) -> Measured:
    return sum((of_route(problem, route) for route in routes), Measured())


def continuity(problem: Problem, solution: Solution) -> float | None:
    """Of the jobs with a preferred worker, the share that worker does (None: no such job)."""
    starts = solution.starts()
    preferring = [job for job in problem.jobs if job.preferred is not None]
    kept = sum(starts.get(job.id, (None, 0))[0] == job.preferred for job in preferring)
    return round(kept / len(preferring), 3) if preferring else None


def cost(problem: Problem, solution: Solution) -> int:
    """What the search minimises, for a plan with its starts: travel, visits by other than their
    preferred worker, visits left out, lateness and the greatest one, overtime, workers used."""
    costs, jobs = problem.costs, {job.id: job for job in problem.jobs}
    workers = {worker.id: worker for worker in problem.workers}
    late = [max(stop.start - jobs[stop.job].window[1], 0) for route in solution.routes for stop in route.stops]
    present = set(workers)
    total = sum(_travel_cost(problem, workers[route.worker], route) for route in solution.routes)
    total += sum(costs.not_preferred for job, (worker, _) in solution.starts().items()
                 if jobs[job].preferred in present and jobs[job].preferred != worker)
    total += sum((costs.left_out or 0) * jobs[job].priority for job in solution.unassigned)
    total += (costs.lateness or 0) * sum(late) + costs.latest * max(late, default=0)
    total += sum(costs.overtime * of_route(problem, route).overtime + costs.worker for route in solution.routes)
    return total


def _travel_cost(problem: Problem, worker, route: Route) -> int:
    jobs = {job.id: job for job in problem.jobs}
    places = [worker.start, *(jobs[stop.job].place for stop in route.stops), worker.end]
    return sum(int(problem.travel_cost()[a, b]) for a, b in pairwise(places))
