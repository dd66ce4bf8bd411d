"""Scheduling's optimiser on the Solomon VRPTW instances, each solution checked here again.

    python bench/vrptw.py --instances ../shared/data/vrp/solomon --time-limit 10 --objective distance --json

The instances go through the optimiser the service uses (services.scheduling.optimiser):
customers are visits, vehicles are workers with a capacity. ``distance``: the
distance-only objective, each edge floor(10·d)/10 as CVRPLIB's optima are counted (travel
times rounded up, so a plan's windows hold in double precision too); ``hierarchical``:
fewest vehicles first, then unrounded Euclidean distance. Each solution is checked
independently of the optimiser, in double precision: every customer once, capacity, time
windows and the depot's closing time. Gaps are against ``solomon_bks_distance_only.csv`` or
``solomon_bks.csv`` beside the instances' folder."""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.scheduling.optimiser.model import Costs, Job, Problem, Worker
from services.scheduling.optimiser.solver import Options, solve

DATA = Path(__file__).resolve().parents[2] / "shared/data/vrp"
SCALE = {"distance": 10, "hierarchical": 1000}  # time units per unit of the instance
BEST_KNOWN = {"distance": "solomon_bks_distance_only.csv", "hierarchical": "solomon_bks.csv"}


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    rows: list[tuple[float, ...]]  # number, x, y, demand, ready, due, service; row 0 the depot

    @classmethod
    def read(cls, path: Path) -> Instance:
        lines = path.read_text().splitlines()
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["NUMBER"])
        vehicles, capacity = map(int, lines[at + 1].split())
        rows = [tuple(map(float, line.split())) for line in lines[at + 2:]
                if len(line.split()) == 7 and line.split()[0].isdigit()]
        return cls(path.stem, vehicles, capacity, rows)

    def euclid(self) -> np.ndarray:
        xy = np.array([row[1:3] for row in self.rows])
        return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))


def problem(instance: Instance, objective: str) -> Problem:
    scale, d = SCALE[objective], instance.euclid()
    cost = np.floor(d * 10 + 1e-9) if objective == "distance" else np.round(d * scale)
    depot = instance.rows[0]
    workers = [Worker(k, frozenset(), (int(depot[4] * scale), int(depot[5] * scale)), 0, 0,
                      capacity=instance.capacity) for k in range(instance.vehicles)]
    jobs = [Job(int(row[0]), i, int(row[6] * scale), (int(row[4] * scale), int(row[5] * scale)), demand=int(row[3]))
            for i, row in enumerate(instance.rows) if i]
    duration = np.ceil(d * scale - 1e-9).astype(np.int64)
    return Problem(workers, jobs, duration=duration, distance=duration, cost=cost.astype(np.int64),
                   costs=Costs(left_out=None, not_preferred=0, overtime=0))


def checked(instance: Instance, routes: list[list[int]], objective: str) -> tuple[bool, float]:
    """Whether the routes are feasible, in double precision, and their distance."""
    d, rows = instance.euclid(), instance.rows
    edge = (lambda a, b: math.floor(d[a, b] * 10 + 1e-9) / 10) if objective == "distance" else (lambda a, b: d[a, b])
    served = sorted(customer for route in routes for customer in route)
    feasible = served == list(range(1, len(rows))) and len(routes) <= instance.vehicles
    total = 0.0
    for route in routes:
        now, load, place = 0.0, 0.0, 0
        for customer in route:
            now = max(now + d[place, customer], rows[customer][4])
            feasible &= now <= rows[customer][5] + 1e-9
            total += edge(place, customer)
            now, load, place = now + rows[customer][6], load + rows[customer][3], customer
        feasible &= load <= instance.capacity and now + d[place, 0] <= rows[0][5] + 1e-9
        total += edge(place, 0)
    return bool(feasible), float(total)


def best_known(folder: Path, objective: str) -> dict[str, tuple[int, float]]:
    path = folder / BEST_KNOWN[objective]
    if not path.exists():
        return {}
    with path.open() as file:
        return {row["instance"]: (int(row["vehicles"]), float(row["distance"])) for row in csv.DictReader(file)}


def run(path: Path, args: argparse.Namespace) -> dict:
    instance = Instance.read(path)
    began = time.perf_counter()
    solution = solve(problem(instance, args.objective),
                     Options(seconds=args.time_limit, seed=args.seed, fewest_workers=args.objective == "hierarchical"))
    seconds = time.perf_counter() - began
    routes = [[stop.job for stop in route.stops] for route in solution.routes]
    feasible, distance = checked(instance, routes, args.objective)
    return {"instance": instance.name, "vehicles": len(routes), "distance": round(distance, 2),
            "feasible": feasible and not solution.unassigned, "seconds": round(seconds, 2)}


def summary(results: list[dict], best: dict[str, tuple[int, float]]) -> dict:
    known = [r for r in results if r["instance"] in best]
    gaps = [100 * (r["distance"] / best[r["instance"]][1] - 1) for r in known]
    return {"summary": True, "instances": len(results), "feasible": sum(r["feasible"] for r in results),
            "vehicles": sum(r["vehicles"] for r in results),
            "best_known_vehicles": sum(best[r["instance"]][0] for r in known),
            "distance": round(sum(r["distance"] for r in results), 2),
            "best_known_distance": round(sum(best[r["instance"]][1] for r in known), 2),
            "mean_gap_percent": round(sum(gaps) / len(gaps), 3) if gaps else None,
            "seconds": round(sum(r["seconds"] for r in results), 1)}


def instances(paths: list[str]) -> list[Path]:
    found = [p for name in paths for p in (sorted(Path(name).glob("*.txt")) if Path(name).is_dir() else [Path(name)])]
    return sorted(found, key=lambda p: p.stem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+", default=[str(DATA / "solomon")])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--objective", choices=sorted(SCALE), default="distance")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object per instance per line, then a summary")
    args = parser.parse_args()
    paths = instances(args.instances)
    best = best_known(paths[0].parent.parent, args.objective) if paths else {}
    results = []
    for path in paths:
        results.append(result := run(path, args))
        known = best.get(result["instance"])
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            gap = f"{100 * (result['distance'] / known[1] - 1):+6.2f}%" if known else ""
            print(f"{result['instance']:<7} {result['vehicles']:>3} {result['distance']:>10.2f} "
                  f"{'feasible' if result['feasible'] else 'INFEASIBLE':<10} {result['seconds']:>6.1f}s  "
                  f"best known {known[0] if known else '-':>3} {known[1] if known else '-':>9} {gap}", flush=True)
    print(json.dumps(summary(results, best)) if args.json else summary(results, best))


if __name__ == "__main__":
    main()
