"""The second stage for what PyVRP cannot weigh: lateness as a cost (soft windows), two
workers at once and visits a gap apart, as one CP-SAT model (OR-Tools, Apache 2.0) of the
whole problem — a circuit per worker through the visits their skills allow, starts bound by
the way between visits, the links as constraints on starts — started from the first
stage's plan as a hint, which CP-SAT's large neighbourhood search improves. Only where the
model stays small enough to be worth it (MAX_ARCS)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from services.scheduling.optimiser.model import UNBOUNDED, Id, Job, Problem, Route, Stop, Worker, continuity_price

MAX_ARCS = 200_000  # beyond: a model CP-SAT cannot search well in seconds; the first stage's plan stands
DEPOT = -1


def small_enough(problem: Problem, jobs: Sequence[Job]) -> bool:
    return sum(len(_able(worker, jobs)) ** 2 for worker in problem.workers) <= MAX_ARCS


def improve(problem: Problem, jobs: Sequence[Job], start: Sequence[Route], *, seconds: float, seed: int,
            threads: int) -> list[Route] | None:
    """A plan at least as good as ``start`` (None when CP-SAT found none in ``seconds``)."""
    model = _Model(problem, jobs)
    model.hint(start)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.1)
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    if solver.Solve(model.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return model.routes(solver)


def _able(worker: Worker, jobs: Sequence[Job]) -> list[Job]:
    return [job for job in jobs if not job.skills or job.skills & worker.skills]


@dataclass
class _Worker:
    worker: Worker
    jobs: list[Job]
    leaves: cp_model.IntVar
    returns: cp_model.IntVar
    arcs: dict[tuple[Id, Id], cp_model.IntVar] = field(default_factory=dict)
    does: dict[Id, cp_model.IntVar] = field(default_factory=dict)


class _Model:
    def __init__(self, problem: Problem, jobs: Sequence[Job]) -> None:
        self.problem, self.jobs, self.model = problem, list(jobs), cp_model.CpModel()
        self.horizon = max(worker.shift[1] for worker in problem.workers)
        self.present = {worker.id for worker in problem.workers}
        self.starts = {job.id: self.model.NewIntVar(job.window[0], min(problem.latest_start(job), self.horizon), "")
                       for job in self.jobs}
        self.costs: list = []
        self.workers = [self._worker(worker) for worker in problem.workers]
        self._each_job_once()
        self._links()
        self._lateness()
        self.model.Minimize(sum(self.costs))

    def _worker(self, worker: Worker) -> _Worker:
        problem, model = self.problem, self.model
        at = _Worker(worker, _able(worker, self.jobs), model.NewIntVar(*worker.shift, ""),
                     model.NewIntVar(*worker.shift, ""))
        used = model.NewBoolVar("")
        circuit = [(0, 0, used.Not())]
        node = {job.id: number for number, job in enumerate(at.jobs, start=1)}
        for job in at.jobs:
            at.does[job.id] = model.NewBoolVar("")
            model.AddImplication(at.does[job.id], used)
            circuit.append((node[job.id], node[job.id], at.does[job.id].Not()))
            self._arc(at, circuit, node, None, job)
            self._arc(at, circuit, node, job, None)
            for other in at.jobs:
                if other is not job:
                    self._arc(at, circuit, node, job, other)
        model.AddCircuit(circuit)
        model.Add(at.returns - at.leaves <= min(worker.longest_day, UNBOUNDED))
        if problem.costs.overtime and worker.normal_day < UNBOUNDED:
            overtime = model.NewIntVar(0, self.horizon, "")
            model.Add(overtime >= at.returns - at.leaves - worker.normal_day)
            self.costs.append(problem.costs.overtime * overtime)
        self.costs.append(problem.costs.worker * used)
        return at

    def _arc(self, at: _Worker, circuit: list, node: dict, origin: Job | None, destination: Job | None) -> None:
        problem, worker, arc = self.problem, at.worker, self.model.NewBoolVar("")
        here = worker.start if origin is None else origin.place
        there = worker.end if destination is None else destination.place
        circuit.append((0 if origin is None else node[origin.id], 0 if destination is None else node[destination.id],
                        arc))
        leg = problem.leg(here, there, commute=origin is None or destination is None)
        free = at.leaves if origin is None else self.starts[origin.id] + origin.duration
        self.model.Add((at.returns if destination is None else self.starts[destination.id]) >= free + leg) \
            .OnlyEnforceIf(arc)
        cost = int(problem.travel_cost()[here, there]) + (0 if destination is None else continuity_price(
            problem.costs, destination, worker.id, self.present))
        if cost:
            self.costs.append(cost * arc)
        at.arcs[(DEPOT if origin is None else origin.id, DEPOT if destination is None else destination.id)] = arc

    def _each_job_once(self) -> None:
        left_out = self.problem.costs.left_out
        for job in self.jobs:
            doers = [at.does[job.id] for at in self.workers if job.id in at.does]
            if left_out is None:
                self.model.AddExactlyOne(doers)
            else:
                skipped = self.model.NewBoolVar("")
                self.model.AddExactlyOne([*doers, skipped])
                self.costs.append(left_out * job.priority * skipped)

    def _links(self) -> None:
        for link in self.problem.links:
            if link.first in self.starts and link.second in self.starts:
                gap = self.starts[link.second] - self.starts[link.first]
                self.model.Add(gap >= link.min_gap)
                self.model.Add(gap <= link.max_gap)
                for at in self.workers:
                    if link.together and link.first in at.does and link.second in at.does:
                        self.model.AddBoolOr([at.does[link.first].Not(), at.does[link.second].Not()])

    def _lateness(self) -> None:
        costs = self.problem.costs
        if costs.lateness is None:
            return
        latest = self.model.NewIntVar(0, self.horizon, "")
        for job in self.jobs:
            late = self.model.NewIntVar(0, self.horizon, "")
            self.model.Add(late >= self.starts[job.id] - job.window[1])
            self.model.Add(latest >= late)
            self.costs.append(costs.lateness * late)
        self.costs.append(costs.latest * latest)

    def hint(self, routes: Sequence[Route]) -> None:
        by_worker = {route.worker: route for route in routes}
        for at in self.workers:
            route = by_worker.get(at.worker.id)
            stops = [stop.job for stop in route.stops] if route else []
            legs = set(zip([DEPOT, *stops], [*stops, DEPOT], strict=True)) if stops else set()
            for key, arc in at.arcs.items():
                self.model.AddHint(arc, key in legs)
            for job, does in at.does.items():
                self.model.AddHint(does, job in stops)
            if route:
                self.model.AddHint(at.leaves, route.leaves)
                self.model.AddHint(at.returns, route.returns)
        for route in routes:
            for stop in route.stops:
                self.model.AddHint(self.starts[stop.job], stop.start)

    def routes(self, solver: cp_model.CpSolver) -> list[Route]:
        found = []
        for at in self.workers:
            follows = {origin: destination for (origin, destination), arc in at.arcs.items() if solver.Value(arc)}
            order, here = [], follows.get(DEPOT, DEPOT)
            while here != DEPOT:
                order.append(here)
                here = follows[here]
            if order:
                found.append(Route(at.worker.id, [Stop(job, solver.Value(self.starts[job])) for job in order],
                                   solver.Value(at.leaves), solver.Value(at.returns)))
        return found
