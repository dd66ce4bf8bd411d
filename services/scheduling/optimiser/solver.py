"""The optimiser: the visits no plan can have set aside with their reasons, PyVRP's search
on the rest (routing), then the rounds that make linked visits agree (linked), and every
visit it left out given a reason."""
from __future__ import annotations

from dataclasses import dataclass

from services.scheduling.optimiser import linked, reasons
from services.scheduling.optimiser.model import Id, Problem, Route, Solution
from services.scheduling.optimiser.routing import Instance, Progress

ROUNDS = 4  # agreeing linked visits' times: each round a share of what the first search left


@dataclass(frozen=True)
class Options:
    seconds: float = 10.0
    seed: int = 1
    fewest_workers: bool = False  # fewest routes first (benchmarks' hierarchical objective)


def solve(problem: Problem, options: Options = Options(), progress: Progress | None = None) -> Solution:
    left_out = reasons.before_search(problem)
    jobs = [job for job in problem.jobs if job.id not in left_out]
    links = [link for link in problem.links if link.first not in left_out]
    first_share = 0.6 if links else 1.0
    instance = Instance(problem, jobs)
    routes, _ = instance.solve(options.seconds * first_share, seed=options.seed, fewest_workers=options.fewest_workers,
                               progress=_share(progress, 0, first_share))
    for round_ in range(ROUNDS if links else 0):
        starts = _starts(routes)
        if not linked.broken(links, starts):
            break
        windows = linked.agreed_windows(links, instance.by_id, {job: start for job, (_, start) in starts.items()})
        span = (1 - first_share) / ROUNDS
        routes, _ = Instance(problem, jobs, windows).solve(
            options.seconds * span, seed=options.seed + round_ + 1, start=routes,
            progress=_share(progress, first_share + round_ * span, span))
    return _answer(problem, routes, links, left_out)


def _answer(problem: Problem, routes: list[Route], links: list, left_out: dict[Id, str]) -> Solution:
    """The routes with the halves of broken links taken out, and a reason for every visit left out."""
    broken = linked.broken(links, _starts(routes))
    dropped = reasons.with_partners({link.first: reasons.NOT_TOGETHER for link in broken}, broken,
                                    reasons.NOT_TOGETHER)
    routes = [Route(route.worker, [stop for stop in route.stops if stop.job not in dropped], route.leaves,
                    route.returns) for route in routes]
    placed = {stop.job for route in routes for stop in route.stops}
    unassigned = {**{job.id: reasons.NO_TIME_LEFT for job in problem.jobs if job.id not in placed},
                  **dropped, **left_out}
    return Solution([route for route in routes if route.stops], unassigned)


def _starts(routes: list[Route]) -> dict[Id, tuple[Id, int]]:
    return Solution(routes, {}).starts()


def _share(progress: Progress | None, begins: float, span: float) -> Progress | None:
    """A stage's progress as a share of the whole job's."""
    return None if progress is None else (lambda done: progress(begins + span * done))
