#!/usr/bin/env python
"""Benchmark of scheduling's plans of routes and rosters: one municipality's busy day.

On a fresh database of its own (PostgreSQL by default, dropped at the end): --workers home
helpers (30) based around a town, available 07:00-19:00, and --visits care plans (300) of one
visit that day (30, 45 or 60 minutes, in a window of two to four hours), at homes within
some 20 km, planned by the daily task as visits always are (each given to a free helper).
Then a plan of that day is asked for as a coordinator would (``plans.ask``), handed out by
the sweep and made by its task (``plans.make``), and the time from asking to ready is
printed with what the plan proposes against the day as planned: travel, distance, overtime,
visits left out and why, continuity. Target: ready in under 30 s.

    .venv/bin/python bench/plans.py                       # PostgreSQL
    .venv/bin/python bench/plans.py --database sqlite --seconds 10
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from scheduling import catalogue, on_a_database_of_its_own  # bench/scheduling.py

from services.registry import service_spec
from services.scheduling.models import CarePlan
from services.scheduling.plans import service as plans
from services.scheduling.plans.schemas import PlanCreate, PlanRead
from services.scheduling.staff.schemas import AvailabilityWindow, StaffCreate
from services.scheduling.staff.service import register_staff
from services.scheduling.visits.service import extend_horizons
from shared.auth import Principal
from shared.db import Database
from shared.migrations import upgrade

TARGET_SECONDS = 30.0
TOWN = (42.09, 24.0)
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def near(rng: random.Random, km: float) -> dict:
    return {"latitude": TOWN[0] + rng.uniform(-km, km) / 111, "longitude": TOWN[1] + rng.uniform(-km, km) / 83}


def helpers(database: Database, code: str, count: int, rng: random.Random) -> None:
    week = [AvailabilityWindow(day=day, start="07:00", end="19:00") for day in EVERY_DAY]
    with database.transaction() as session:
        for i in range(count):
            register_staff(StaffCreate(municipality=code, subject=f"helper-{i}", display_name=f"Helper {i}",
                                       roles=["home_helper"], contracted_hours_per_week=40, availability=week,
                                       base_location=near(rng, 15)), session=session)


def care_plans(database: Database, code: str, count: int, day, rng: random.Random, now: datetime) -> None:
    rows = []
    for _ in range(count):
        start = rng.randint(7, 15)
        window = {"start": f"{start:02d}:00", "end": f"{start + rng.choice([2, 3, 4]):02d}:00"}
        line = {"line_id": str(uuid.uuid4()), "service_type": "home_help", "unit": "visit", "per_week": 7,
                "duration_minutes": rng.choice([30, 45, 60]), "preferred_days": EVERY_DAY, "time_windows": [window],
                "preferred_worker": None, "place": "home"}
        home = near(rng, 20)
        rows.append(CarePlan(id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code=code, status="active",
                             starts_on=day, ends_on=day, latitude=home["latitude"], longitude=home["longitude"],
                             settlement_id=None, lines=[line], planned_until=None, as_of=now))
    with database.transaction() as session:
        session.add_all(rows)
        extend_horizons(now=now, session=session)


def run(args: argparse.Namespace, database: Database) -> None:
    rng, now = random.Random(args.seed), datetime.now(UTC)
    spec = service_spec("scheduling")
    upgrade(str(spec.migrations), database, spec.metadata)
    code = catalogue(database, now)[0]
    day = now.date() + timedelta(days=2)
    helpers(database, code, args.workers, rng)
    care_plans(database, code, args.visits, day, rng, now)
    coordinator = Principal(subject="bench", roles=frozenset({"coordinator"}), municipalities=frozenset({code}))
    started = time.perf_counter()
    with database.transaction() as session:
        plan_id = plans.ask(PlanCreate(municipality=code, first_day=day, seconds=args.seconds), coordinator,
                            now=now, session=session).id
    with database.transaction() as session:
        plans.sweep(now=datetime.now(UTC), session=session)
    with database.transaction() as session:
        plans.make(str(plan_id), now=datetime.now(UTC), session=session)
    seconds = time.perf_counter() - started
    with database.unit_of_work(write=False) as session:
        shown: PlanRead = plans.shown(plans.get(plan_id, coordinator, session=session), now=datetime.now(UTC))
    report(args, shown, seconds)


def report(args: argparse.Namespace, plan: PlanRead, seconds: float) -> None:
    result = plan.result
    assert result is not None, plan.error
    print(f"plans benchmark: {args.visits} visits, {args.workers} workers, one day, search {args.seconds} s, "
          f"on {args.database}")
    print(f"  ready in {seconds:.1f} s ({plan.status})")
    for name, measured in (("as planned", result.current), ("proposed", result.proposed),
                           ("saving", result.saving)):
        print(f"  {name:<10} visits {measured.visits:>4}  travel {measured.travel_minutes:>5} min  "
              f"distance {measured.distance_km:>7.1f} km  overtime {measured.overtime_minutes:>4} min")
    print(f"  left out {len(result.unassigned)} {dict(Counter(left.reason for left in result.unassigned))}; "
          f"continuity {result.continuity_share}; routes {len(result.routes)}")
    print(f"target: ready in under {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--visits", type=int, default=300)
    p.add_argument("--workers", type=int, default=30)
    p.add_argument("--seconds", type=int, default=20, help="the search's time limit (the API's default) [20]")
    p.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--seed", type=int, default=3)
    return on_a_database_of_its_own(p.parse_args(argv), "plans", run)


if __name__ == "__main__":
    sys.exit(main())
