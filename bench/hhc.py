"""Scheduling's optimiser on the Mankowska home health care instances, each plan checked here again.

    python bench/hhc.py --instances ../shared/data/vrp/hhc/iolab-uniud_hhcrsp/instances/mankowska --time-limit 60

A patient's service is a visit needing a caregiver qualified for it; a patient with two
services has them at the same time by two caregivers (simultaneous) or the second between
a minimum and a maximum time after the first (sequential); time windows are soft: a late
start costs its lateness. The objective, as published (Mankowska et al. 2014):
(travel distance + total tardiness + maximum tardiness) / 3. The optimiser works in
hundredths, travel times rounded up; each plan is then timed again here in double
precision from its routes alone (every service as early as the routes, windows and links
allow) and checked: every service once, by a qualified caregiver, the two of a patient by
two caregivers, simultaneous ones at the same time, sequential ones within their gap.
Gaps against the best published (``mankowska_best_comparison.csv``)."""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.scheduling.optimiser.model import Costs, Job, Link, Problem, Worker
from services.scheduling.optimiser.solver import Options, solve

SCALE = 100
DATA = Path(__file__).resolve().parents[2] / "shared/data/vrp/hhc"
TOLERANCE = 1e-6


def problem(instance: dict) -> Problem:
    distance = np.array(instance["distances"], dtype=float)
    horizon = int((max(p["time_window"][1] for p in instance["patients"]) + 10 * distance.max()) * SCALE)
    workers = [Worker(c["id"], frozenset(c["abilities"]), (0, horizon), 0, 0) for c in instance["caregivers"]]
    jobs, links = [], []
    for place, patient in enumerate(instance["patients"], start=1):
        early, late = patient["time_window"]
        halves = [Job(f"{patient['id']}:{need['service']}", place, round(need["duration"] * SCALE),
                      (round(early * SCALE), round(late * SCALE)), frozenset({need["service"]}))
                  for need in patient["required_caregivers"]]
        jobs += halves
        if len(halves) == 2:
            gap = patient["synchronization"].get("distance", [0, 0])
            links.append(Link(halves[0].id, halves[1].id, round(gap[0] * SCALE), round(gap[1] * SCALE)))
    travel = np.ceil(distance * SCALE - 1e-9).astype(np.int64)
    return Problem(workers, jobs, duration=travel, distance=travel, cost=np.rint(distance * SCALE).astype(np.int64),
                   links=links, costs=Costs(left_out=None, not_preferred=0, overtime=0, lateness=1, latest=1))


def checked(instance: dict, routes: dict[str, list[str]]) -> tuple[bool, dict]:
    """Whether the caregivers' routes are a feasible plan, and its figures, in double precision."""
    patients = {p["id"]: (place, p) for place, p in enumerate(instance["patients"], start=1)}
    abilities = {c["id"]: set(c["abilities"]) for c in instance["caregivers"]}
    d = np.array(instance["distances"], dtype=float)
    done = [(who, job) for who, jobs in routes.items() for job in jobs]
    wanted = sorted(f"{p['id']}:{n['service']}" for p in instance["patients"] for n in p["required_caregivers"])
    feasible = sorted(job for _, job in done) == wanted
    feasible &= all(job.split(":")[1] in abilities[who] for who, job in done)
    starts = _earliest(instance, routes, patients, d)
    by = {job: who for who, job in done}
    for patient in instance["patients"]:
        if len(patient["required_caregivers"]) == 2 and starts is not None:
            a, b = (f"{patient['id']}:{n['service']}" for n in patient["required_caregivers"])
            low, high = patient["synchronization"].get("distance", [0, 0])
            feasible &= by.get(a) != by.get(b) and low - TOLERANCE <= starts[b] - starts[a] <= high + TOLERANCE
    if starts is None:
        return False, {}
    late = [max(starts[job] - patients[job.split(":")[0]][1]["time_window"][1], 0.0) for job in starts]
    places = {who: [0, *(patients[job.split(":")[0]][0] for job in jobs), 0] for who, jobs in routes.items()}
    distance = sum(d[a, b] for path in places.values() for a, b in pairwise(path))
    figures = {"distance": distance, "tardiness": sum(late), "max_tardiness": max(late, default=0.0)}
    return bool(feasible), {**figures, "cost": sum(figures.values()) / 3}


