"""The second stage, for what PyVRP cannot say: two workers at once, and a visit a given gap
after another. The first search places each half of a link on its own; then each link's
halves are given one agreed start each (the same for two workers at once), as near as they
can be to where the search put them, and the search goes on from its plan with those
starts as time windows. A window of one instant can only be kept by starting then, so a
plan PyVRP calls feasible keeps every link; a link still broken after the last round loses
both its visits, with the reason."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.scheduling.optimiser.model import Id, Job, Link, Problem
from services.scheduling.optimiser.reasons import agreed_span

Window = tuple[int, int]


def agreed_windows(problem: Problem, links: Iterable[Link], starts: Mapping[Id, int]) -> dict[Id, Window]:
    """For each link whose halves both have a start: one instant for each, the gap kept."""
    jobs = {job.id: job for job in problem.jobs}
    windows: dict[Id, Window] = {}
    for link in links:
        if link.first in starts and link.second in starts:
            first, second = jobs[link.first], jobs[link.second]
            span = agreed_span(problem, first, second, link)
            if span is not None:
                windows.update(_instants(problem, link, (first, second), span, starts))
    return windows


def _instants(problem: Problem, link: Link, pair: tuple[Job, Job], span: Window,
              starts: Mapping[Id, int]) -> dict[Id, Window]:
    # Two workers at once meet at the later of their starts: the earlier one waits.
    first, second = pair
    wanted = max(starts[first.id], starts[second.id] - link.min_gap) if link.together else starts[first.id]
    at = _clamp(wanted, span)
    gap = (max(at + link.min_gap, second.window[0]), min(at + link.max_gap, problem.latest_start(second)))
    then = _clamp(starts[second.id], gap)
    return {first.id: (at, at), second.id: (then, then)}


def broken(links: Iterable[Link], starts: Mapping[Id, tuple[Id, int]]) -> list[Link]:
    """The links a plan does not keep: a half left out, a gap not kept, two workers at once
    who are one worker."""
    return [link for link in links if not kept(link, starts)]


def kept(link: Link, starts: Mapping[Id, tuple[Id, int]]) -> bool:
    if link.first not in starts or link.second not in starts:
        return False
    (first_worker, first), (second_worker, second) = starts[link.first], starts[link.second]
    return link.min_gap <= second - first <= link.max_gap and not (link.together and first_worker == second_worker)


def _clamp(value: int, span: Window) -> int:
    return min(max(value, span[0]), span[1])
