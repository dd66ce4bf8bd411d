"""What a plan costs, measured the same way for the optimiser's routes and for the days as
they are planned now: travel from the start place through the visits and back, the working
day from leaving to coming back, time beyond the normal day, continuity of care."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from services.scheduling.optimiser.model import Id, Job, Problem, Route, Solution, continuity_price


@dataclass(frozen=True)
class Measured:
    travel: int = 0
    distance: int = 0
    cost: int = 0  # of the travel, as the search weighs it
    leaves: int = 0
    returns: int = 0
    overtime: int = 0

    def __add__(self, other: Measured) -> Measured:
        return Measured(self.travel + other.travel, self.distance + other.distance, self.cost + other.cost,
                        overtime=self.overtime + other.overtime)


def of_route(problem: Problem, route: Route, jobs: Mapping[Id, Job] | None = None) -> Measured:
    if not route.stops:
        return Measured()
    jobs = jobs or {job.id: job for job in problem.jobs}
    worker = next(w for w in problem.workers if w.id == route.worker)
    places = [worker.start, *(jobs[stop.job].place for stop in route.stops), worker.end]
    first, last = route.stops[0], route.stops[-1]
    leaves = first.start - problem.leg(worker.start, places[1], commute=True)
    returns = last.start + jobs[last.job].duration + problem.leg(places[-2], worker.end, commute=True)
    return Measured(*(_along(matrix, places) for matrix in (problem.duration, problem.distance, problem.travel_cost())),
                    leaves, returns, max(returns - leaves - worker.normal_day, 0))


def spanned(problem: Problem, route: Route) -> Route:
    """The route with when its worker leaves and is back, as its stops' times make them."""
    measured = of_route(problem, route)
    return Route(route.worker, route.stops, measured.leaves, measured.returns)


def total(problem: Problem, routes: Iterable[Route]) -> Measured:
    jobs = {job.id: job for job in problem.jobs}
    return sum((of_route(problem, route, jobs) for route in routes), Measured())


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
    present = {worker.id for worker in problem.workers}
    late = [max(stop.start - jobs[stop.job].window[1], 0) for route in solution.routes for stop in route.stops]
    measured = total(problem, solution.routes)
    return (measured.cost + costs.overtime * measured.overtime + costs.worker * len(solution.routes)
            + sum(continuity_price(costs, jobs[job], worker, present) for job, (worker, _) in solution.starts().items())
            + sum((costs.left_out or 0) * jobs[job].priority for job in solution.unassigned)
            + (costs.lateness or 0) * sum(late) + costs.latest * max(late, default=0))


def _along(matrix: np.ndarray, places: list[int]) -> int:
    return sum(int(matrix[a, b]) for a, b in pairwise(places))
