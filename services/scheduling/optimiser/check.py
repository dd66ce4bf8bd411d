"""What a solution breaks, worked out from the problem alone (not from the search): the
tests and benchmarks judge every plan with it. An empty list: the plan holds."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from services.scheduling.optimiser.linked import kept
from services.scheduling.optimiser.model import Problem, Route, Solution


def violations(problem: Problem, solution: Solution) -> list[str]:
    return list(_every_job_once(problem, solution)) + [
        found for route in solution.routes for found in _route(problem, route)] + [
        f"link {link.first} -> {link.second} not kept" for link in problem.links
        if not kept(link, solution.starts()) and not {link.first, link.second} <= solution.unassigned.keys()]


def _every_job_once(problem: Problem, solution: Solution) -> Iterator[str]:
    seen = Counter(stop.job for route in solution.routes for stop in route.stops)
    for job in problem.jobs:
        times = seen[job.id] + (job.id in solution.unassigned)
        if times != 1:
            yield f"job {job.id} is in the plan {times} times"
    known = {job.id for job in problem.jobs}
    yield from (f"job {job} is not in the problem" for job in (seen.keys() | solution.unassigned.keys()) - known)
    workers = Counter(route.worker for route in solution.routes)
    yield from (f"worker {worker} has {count} routes" for worker, count in workers.items() if count > 1)


def _route(problem: Problem, route: Route) -> Iterator[str]:
    worker = next(w for w in problem.workers if w.id == route.worker)
    jobs = {job.id: job for job in problem.jobs}
    place, free = worker.start, route.leaves
    if route.leaves < worker.shift[0]:
        yield f"worker {worker.id} leaves before their shift"
    for number, stop in enumerate(route.stops):
        job = jobs[stop.job]
        if stop.start < free + problem.leg(place, job.place, commute=number == 0):
            yield f"job {job.id} starts before {worker.id} can be there"
        if not job.window[0] <= stop.start <= problem.latest_start(job):
            yield f"job {job.id} starts outside its window"
        if job.skills and not job.skills & worker.skills:
            yield f"job {job.id} needs a skill {worker.id} lacks"
        place, free = job.place, stop.start + job.duration
    if route.returns < free + problem.leg(place, worker.end, commute=True) or route.returns > worker.shift[1]:
        yield f"worker {worker.id} is not back at the end of their shift"
    if route.returns - route.leaves > worker.longest_day:
        yield f"worker {worker.id} works longer than their longest day"
    if worker.capacity is not None and sum(jobs[stop.job].demand for stop in route.stops) > worker.capacity:
        yield f"worker {worker.id} carries more than their capacity"
