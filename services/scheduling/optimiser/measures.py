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
