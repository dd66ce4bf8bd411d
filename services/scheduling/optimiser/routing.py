"""A Problem as PyVRP's ProblemData, and PyVRP's answer as routes of workers.

PyVRP (MIT) is the search: its iterated local search is at or near the best known results
on the Solomon instances in seconds (bench/vrptw.py). What it has no word for is said in
its terms: a skill a worker lacks and a visit by other than the preferred worker are costs
on the edges into the visit, in a routing profile per kind of worker; workers alike are one
vehicle type; a visit may be left out at the price of its priority."""
from __future__ import annotations

import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp import stop as stopping

from services.scheduling.optimiser.model import UNBOUNDED, Id, Job, Problem, Route, Stop, Worker, continuity_price

Window = tuple[int, int]
FORBIDDEN = 10**7  # at least: beyond what lateness or any prize could make worth it
WARP_PRICE = 10  # time warp stands for lateness, which also delays the visits after: priced well above it
Progress = Callable[[float], None]  # the share of the time limit spent


@dataclass(frozen=True)
class Kind:
    """Workers PyVRP may treat as one vehicle type: the same day, places and profile."""

    profile: tuple[frozenset[str], Id | None]  # skills; their own id where a visit prefers them
    shift: Window
    start: int
    end: int
    normal_day: int
    longest_day: int
    capacity: int | None


