"""When each visit of a plan starts, given who does which in what order: every rule is a
lower bound of one start by another (the next visit after this one and the way between;
no earlier than its window; the second of a link at its gap after the first, and the first
no earlier than its gap before the second), so the earliest starts keeping them all are
each as early as can be, and with them every visit's lateness is the least there is. Found
by raising starts until nothing moves (longest paths); None when no starts can keep them:
a window that must be kept is passed, or linked visits wait on each other."""
from __future__ import annotations

from collections.abc import Sequence

from services.scheduling.optimiser import measures
from services.scheduling.optimiser.model import Id, Problem, Route, Stop


def earliest(problem: Problem, routes: Sequence[Route]) -> list[Route] | None:
    jobs = {job.id: job for job in problem.jobs}
    workers = {worker.id: worker for worker in problem.workers}
    starts = {stop.job: jobs[stop.job].window[0] for route in routes for stop in route.stops}
    for _ in range(len(starts) + 1):
        moved = _along_routes(problem, routes, starts, jobs, workers) | _along_links(problem, starts)
        if not moved:
            return _kept(problem, routes, starts, jobs, workers)
    return None  # linked visits wait on each other round a cycle


def _along_routes(problem: Problem, routes: Sequence[Route], starts: dict[Id, int], jobs, workers) -> bool:
    moved = False
    for route in routes:
        worker = workers[route.worker]
        place, free = worker.start, worker.shift[0]
        for number, stop in enumerate(route.stops):
            job = jobs[stop.job]
            need = free + problem.leg(place, job.place, commute=number == 0)
            if starts[stop.job] < need:
                starts[stop.job], moved = need, True
            place, free = job.place, starts[stop.job] + job.duration
    return moved


def _along_links(problem: Problem, starts: dict[Id, int]) -> bool:
    moved = False
    for link in problem.links:
        if link.first in starts and link.second in starts:
            if starts[link.second] < starts[link.first] + link.min_gap:
                starts[link.second], moved = starts[link.first] + link.min_gap, True
            if starts[link.first] < starts[link.second] - link.max_gap:
                starts[link.first], moved = starts[link.second] - link.max_gap, True
    return moved


def _kept(problem: Problem, routes: Sequence[Route], starts: dict[Id, int], jobs, workers) -> list[Route] | None:
    """The routes at those starts, unless a hard window, a shift or the longest day is broken."""
    timed = [measures.spanned(problem, Route(route.worker, [Stop(stop.job, starts[stop.job]) for stop in route.stops],
                                             0, 0)) for route in routes if route.stops]
    for route in timed:
        worker = workers[route.worker]
        late = any(stop.start > problem.latest_start(jobs[stop.job]) for stop in route.stops)
        if late or route.returns > worker.shift[1] or route.returns - route.leaves > worker.longest_day:
            return None
    return timed
