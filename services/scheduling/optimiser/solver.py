"""The optimiser: the visits no plan can have set aside with their reasons; PyVRP's search on
the rest (routing), with rounds that agree linked visits' times (linked) and each plan timed
as early as every rule allows (timing); then, where there are links or lateness to weigh
and the model is small enough, CP-SAT from the best of those (cpsat). Every visit left out
is given a reason."""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from services.scheduling.optimiser import cpsat, linked, measures, reasons, timing
from services.scheduling.optimiser.model import Id, Job, Link, Problem, Route, Solution
from services.scheduling.optimiser.routing import Instance, Progress

ROUNDS = 4  # agreeing linked visits' times, each round a share of the first stage's time
ROUNDS_SHARE = 0.4  # of the first stage's time, where there are links
SECOND_SHARE = 0.7  # of the whole time, for CP-SAT where it runs


@dataclass(frozen=True)
class Options:
    seconds: float = 10.0
    seed: int = 1
    fewest_workers: bool = False  # fewest routes first (benchmarks' hierarchical objective)
    threads: int = 2  # CP-SAT's workers in the second stage (PyVRP searches on one)


def solve(problem: Problem, options: Options = Options(), progress: Progress | None = None) -> Solution:
    began = time.monotonic()
    left_out = reasons.before_search(problem)
    jobs = [job for job in problem.jobs if job.id not in left_out]
    links = [link for link in problem.links if link.first not in left_out]
    second = bool(links or problem.soft_windows) and cpsat.small_enough(problem, jobs)
    share = 1 - SECOND_SHARE if second else 1.0
    routes = _FirstStage(problem, jobs, links, options, _share(progress, 0, share)).search(options.seconds * share)
    if second:
        left = options.seconds - (time.monotonic() - began)
        routes = cpsat.improve(problem, jobs, routes, seconds=left, seed=options.seed, threads=options.threads) \
            or routes
        if progress is not None:
            progress(1.0)
    return _answer(problem, routes, links, left_out)


class _FirstStage:
    def __init__(self, problem: Problem, jobs: list[Job], links: list[Link], options: Options,
                 progress: Progress | None) -> None:
        self.problem, self.jobs, self.links, self.options, self.progress = problem, jobs, links, options, progress
        self.best: tuple[float, list[Route]] | None = None
        self.timed = bool(links) or problem.soft_windows  # PyVRP's times do not keep links nor tell lateness

    def search(self, seconds: float) -> list[Route]:
        first = seconds * (1 - ROUNDS_SHARE) if self.links else seconds
        routes, _ = Instance(self.problem, self.jobs).solve(
            first, seed=self.options.seed, fewest_workers=self.options.fewest_workers,
            progress=_share(self.progress, 0, first / seconds))
        timed = self._consider(routes)
        for round_ in range(ROUNDS if self.links else 0):
            starts = {job: start for job, (_, start) in Solution(timed or routes, {}).starts().items()}
            windows = linked.agreed_windows(self.problem, self.links, starts)
            span = seconds * ROUNDS_SHARE / ROUNDS
            routes, _ = Instance(self.problem, self.jobs, windows).solve(
                span, seed=self.options.seed + round_ + 1, start=routes,
                progress=_share(self.progress, (first + round_ * span) / seconds, span / seconds))
            timed = self._consider(routes)
        return self.best[1] if self.best else routes

    def _consider(self, routes: list[Route]) -> list[Route] | None:
        """The routes timed (None when no times keep every rule), kept if the cheapest yet."""
        timed = timing.earliest(self.problem, routes) if self.timed else routes
        if timed is not None:
            placed = {stop.job for route in timed for stop in route.stops}
            cost = measures.cost(self.problem, Solution(timed, {job.id: "" for job in self.jobs
                                                                if job.id not in placed}))
            if self.best is None or cost < self.best[0]:
                self.best = (cost, timed)
        return timed


def _answer(problem: Problem, routes: Sequence[Route], links: list[Link], left_out: dict[Id, str]) -> Solution:
    """The routes with the halves of broken links taken out, and a reason for every visit left out."""
    broken = linked.broken(links, Solution(list(routes), {}).starts())
    dropped = reasons.with_partners({link.first: reasons.LINK_NOT_KEPT for link in broken}, broken,
                                    reasons.LINK_NOT_KEPT)
    kept = [Route(route.worker, [stop for stop in route.stops if stop.job not in dropped], route.leaves,
                  route.returns) for route in routes]
    placed = {stop.job for route in kept for stop in route.stops}
    unassigned = {**{job.id: reasons.NO_TIME_LEFT for job in problem.jobs if job.id not in placed},
                  **dropped, **left_out}
    return Solution([route for route in kept if route.stops], unassigned)


def _share(progress: Progress | None, begins: float, span: float) -> Progress | None:
    """A stage's progress as a share of the whole job's."""
    return None if progress is None else (lambda done: progress(begins + span * done))