def _earliest(instance: dict, routes: dict[str, list[str]], patients: dict, d: np.ndarray) -> dict[str, float] | None:
    """Each service as early as its route, its window's start and its patient's link allow."""
    starts = {job: float(patients[job.split(":")[0]][1]["time_window"][0]) for jobs in routes.values() for job in jobs}
    durations = {f"{p['id']}:{n['service']}": n["duration"] for p in instance["patients"]
                 for n in p["required_caregivers"]}
    pairs = [([f"{p['id']}:{n['service']}" for n in p["required_caregivers"]], p["synchronization"].get(
        "distance", [0, 0])) for p in instance["patients"] if len(p["required_caregivers"]) == 2]
    for _ in range(len(starts) + 1):
        moved = False
        for jobs in routes.values():
            place, free = 0, 0.0
            for job in jobs:
                here = patients[job.split(":")[0]][0]
                if starts[job] < free + d[place, here] - TOLERANCE:
                    starts[job], moved = free + d[place, here], True
                place, free = here, starts[job] + durations[job]
        for (a, b), (low, high) in ((pair, gap) for pair, gap in pairs if set(pair) <= starts.keys()):
            if starts[b] < starts[a] + low - TOLERANCE:
                starts[b], moved = starts[a] + low, True
            if starts[a] < starts[b] - high - TOLERANCE:
                starts[a], moved = starts[b] - high, True
        if not moved:
            return starts
    return None


def best_published() -> dict[str, float]:
    with (DATA / "mankowska_best_comparison.csv").open() as file:
        return {row["instance"]: float(row["iolab2024_total_cost"]) for row in csv.DictReader(file)}


def run(path: Path, args: argparse.Namespace) -> dict:
    instance = json.loads(path.read_text())
    began = time.perf_counter()
    solution = solve(problem(instance), Options(seconds=args.time_limit, seed=args.seed, threads=args.threads))
    seconds = time.perf_counter() - began
    routes = {route.worker: [stop.job for stop in route.stops] for route in solution.routes}
    feasible, figures = checked(instance, routes)
    return {"instance": path.stem, "patients": len(instance["patients"]), "feasible": feasible and not
            solution.unassigned, **{k: round(v, 2) for k, v in figures.items()}, "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+",
                        default=[str(DATA / "iolab-uniud_hhcrsp/instances/mankowska")])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="CP-SAT's workers in the second stage [2]")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    paths = sorted((p for name in args.instances for p in (sorted(Path(name).glob("*.json")) if Path(name).is_dir()
                                                             else [Path(name)])),
                   key=lambda p: int(p.stem.split("_")[-2]))
    best, gaps = best_published(), {}
    for path in paths:
        result = run(path, args)
        known = best.get(result["instance"])
        result["gap_percent"] = round(100 * (result["cost"] / known - 1), 2) if known and "cost" in result else None
        gaps[result["instance"]] = (result["patients"], result["gap_percent"])
        print(json.dumps(result) if args.json else
              f"{result['instance']:<26} {result['patients']:>4} {'feasible' if result['feasible'] else 'INFEASIBLE'}"
              f"  cost {result.get('cost', float('nan')):>9.2f}  best {known or float('nan'):>9.2f}  "
              f"gap {result['gap_percent']:>+7.2f}%  {result['seconds']:>5.1f}s", flush=True)
    small = [gap for patients, gap in gaps.values() if patients <= 100 and gap is not None]
    print(json.dumps({"summary": True, "instances": len(gaps), "mean_gap_percent_up_to_100":
                      round(sum(small) / len(small), 2) if small else None,
                      "gaps": {name: gap for name, (_, gap) in gaps.items()}}))


if __name__ == "__main__":
    main()
