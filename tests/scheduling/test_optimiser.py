"""The optimiser's model on small generated cases: every plan is judged by the independent
check (optimiser.check), and what it leaves out has a reason."""
from __future__ import annotations

import random

import numpy as np
import pytest

from services.scheduling.optimiser import measures, reasons, timing
from services.scheduling.optimiser.check import violations
from services.scheduling.optimiser.model import Costs, Job, Link, Problem, Route, Solution, Stop, Worker
from services.scheduling.optimiser.solver import Options, solve
from services.scheduling.optimiser.travel import GreatCircle, Osrm
from shared.testing import json_server

QUICK = Options(seconds=0.5)
HOUR = 3600
DAY = (8 * HOUR, 16 * HOUR)


def village(count: int, seed: int = 1) -> Problem:
    """An office (place 0) and ``count`` homes within some 15 km."""
    rng = random.Random(seed)
    places = [(42.0, 24.0)] + [(42.0 + rng.uniform(-0.1, 0.1), 24.0 + rng.uniform(-0.1, 0.1)) for _ in range(count)]
    seconds, metres = GreatCircle().matrices(places)
    return Problem([], [], duration=seconds, distance=metres)


def worker(name: str, skills: str = "care", shift=DAY, **more) -> Worker:
    return Worker(name, frozenset(skills.split()), shift, 0, 0, **more)


def job(name: str, place: int, window=DAY, skills: str = "care", minutes: int = 60, **more) -> Job:
    return Job(name, place, minutes * 60, window, frozenset(skills.split()), **more)


def planned(problem: Problem, workers, jobs, links=(), options=QUICK):
    problem.workers, problem.jobs, problem.links = workers, jobs, links
    solution = solve(problem, options)
    assert violations(problem, solution) == []
    return solution


def test_a_visit_goes_to_a_worker_with_its_skill_within_its_window_and_their_shift():
    morning, afternoon = (8 * HOUR, 12 * HOUR), (12 * HOUR, 18 * HOUR)
    jobs = [job("wash", 1, skills="care"), job("dress", 2, window=(9 * HOUR, 10 * HOUR), skills="nursing"),
            job("injection", 3, window=(13 * HOUR, 14 * HOUR), skills="nursing")]
    solution = planned(village(3), [worker("helper", "care", morning), worker("nurse", "nursing", morning),
                                    worker("late nurse", "nursing", afternoon)], jobs)
    starts = solution.starts()
    assert {name: starts[name][0] for name in starts} == {"wash": "helper", "dress": "nurse",
                                                          "injection": "late nurse"}
    assert 9 * HOUR <= starts["dress"][1] <= 10 * HOUR and solution.unassigned == {}


def test_two_workers_at_once_start_together_and_a_follow_up_keeps_its_gap():
    jobs = [job(f"visit {i}", i, minutes=45) for i in range(1, 9)]
    jobs += [job("lift a", 9, minutes=30), job("lift b", 9, minutes=30),
             job("bandage", 10, skills="nursing", minutes=30), job("check", 10, skills="nursing", minutes=20)]
    links = [Link("lift a", "lift b"), Link("bandage", "check", 2 * HOUR, 3 * HOUR)]
    solution = planned(village(10), [worker("ana", "care nursing"), worker("boris", "care"),
                                     worker("vera", "care nursing")], jobs, links)
    starts = solution.starts()
    assert solution.unassigned == {}
    assert starts["lift a"][1] == starts["lift b"][1] and starts["lift a"][0] != starts["lift b"][0]
    assert 2 * HOUR <= starts["check"][1] - starts["bandage"][1] <= 3 * HOUR


@pytest.mark.parametrize("seed", range(4))
def test_generated_days_hold_every_rule(seed):
    """Random days: skills, shifts, windows, the longest day, links; the check finds nothing."""
    rng = random.Random(seed)
    problem = village(40, seed)
    skills = ["care", "nursing", "psychology"]
    workers = [worker(f"w{k}", " ".join({skills[k % 3], rng.choice(skills)}),
                      (rng.choice([7, 8, 9]) * HOUR, rng.choice([15, 16, 17]) * HOUR),
                      longest_day=rng.choice([6, 8]) * HOUR) for k in range(6)]
    jobs = []
    for i in range(1, 41):
        start = rng.randint(7, 15) * HOUR
        jobs.append(job(f"j{i}", i, (start, start + rng.choice([1, 2, 4]) * HOUR), rng.choice(skills),
                        rng.choice([30, 45, 60]), priority=rng.randint(1, 3), preferred=rng.choice([None, "w1"])))
    links = [Link("j1", "j2"), Link("j3", "j4", HOUR, 3 * HOUR), Link("j5", "j6")]
    solution = planned(problem, workers, jobs, links, Options(seconds=1.0, seed=seed))
    assert set(solution.unassigned.values()) <= set(reasons.REASONS)
    assert len(solution.starts()) >= 20  # it plans, not only explains


def test_a_visit_no_plan_can_have_says_why_and_its_linked_partner_too():
    jobs = [job("speech therapy", 1, skills="speech"),
            job("night", 2, window=(22 * HOUR, 23 * HOUR)),
            job("lift a", 3, window=(9 * HOUR, 10 * HOUR)), job("lift b", 3, window=(11 * HOUR, 12 * HOUR)),
            job("first", 4), job("second", 4, skills="speech"),
            job("ok", 5)]
    solution = planned(village(5), [worker("ana"), worker("boris")], jobs,
                       [Link("lift a", "lift b"), Link("first", "second", HOUR, 2 * HOUR)])
    assert solution.unassigned == {
        "speech therapy": reasons.NO_WORKER_WITH_SKILL, "night": reasons.OUTSIDE_WORKING_HOURS,
        "lift a": reasons.LINK_CANNOT_BE_KEPT, "lift b": reasons.LINK_CANNOT_BE_KEPT,
        "second": reasons.NO_WORKER_WITH_SKILL, "first": reasons.PARTNER_CANNOT_BE_DONE}
    assert list(solution.starts()) == ["ok"]