class Instance:
    """The PyVRP data of ``problem``'s ``jobs`` (a subset: those worth trying), with ``windows``
    replacing some jobs' windows (linked visits given their agreed times)."""

    def __init__(self, problem: Problem, jobs: Sequence[Job], windows: Mapping[Id, Window] | None = None) -> None:
        self.problem, self.jobs, self.windows = problem, list(jobs), dict(windows or {})
        self.index = {job.id: position for position, job in enumerate(self.jobs)}
        self.by_id = {job.id: job for job in self.jobs}
        self.present = {worker.id for worker in problem.workers}
        self.loads = any(worker.capacity is not None for worker in problem.workers)
        preferred = {job.preferred for job in self.jobs} & self.present
        self.kinds: dict[Kind, list[Worker]] = defaultdict(list)
        for worker in problem.workers:
            self.kinds[_kind(worker, preferred)].append(worker)
        self.depots = sorted({place for kind in self.kinds for place in (kind.start, kind.end)})
        self.profiles = sorted({kind.profile for kind in self.kinds}, key=repr)
        self.data = self._data()

    def _data(self) -> pyvrp.ProblemData:
        places = np.array(self.depots + [job.place for job in self.jobs])
        duration = self.problem.duration[np.ix_(places, places)].astype(np.int64)
        if self.problem.commute_outside_shift:
            duration[: len(self.depots), :] = duration[:, : len(self.depots)] = 0
        cost = self.problem.travel_cost()[np.ix_(places, places)].astype(np.int64)
        return pyvrp.ProblemData(
            locations=[pyvrp.Location(0, 0) for _ in places], clients=[self._client(job) for job in self.jobs],
            depots=[pyvrp.Depot(location) for location in range(len(self.depots))],
            vehicle_types=[self._vehicle_type(kind, len(workers)) for kind, workers in self.kinds.items()],
            distance_matrices=[self._profile(cost, profile) for profile in self.profiles],
            duration_matrices=[duration for _ in self.profiles])

    def _client(self, job: Job) -> pyvrp.Client:
        early, late = self.windows.get(job.id, job.window)
        left_out = self.problem.costs.left_out
        return pyvrp.Client(self._location(job), delivery=[job.demand] if self.loads else [],
                            service_duration=job.duration, tw_early=early, tw_late=late,
                            prize=(left_out or 0) * job.priority, required=left_out is None)

    def _vehicle_type(self, kind: Kind, count: int) -> pyvrp.VehicleType:
        costs = self.problem.costs
        return pyvrp.VehicleType(
            count, capacity=[kind.capacity or 0] if self.loads else [],
            start_depot=self.depots.index(kind.start), end_depot=self.depots.index(kind.end),
            fixed_cost=costs.worker, tw_early=kind.shift[0], tw_late=kind.shift[1],
            shift_duration=kind.normal_day, max_overtime=kind.longest_day - kind.normal_day,
            unit_overtime_cost=costs.overtime, profile=self.profiles.index(kind.profile))

    def _profile(self, cost: np.ndarray, profile: tuple[frozenset[str], Id | None]) -> np.ndarray:
        """Travel cost, plus a price on the edges into each visit this kind of worker should not
        do: one beyond any prize for a skill they lack, the continuity price for another's client."""
        skills, worker = profile
        matrix = cost.copy()
        prize = max((self.problem.costs.left_out or 0) * job.priority for job in self.jobs)
        forbidden = max(int(cost.max()) + prize + 1, FORBIDDEN)
        for job in self.jobs:
            column = self._location(job)
            if job.skills and not job.skills & skills:
                matrix[:, column] += forbidden
            else:
                matrix[:, column] += continuity_price(self.problem.costs, job, worker, self.present)
        for link in self.problem.links:  # two workers at once: never one after the other by one worker
            if link.together and {link.first, link.second} <= self.by_id.keys():
                first, second = self._location(self.by_id[link.first]), self._location(self.by_id[link.second])
                matrix[first, second] += forbidden
                matrix[second, first] += forbidden
        np.fill_diagonal(matrix, 0)
        return matrix

    def _location(self, job: Job) -> int:
        return len(self.depots) + self.index[job.id]

    # -- answers --------------------------------------------------------------------------------

    def routes(self, solution: pyvrp.Solution) -> list[Route]:
        """PyVRP's routes as workers' routes: a kind's routes go to its workers in order."""
        free = {position: list(workers) for position, workers in enumerate(self.kinds.values())}
        return [self._route(route, free[route.vehicle_type()].pop(0)) for route in solution.routes()]

    def _route(self, route: pyvrp.Route, worker: Worker) -> Route:
        stops = [Stop(self.jobs[activity.idx].id, activity.start_time) for activity in route if activity.is_client()]
        return Route(worker.id, stops, leaves=route.start_time(), returns=route.end_time())

    def solution(self, routes: Sequence[Route]) -> pyvrp.Solution:
        """Workers' routes as a PyVRP solution of this instance (a warm start)."""
        kind_of = {worker.id: position for position, workers in enumerate(self.kinds.values()) for worker in workers}
        return pyvrp.Solution(self.data, [
            pyvrp.Route(self.data, [self.index[stop.job] for stop in route.stops if stop.job in self.index],
                        kind_of[route.worker]) for route in routes if route.stops])

    def solve(self, seconds: float, *, seed: int, start: Sequence[Route] = (), progress: Progress | None = None,
              fewest_workers: bool = False) -> tuple[list[Route], bool]:
        """The best routes found in ``seconds``, and whether PyVRP found them feasible."""
        data = self.data
        began = time.monotonic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyVRP's warnings on its penalties: the answer says what holds
            if fewest_workers and len(self.kinds) == 1:
                data = data.replace(vehicle_types=[pyvrp.minimise_fleet(data, stopping.MaxRuntime(seconds / 2),
                                                                        seed=seed)])
            left = max(seconds - (time.monotonic() - began), 0.01)
            initial = self.solution(start) if start and data is self.data else None
            cheapest = _Cheapest()
            result = pyvrp.solve(data, _Reporting(left, progress), seed=seed, collect_stats=False, display=False,
                                 initial_solution=initial, params=self._params(cheapest))
        best = cheapest.solution if self.problem.soft_windows and cheapest.solution else result.best
        return self.routes(best), best.is_feasible()

    def _params(self, cheapest: _Cheapest) -> pyvrp.SolveParams:
        """Soft windows: lateness is PyVRP's time warp at a fixed price, and the plan kept is the
        cheapest the search saw, late or not (PyVRP's best is the best without warp)."""
        if not self.problem.soft_windows:
            return pyvrp.SolveParams()
        price = float(self.problem.costs.lateness or 0) * WARP_PRICE
        return pyvrp.SolveParams(ils=pyvrp.IteratedLocalSearchParams(callbacks=cheapest),
                                 penalty=pyvrp.PenaltyParams(min_penalty=price, max_penalty=price))


class _Cheapest(pyvrp.IteratedLocalSearchCallbacks):
    def __init__(self) -> None:
        self.solution: pyvrp.Solution | None = None
        self.cost = float("inf")

    def on_iteration(self, current, candidate, best, cost_evaluator) -> None:
        cost = cost_evaluator.penalised_cost(candidate)
        if cost < self.cost:
            self.solution, self.cost = candidate, cost


class _Reporting:
    """PyVRP's time limit, telling ``progress`` how far it is now and then."""

    def __init__(self, seconds: float, progress: Progress | None) -> None:
        self.limit, self.progress = stopping.MaxRuntime(seconds), progress
        self.began, self.seconds, self.told = time.monotonic(), seconds, 0.0

    def __call__(self, best_cost: float) -> bool:
        now = time.monotonic()
        if self.progress is not None and now - self.told >= 1:
            self.told = now
            self.progress(min((now - self.began) / self.seconds, 1.0))
        return self.limit(best_cost)


def _kind(worker: Worker, preferred: set[Id]) -> Kind:
    longest = min(worker.longest_day, UNBOUNDED)
    return Kind((worker.skills, worker.id if worker.id in preferred else None), worker.shift, worker.start,
                worker.end, min(worker.normal_day, longest), longest, worker.capacity)
