"""Why a visit cannot be in any plan, found before searching, and why one was left out after.
Each reason is a code the API names; a visit is never dropped without one."""
from __future__ import annotations

from collections.abc import Iterable

from services.scheduling.optimiser.model import Job, Link, Problem, Worker

NO_WORKER_WITH_SKILL = "no_worker_with_skill"  # no one has a skill it needs
OUTSIDE_WORKING_HOURS = "outside_working_hours"  # no one with the skill can reach it in its window and be back
LINK_CANNOT_BE_KEPT = "link_cannot_be_kept"  # its windows leave no time for the gap (or the same time) it needs
PARTNER_CANNOT_BE_DONE = "partner_cannot_be_done"  # the visit it is linked to cannot be done
NO_TIME_LEFT = "no_time_left"  # possible alone, but the workers' days are full of visits weighing more
LINK_NOT_KEPT = "link_not_kept"  # the search found no plan keeping its link with the other visits
REASONS = (NO_WORKER_WITH_SKILL, OUTSIDE_WORKING_HOURS, LINK_CANNOT_BE_KEPT, PARTNER_CANNOT_BE_DONE, NO_TIME_LEFT,
           LINK_NOT_KEPT)


def before_search(problem: Problem) -> dict[object, str]:
    """Each visit no plan can have, with the reason (linked visits go together)."""
    reasons = {job.id: reason for job in problem.jobs if (reason := _alone(job, problem))}
    jobs = {job.id: job for job in problem.jobs}
    for link in problem.links:
        both = link.first in jobs and link.second in jobs
        if both and agreed_span(problem, jobs[link.first], jobs[link.second], link) is None:
            reasons.setdefault(link.first, LINK_CANNOT_BE_KEPT)
            reasons.setdefault(link.second, LINK_CANNOT_BE_KEPT)
    return with_partners(reasons, problem.links, PARTNER_CANNOT_BE_DONE)


def with_partners(reasons: dict[object, str], links: Iterable[Link], reason: str) -> dict[object, str]:
    """``reasons`` and, for each linked visit whose partner has one, ``reason``."""
    reasons = dict(reasons)
    for link in links:
        for one, other in ((link.first, link.second), (link.second, link.first)):
            if one in reasons and other not in reasons:
                reasons[other] = reason
    return reasons


def _alone(job: Job, problem: Problem) -> str | None:
    able = [worker for worker in problem.workers if not job.skills or job.skills & worker.skills]
    if not able:
        return NO_WORKER_WITH_SKILL
    if not any(_reachable(job, worker, problem) for worker in able):
        return OUTSIDE_WORKING_HOURS
    return None


def _reachable(job: Job, worker: Worker, problem: Problem) -> bool:
    going, back = problem.leg(worker.start, job.place, commute=True), problem.leg(job.place, worker.end, commute=True)
    start = max(job.window[0], worker.shift[0] + going)
    return start <= problem.latest_start(job) and start + job.duration + back <= worker.shift[1] \
        and going + job.duration + back <= worker.longest_day


def agreed_span(problem: Problem, first: Job, second: Job, link: Link) -> tuple[int, int] | None:
    """The starts ``first`` may have so that ``second`` can start within its window at the
    link's gap; None when there are none."""
    earliest = max(first.window[0], second.window[0] - link.max_gap)
    latest = min(problem.latest_start(first), problem.latest_start(second) - link.min_gap)
    return (earliest, latest) if earliest <= latest else None
