"""The routing and rostering problem as the optimiser sees it, with no database: workers with
shifts, skills, start and end places and a longest day; visits with a place, a duration, a
time window, the skills one of which it needs, a priority and a preferred worker; links
between visits (two workers at once, or one visit a given gap after another).

Times and distances are whole units the caller chooses (scheduling: seconds and metres from
the start of the first planned day); places are indexes into the travel matrices."""
from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

Id = Hashable
UNBOUNDED = 2**40  # a time or length no plan reaches (PyVRP's maximum is far above)


@dataclass(frozen=True)
class Worker:
    id: Id
    skills: frozenset[str]
    shift: tuple[int, int]  # may leave the start place from, must be back at the end place by
    start: int  # place
    end: int
    normal_day: int = UNBOUNDED  # longer is overtime
    longest_day: int = UNBOUNDED  # never longer (overtime included)
    capacity: int | None = None  # what a vehicle carries (benchmarks; home care carries nothing)


@dataclass(frozen=True)
class Job:
    """A visit: it starts within ``window`` and lasts ``duration``, by a worker with one of
    ``skills`` (none: anyone)."""

    id: Id
    place: int
    duration: int
    window: tuple[int, int]
    skills: frozenset[str] = frozenset()
    priority: int = 1  # how much leaving it out costs, in multiples of Costs.left_out
    preferred: Id | None = None  # the worker who usually comes (continuity of care)
    demand: int = 0


@dataclass(frozen=True)
class Link:
    """``second`` starts between ``min_gap`` and ``max_gap`` after ``first`` starts. Together
    (two workers at once): both gaps 0, and then they are two workers."""

    first: Id
    second: Id
    min_gap: int = 0
    max_gap: int = 0

    @property
    def together(self) -> bool:
        return self.min_gap == self.max_gap == 0


@dataclass(frozen=True)
class Costs:
    """What the plan weighs, in units of the cost matrix (scheduling: seconds of travel)."""

    left_out: int = 8 * 3600  # a visit no one does
    not_preferred: int = 20 * 60  # a visit by someone other than the preferred worker
    worker: int = 0  # each worker used (benchmarks: fewest vehicles first)
    overtime: int = 2  # each unit of time beyond the normal day
    lateness: int | None = None  # each unit of time a visit starts after its window; None: windows are kept
    latest: int = 0  # each unit of the greatest lateness of the plan


def continuity_price(costs: Costs, job: Job, worker: Id | None, present: Collection[Id]) -> int:
    """What a visit by ``worker`` costs for continuity: the price of another than its preferred
    worker, where that worker is in the plan at all."""
    return costs.not_preferred if job.preferred in present and job.preferred != worker else 0


@dataclass
class Problem:
    workers: Sequence[Worker]
    jobs: Sequence[Job]
    duration: np.ndarray  # places x places: travel times
    distance: np.ndarray  # places x places: what is reported as distance
    links: Sequence[Link] = ()
    cost: np.ndarray | None = None  # places x places: what the search minimises (None: duration)
    costs: Costs = field(default_factory=Costs)
    commute_outside_shift: bool = False  # travel from and to the start and end places takes none of a shift

    @property
    def soft_windows(self) -> bool:
        return self.costs.lateness is not None

    def latest_start(self, job: Job) -> int:
        """When a visit must have started by: its window's end, unless lateness is only a cost."""
        return UNBOUNDED if self.soft_windows else job.window[1]

    def leg(self, origin: int, destination: int, *, commute: bool = False) -> int:
        """Time from one place to another as a shift counts it."""
        return 0 if commute and self.commute_outside_shift else int(self.duration[origin, destination])

    def travel_cost(self) -> np.ndarray:
        return self.duration if self.cost is None else self.cost


@dataclass(frozen=True)
class Stop:
    job: Id
    start: int  # when the visit starts


@dataclass
class Route:
    worker: Id
    stops: list[Stop]
    leaves: int  # the start place
    returns: int  # to the end place


@dataclass
class Solution:
    routes: list[Route]
    unassigned: dict[Id, str]  # job -> why no one does it (optimiser.reasons)

    def starts(self) -> dict[Id, tuple[Id, int]]:
        """Each assigned job -> (worker, start)."""
        return {stop.job: (route.worker, stop.start) for route in self.routes for stop in route.stops}