def test_a_full_day_leaves_out_what_weighs_least_and_says_there_was_no_time():
    jobs = [job(f"v{i}", i, window=(8 * HOUR, 12 * HOUR), minutes=90, priority=1 + (i % 2) * 4) for i in range(1, 7)]
    solution = planned(village(6), [worker("ana", shift=(8 * HOUR, 13 * HOUR))], jobs)
    assert set(solution.unassigned.values()) == {reasons.NO_TIME_LEFT}
    assert all(int(name[1:]) % 2 == 1 for name in solution.starts())  # the priority-5 visits are the ones done


def test_a_client_keeps_their_usual_worker_where_continuity_weighs_more_than_the_detour():
    jobs = [job(f"v{i}", i, preferred="boris" if i <= 3 else "ana") for i in range(1, 7)]
    problem = village(6)
    problem.costs = Costs(not_preferred=HOUR)
    solution = planned(problem, [worker("ana"), worker("boris")], jobs)
    assert {name: w for name, (w, _) in solution.starts().items()} == {
        f"v{i}": "boris" if i <= 3 else "ana" for i in range(1, 7)}


def test_no_day_is_longer_than_the_longest_day():
    jobs = [job(f"v{i}", i, window=(8 * HOUR, 18 * HOUR), minutes=60) for i in range(1, 9)]
    solution = planned(village(8), [worker("ana", shift=(8 * HOUR, 20 * HOUR), longest_day=5 * HOUR)], jobs)
    route = solution.routes[0]
    assert route.returns - route.leaves <= 5 * HOUR and 3 <= len(route.stops) <= 4


def test_travel_is_zero_next_door_and_a_set_time_where_a_place_is_unknown():
    places = [(42.0, 24.0), (42.0, 24.0), (42.1, 24.0), None]
    seconds, metres = GreatCircle(road_factor=1.5, speed_kmh=30).matrices(places)
    assert seconds[0, 1] == metres[0, 1] == 0
    assert 16_600 <= metres[0, 2] <= 16_700  # 11.1 km of straight line, times 1.5
    assert seconds[0, 2] == np.ceil(metres[0, 2] / (30 / 3.6) + 300)
    assert seconds[0, 3] == 900 and metres[3, 2] == 0


def test_with_soft_windows_a_visit_may_start_late_at_the_price_of_its_lateness():
    jobs = [job(f"v{i}", i, window=(9 * HOUR, 9 * HOUR + 600), minutes=60) for i in range(1, 4)]
    problem = village(3)
    problem.costs = Costs(left_out=None, lateness=1, latest=1)
    solution = planned(problem, [worker("ana", shift=(8 * HOUR, 20 * HOUR))], jobs)
    starts = sorted(start for _, start in solution.starts().values())
    assert solution.unassigned == {} and starts[0] <= 9 * HOUR + 600 and starts[-1] > 11 * HOUR
    late = sum(max(start - (9 * HOUR + 600), 0) for start in starts)
    travel = sum(int(problem.duration[a, b]) for a, b in [(0, 1), (1, 2), (2, 3), (3, 0)])  # some order
    assert measures.cost(problem, solution) <= late + max(starts) - (9 * HOUR + 600) + 2 * travel


def test_timing_puts_each_visit_as_early_as_its_route_and_links_allow_or_says_it_cannot():
    problem = village(3)
    problem.workers = [worker("ana"), worker("boris")]
    problem.jobs = [job("a", 1, window=(9 * HOUR, 12 * HOUR)), job("b", 2, window=(8 * HOUR, 12 * HOUR)),
                    job("c", 3, window=(8 * HOUR, 12 * HOUR))]
    problem.links = [Link("b", "c")]
    routes = [Route("ana", [Stop("a", 0), Stop("b", 0)], 0, 0), Route("boris", [Stop("c", 0)], 0, 0)]
    timed = timing.earliest(problem, routes)
    starts = Solution(timed, {}).starts()
    assert starts["a"][1] == 9 * HOUR
    assert starts["b"][1] == starts["c"][1] == 10 * HOUR + int(problem.duration[1, 2])
    waiting = [Route("ana", [Stop("b", 0), Stop("a", 0)], 0, 0), Route("boris", [Stop("c", 0)], 0, 0)]
    problem.links = [Link("b", "c"), Link("c", "a", 0, 0)]  # b with c, c with a: ana cannot be at both at once
    assert timing.earliest(problem, waiting) is None


def test_a_routing_engines_matrix_is_read_from_its_table_service():
    """An OSRM server's /table/v1/driving answer (a stand-in on a socket) becomes the matrices,
    with the places it was not asked about (unknown) at the set time."""
    table = {"code": "Ok", "durations": [[0, 600.4], [610, 0]], "distances": [[0, 9000.2], [9100, 0]]}
    with json_server(lambda path: table) as (url, asked):
        seconds, metres = Osrm(url).matrices([(42.0, 24.0), None, (42.1, 24.2)])
    assert asked[0].startswith("/table/v1/driving/24.0,42.0;24.2,42.1?") and "annotations=duration" in asked[0]
    assert seconds[0, 2] == 601 + 300 and seconds[2, 0] == 610 + 300 and metres[0, 2] == 9000
    assert seconds[0, 1] == 900 and metres[1, 2] == 0 and seconds[1, 1] == 0
