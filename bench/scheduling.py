#!/usr/bin/env python
"""Benchmark of scheduling's planner: the four-week horizon of many care plans at once.

On a fresh database of its own (PostgreSQL by default, dropped at the end): ten
municipalities as intake's events make them known, home helpers with a usual week of
Monday to Friday 08:00-16:30 and 40 contracted hours (one per PLANS_PER_HELPER plans),
and --plans active care plans (10,000) kept as intake.careplan.activated.v1 would keep
them, each with a home-help line of three one-hour visits a week on its preferred days
and a morning or afternoon window, at a place near its municipality's centre. Then the
daily task's planning (``extend_horizons``) runs once, timed with its commit:

  planning   every plan's visits for four weeks (about 120,000), each given to a helper
             (preferred days and windows, no double booking, travel, contracted hours)

It prints the seconds, the visits per second, and the visits no one could be given, by
reason; then the time of --events single plan events (``replan``), as a consumer applies
them one at a time. Target: the horizon of 10,000 plans in under 30 s.

Usage (from the repository root):

    .venv/bin/python bench/scheduling.py                   # 10,000 plans on PostgreSQL
    .venv/bin/python bench/scheduling.py --plans 1000 --database sqlite

Exit status: 0 when it ran (target met or not), 1 when it could not run.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from services.registry import service_spec
from services.scheduling.catalogue.service import keep_municipality, keep_service_type, keep_staff_role
from services.scheduling.models import CarePlan, Visit
from services.scheduling.staff.schemas import AvailabilityWindow, StaffCreate
from services.scheduling.staff.service import register_staff
from services.scheduling.visits.service import extend_horizons, replan
from shared import testing
from shared.db import Database
from shared.events.intake import CodeRegistered, MunicipalityRegistered, ServiceTypeRegistered
from shared.migrations import upgrade

TARGET_SECONDS = 30.0
PLANS_PER_HELPER = 7  # 21 one-hour visits a week, travel between them
CENTRES = [(42.09, 24.0), (42.55, 27.47), (42.6, 23.03), (41.95, 27.6), (42.02, 24.88),
           (42.7, 23.32), (50.01, 33.0), (52.55, 19.7), (52.17, 22.29), (50.45, 30.52)]
DAYS = (["mon", "wed", "fri"], ["tue", "thu", "fri"], ["mon", "tue", "thu"], [])
WINDOWS = ([{"start": "08:00", "end": "12:00"}], [{"start": "12:00", "end": "16:30"}], [])


def catalogue(database: Database, now: datetime) -> list[str]:
    codes = [f"BG-B{i:02d}" for i in range(len(CENTRES))]
    with database.transaction() as session:
        for code in codes:
            keep_municipality(MunicipalityRegistered(code=code, name=code, language="bg", timezone="Europe/Sofia"),
                              as_of=now, session=session)
        keep_staff_role(CodeRegistered(kind="staff_role", code="home_helper", names={"en": "Home helper"}),
                        active=True, as_of=now, session=session)
        keep_service_type(ServiceTypeRegistered(code="home_help", names={"en": "Home help"}, mode="home_visit",
                                                staff_roles=["home_helper"], default_duration_minutes=60,
                                                unit="visit"), active=True, as_of=now, session=session)
    return codes


def helpers(database: Database, codes: list[str], count: int) -> None:
    week = [AvailabilityWindow(day=day, start="08:00", end="16:30") for day in ("mon", "tue", "wed", "thu", "fri")]
    with database.transaction() as session:
        for i in range(count):
            register_staff(StaffCreate(municipality=codes[i % len(codes)], subject=f"helper-{i}",
                                       display_name=f"Helper {i}", roles=["home_helper"],
                                       contracted_hours_per_week=40, availability=week), session=session)


def plans(database: Database, codes: list[str], count: int, rng: random.Random, now: datetime) -> list[uuid.UUID]:
    rows = []
    for i in range(count):
        lat, lon = CENTRES[i % len(codes)]
        line = {"line_id": str(uuid.uuid4()), "service_type": "home_help", "unit": "visit", "per_week": 3,
                "duration_minutes": 60, "preferred_days": rng.choice(DAYS), "time_windows": rng.choice(WINDOWS),
                "preferred_worker": None, "place": "home"}
        rows.append(CarePlan(id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code=codes[i % len(codes)],
                             status="active", starts_on=date(2026, 1, 5), ends_on=None,
                             latitude=lat + rng.uniform(-0.05, 0.05), longitude=lon + rng.uniform(-0.05, 0.05),
                             settlement_id=None, lines=[line], planned_until=None, as_of=now))
    with database.transaction() as session:
        session.add_all(rows)
    return [row.id for row in rows]


def run(args: argparse.Namespace, database: Database) -> None:
    rng, now = random.Random(args.seed), datetime.now(UTC)
    spec = service_spec("scheduling")
    upgrade(str(spec.migrations), database, spec.metadata)
    codes = catalogue(database, now)
    helpers(database, codes, max(len(codes), args.plans // PLANS_PER_HELPER))
    plan_ids = plans(database, codes, args.plans, rng, now)
    print(f"scheduling benchmark: {args.plans:,} plans, {args.plans // PLANS_PER_HELPER:,} helpers, "
          f"{len(codes)} municipalities, on {args.database}", flush=True)
    started = time.perf_counter()
    with database.transaction() as session:
        planned = extend_horizons(now=now, session=session)
    seconds = time.perf_counter() - started
    with database.unit_of_work(write=False) as session:
        reasons = Counter(dict(session.execute(select(Visit.unstaffed_reason, func.count())
                                               .where(Visit.staff_id.is_(None)).group_by(Visit.unstaffed_reason)).all()))
    print(f"  planning  {planned:,} visits in {seconds:.1f} s: {planned / seconds:,.0f} visits/s; "
          f"unstaffed {sum(reasons.values()):,} {dict(reasons)}", flush=True)
    times = []
    for plan_id in rng.sample(plan_ids, min(args.events, len(plan_ids))):
        started_one = time.perf_counter()
        with database.transaction() as session:
            replan(session.get_one(CarePlan, plan_id), now=now, session=session)
        times.append((time.perf_counter() - started_one) * 1000)
    if times:
        ordered = sorted(times)
        print(f"  one plan event (replan), {len(times)}: p50 {statistics.median(ordered):.1f} ms, "
              f"p95 {ordered[int(0.95 * (len(ordered) - 1))]:.1f} ms", flush=True)
    print(f"target: the horizon of {args.plans:,} plans in under {TARGET_SECONDS:.0f} s: "
          f"{'met' if seconds < TARGET_SECONDS else 'NOT met'}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plans", type=int, default=10_000, help="active care plans [10000]")
    p.add_argument("--events", type=int, default=100, help="single plan events timed after [100]")
    p.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    p.add_argument("--seed", type=int, default=9)
    args = p.parse_args(argv)
    return on_a_database_of_its_own(args, "scheduling", run)


def on_a_database_of_its_own(args: argparse.Namespace, label: str,
                             run: Callable[[argparse.Namespace, Database], None]) -> int:
    """``run`` on a fresh database (``args.database``: PostgreSQL, dropped after, or SQLite in a
    temporary folder): 0 when it ran, 1 (saying why) when it could not."""
    name = f"ccbench_{testing.run_id()}_{label}"
    with tempfile.TemporaryDirectory(prefix=f"ccbench-{label}-") as tmp:
        if args.database == "postgresql":
            testing.create_database(name)
        database = Database(testing.database_url(name) if args.database == "postgresql"
                            else f"sqlite:///{tmp}/scheduling.db")
        try:
            run(args, database)
        except Exception as exc:  # noqa: BLE001 - the benchmark could not run: say why and exit 1
            print(f"error: could not run the benchmark: {exc!r}", file=sys.stderr)
            return 1
        finally:
            database.dispose()
            if args.database == "postgresql":
                testing.drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
