#!/usr/bin/env python
"""Benchmark of reporting: a year of events of 50 municipalities through the real consumer,
period progress reports over them, and a rebuild from the producers' replay feeds.

On fresh PostgreSQL databases of its own (reporting's, and intake's, scheduling's and
notifications' for their outboxes, all dropped at the end) and a RabbitMQ vhost of its own:

  events    a catalogue of --municipalities (50) municipalities in one network, their
            clients, staff, agreements and care plans, and --events (1,000,000) visit
            events of one year: each visit planned, then made, missed or cancelled. Each
            event is also written to its producer's outbox as published: the replay feeds.
  ingest    all are published to RabbitMQ first, then one reporting consumer process (the
            project's Consumer on RabbitBroker, as `carecircle consume reporting` runs it)
            takes them; events/s from its start to the last one applied (target: at least
            3,000/s on this machine).
  reports   after VACUUM ANALYZE (as autovacuum soon does after such a load), the yearly
            period progress report of one municipality, every section made as the worker
            makes it (target: under 500 ms), its PDF, and the network's report over all the
            municipalities; the median of three runs each.
  rebuild   reporting's read models forgotten and made again from the three producers'
            feeds served over HTTP (`carecircle rebuild`); the time it took, and whether the
            year's figures came out the same.

Usage (from the repository root; PostgreSQL and RabbitMQ as in the README):

    .venv/bin/python bench/reporting.py
    .venv/bin/python bench/reporting.py --events 100000 --municipalities 10

Exit status: 0 when it ran (targets met or not), 1 when it could not run.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text

from services.registry import service_spec
from services.reporting.indicators.schemas import SliceQuery
from services.reporting.indicators.service import indicators
from services.reporting.indicators.slices import AgeBands
from services.reporting.models import Report
from services.reporting.rebuild import forget_everything
from services.reporting.reports import content, pdf
from services.reporting.reports.document import Made, document
from services.reporting.reports.rules import sections_of
from shared import testing
from shared.auth import Principal
from shared.bootstrap import Runtime, broker_factory
from shared.feed import FeedReader, catch_up
from shared.messaging.broker import Message
from shared.messaging.rabbit import RabbitBroker
from shared.messaging.tables import inbox, outbox
from shared.migrations import upgrade
from shared.settings import Settings
from shared.web import mount_services

TARGET_EVENTS_PER_SECOND = 3_000
TARGET_REPORT_SECONDS = 0.5
YEAR = 2025
NETWORK = "bench-network"
SERVICES = ("intake", "scheduling", "notifications", "reporting")
PUBLISH_BATCH = 5_000
COORDINATOR = Principal(subject="bench", roles=frozenset({"coordinator"}), municipalities=frozenset({"*"}))


# -- the events -------------------------------------------------------------------------------------


def envelope(event_type: str, at: datetime, data: dict) -> dict:
    """A CloudEvents envelope as the outbox holds it (built as JSON: a million pydantic models
    would take the memory the benchmark measures with)."""
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": event_type, "source": event_type.split(".")[0],
            "time": at.isoformat(), "datacontenttype": "application/json", "municipality": data.get("municipality"),
            "data": data}


def catalogue(codes: list[str], rng: random.Random) -> tuple[list[dict], dict[str, list[tuple]]]:
    """Municipalities, service types, staff, clients with agreements and running plans; the
    clients of each municipality (client, plan, worker) that the visits go to."""
    start = datetime(YEAR - 1, 12, 1, tzinfo=UTC)
    events = [envelope("intake.servicetype.registered.v1", start, {
        "code": "home_help", "names": {"en": "Home help"}, "mode": "home_visit", "staff_roles": ["home_helper"],
        "default_duration_minutes": 60, "unit": "hour"})]
    events.append(envelope("intake.programme.registered.v1", start, {
        "code": "bench_programme", "name": "Bench programme", "funder": None, "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR}-12-31", "municipalities": codes, "service_types": ["home_help"]}))
    served: dict[str, list[tuple]] = {}
    for code in codes:
        events.append(envelope("intake.municipality.registered.v1", start, {
            "code": code, "name": code, "language": "bg", "timezone": "Europe/Sofia", "network": NETWORK}))
        workers = [f"{code.lower()}-helper-{n}" for n in range(6)]
        events += [envelope("scheduling.staff.registered.v1", start, {
            "staff_id": str(uuid.uuid4()), "subject": worker, "municipality": code, "roles": ["home_helper"],
            "joined_on": f"{YEAR - 1}-06-01", "left_on": None}) for worker in workers]
        served[code] = [_client(code, rng.choice(workers), start, rng, events) for _ in range(40)]
    return events, served


def _client(code: str, worker: str, start: datetime, rng: random.Random, events: list[dict]) -> tuple:
    client, plan = str(uuid.uuid4()), str(uuid.uuid4())
    events.append(envelope("intake.client.registered.v1", start, {
        "client_id": client, "municipality": code, "target_groups": ["elderly_65"], "language": "bg",
        "sex": rng.choice(["female", "male"]), "birth_year": rng.randint(1930, 1960)}))
    events.append(envelope("intake.agreement.signed.v1", start, {
        "agreement_id": str(uuid.uuid4()), "client_id": client, "municipality": code, "programme": "bench_programme",
        "signed_on": f"{YEAR - 1}-12-01", "starts_on": f"{YEAR}-01-01", "ends_on": None}))
    events.append(envelope("intake.careplan.activated.v1", start, {
        "careplan_id": plan, "client_id": client, "municipality": code, "programme": "bench_programme",
        "settlement_id": None, "location": None, "language": "bg", "starts_on": f"{YEAR}-01-01", "ends_on": None,
        "active_since": f"{YEAR}-01-01", "lines": []}))
    return client, plan, worker


def visits(served: dict[str, list[tuple]], count: int, rng: random.Random) -> list[dict]:
    """``count`` events: half visits planned a week ahead, half how each ended."""
    events = []
    places = list(served)
    for number in range(count // 2):
        code = places[number % len(places)]
        client, plan, worker = rng.choice(served[code])
        starts = datetime(YEAR, 1, 1, 7, tzinfo=UTC) + timedelta(days=rng.randrange(365),
                                                                  minutes=30 * rng.randrange(20))
        visit = str(uuid.uuid4())
        ids = {"visit_id": visit, "client_id": client, "municipality": code, "careplan_id": plan}
        events.append(envelope("scheduling.visits.planned.v1", starts - timedelta(days=7), {
            "client_id": client, "municipality": code, "careplan_id": plan, "visits": [{
                "visit_id": visit, "service_type": "home_help", "staff_id": worker, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat()}]}))
        events.append(_ended(ids, worker, starts, rng.random()))
    return events


def _ended(ids: dict, worker: str, starts: datetime, roll: float) -> dict:
    if roll < 0.85:
        return envelope("scheduling.visit.completed.v1", starts + timedelta(hours=1), {
            **ids, "service_type": "home_help", "staff_id": worker, "started_at": starts.isoformat(),
            "ended_at": (starts + timedelta(minutes=55)).isoformat()})
    if roll < 0.95:
        return envelope("scheduling.visit.missed.v1", starts + timedelta(hours=1), {
            **ids, "service_type": "home_help", "staff_id": worker, "starts_at": starts.isoformat(),
            "reason": "client_absent"})
    return envelope("scheduling.visits.cancelled.v1", starts - timedelta(days=1), {
        "client_id": ids["client_id"], "municipality": ids["municipality"], "careplan_id": ids["careplan_id"],
        "visit_ids": [ids["visit_id"]], "reason": "client_request"})


# -- the stack ---------------------------------------------------------------------------------------


class Stack:
    """Four databases and a vhost of the benchmark's own, dropped by ``close``."""

    def __init__(self) -> None:
        self.tag = f"ccbench_{testing.run_id()}"
        self.vhost = self.tag.replace("_", "-")
        amqp = testing.create_vhost(self.vhost)
        self.databases = {service: testing.create_database(f"{self.tag}_{service}") for service in SERVICES}
        self.settings = Settings(environment="test", jwt_secret="b" * 32, namespace=self.tag.replace("_", "-"),
                                 database_url=testing.database_url(f"{self.tag}_{{service}}"),
                                 broker_url=amqp, log_level="WARNING")
        self.runtimes = {service: Runtime(service_spec(service), self.settings, broker_factory(self.settings))
                         for service in SERVICES}
        for service, runtime in self.runtimes.items():
            upgrade(str(service_spec(service).migrations), runtime.database, service_spec(service).metadata)

    def close(self) -> None:
        for runtime in self.runtimes.values():
            runtime.database.dispose()
        for service in SERVICES:
            testing.drop_database(f"{self.tag}_{service}")
        testing.delete_vhost(self.vhost)


def write_feeds(stack: Stack, events: list[dict]) -> None:
    """Each event into its producer's outbox, published: what its replay feed serves."""
    now = datetime.now(UTC)
    for service in ("intake", "scheduling", "notifications"):
        rows = [{"event_id": e["id"], "type": e["type"], "body": json.dumps(e), "created_at": now,
                 "published_at": now} for e in events if e["source"] == service]
        with stack.runtimes[service].database.transaction() as session:
            for start in range(0, len(rows), 10_000):
                session.execute(insert(outbox), rows[start:start + 10_000])


def publish(stack: Stack, events: list[dict]) -> None:
    broker = RabbitBroker(stack.settings.broker_url, stack.settings.namespace)
    for start in range(0, len(events), PUBLISH_BATCH):
        batch = events[start:start + PUBLISH_BATCH]
        refused = broker.publish([Message(e["id"], e["type"], json.dumps(e).encode()) for e in batch])
        if refused:
            raise RuntimeError(f"{len(refused)} events unroutable: is reporting's queue declared?")
    broker.close()


def consume(settings: Settings, stop) -> None:
    """The child process: `carecircle consume reporting`'s loop, until told to stop."""
    runtime = Runtime(service_spec("reporting"), settings, broker_factory(settings))
    event = threading.Event()
    threading.Thread(target=lambda: (stop.wait(), event.set()), daemon=True).start()
    runtime.consumer().run(event)


def applied(stack: Stack) -> int:
    with stack.runtimes["reporting"].database.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(inbox)) or 0


def ingest(stack: Stack, events: list[dict], timeout: float) -> float:
    runtime = stack.runtimes["reporting"]
    runtime.consumer().declare()  # the queue and its bindings, before anything is published
    print(f"  publishing {len(events):,} events to RabbitMQ first...", flush=True)
    publish(stack, events)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    process = context.Process(target=consume, args=(stack.settings, stop))
    started = time.perf_counter()
    process.start()
    try:
        while applied(stack) < len(events) and time.perf_counter() - started < timeout:
            time.sleep(0.5)
        return time.perf_counter() - started
    finally:
        stop.set()
        process.join(60)


# -- reports -------------------------------------------------------------------------------------------


def vacuum(stack: Stack) -> None:
    """What autovacuum does soon after a load: each visit's row was written three times."""
    with stack.runtimes["reporting"].database.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def make_report(stack: Stack, places: list[str]) -> tuple[float, float]:
    """Every section of a yearly report of ``places``, as the worker makes them; and its PDF. Seconds each."""
    report = Report(report_id=uuid.uuid4(), municipality=places[0] if len(places) == 1 else None, network=NETWORK,
                    programme=None, first_day=date(YEAR, 1, 1), last_day=date(YEAR, 12, 31), language="bg",
                    age_bands=[18, 54, 65, 80])
    started = time.perf_counter()
    with stack.runtimes["reporting"].database.unit_of_work(write=False) as session:
        sections = {section.code: content.made(report, section, places=places, bands=AgeBands(report.age_bands),
                                               session=session) for section in sections_of(places)}
    made = time.perf_counter() - started
    started = time.perf_counter()
    pdf.as_pdf(document(Made("bg", "Europe/Sofia", [("network", NETWORK)], report.first_day, report.last_day,
                             datetime.now(UTC), None, sections), protect=None, threshold=5, programme=False))
    return made, time.perf_counter() - started


def median_of(runs: int, measure) -> tuple[float, float]:
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


# -- rebuild ---------------------------------------------------------------------------------------------


def figures(stack: Stack) -> list:
    with stack.runtimes["reporting"].database.unit_of_work(write=False) as session:
        query = SliceQuery.model_validate({"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "by": "municipality"})
        return [figure.model_dump() for figure in indicators(COORDINATOR, query, settings=stack.settings,
                                                             session=session).indicators]


def rebuild(stack: Stack) -> float:
    runtime = stack.runtimes["reporting"]
    with ExitStack() as served:
        urls = {service: served.enter_context(testing.served(mount_services({
            service: stack.runtimes[service].app()}))) + f"/{service}/v1" for service in SERVICES[:3]}
        settings = stack.settings.model_copy(update={f"{service}_url": url for service, url in urls.items()})
        started = time.perf_counter()
        with runtime.database.transaction() as session:
            forget_everything(session=session)
        consumer = runtime.consumer()
        for producer in urls:
            catch_up(consumer, FeedReader(settings, producer, reader="reporting"))
        return time.perf_counter() - started


# -- the run ---------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    codes = [f"BN-{number:03d}" for number in range(args.municipalities)]
    people, served = catalogue(codes, rng)
    events = people + visits(served, args.events, rng)
    print(f"reporting: {len(events):,} events ({args.events:,} of visits) of {args.municipalities} municipalities, "
          f"on PostgreSQL and RabbitMQ", flush=True)
    stack = Stack()
    try:
        write_feeds(stack, events)
        seconds = ingest(stack, events, args.timeout)
        done = applied(stack)
        rate = done / seconds
        print(f"  ingest: {done:,} of {len(events):,} events applied in {seconds:.1f} s: {rate:,.0f} events/s "
              f"(target {TARGET_EVENTS_PER_SECOND:,}/s: {'met' if rate >= TARGET_EVENTS_PER_SECOND else 'NOT met'})",
              flush=True)
        vacuum(stack)
        one, one_pdf = median_of(3, lambda: make_report(stack, codes[:1]))
        met = "met" if one < TARGET_REPORT_SECONDS else "NOT met"
        print(f"  yearly report of one municipality: {one * 1000:.0f} ms its sections, {one_pdf * 1000:.0f} ms its "
              f"PDF (target {TARGET_REPORT_SECONDS * 1000:.0f} ms: {met})", flush=True)
        network, network_pdf = median_of(3, lambda: make_report(stack, codes))
        print(f"  yearly report of the network ({len(codes)} municipalities): {network * 1000:.0f} ms its sections, "
              f"{network_pdf * 1000:.0f} ms its PDF", flush=True)
        if not args.skip_rebuild:
            before = figures(stack)
            seconds = rebuild(stack)
            same = figures(stack) == before
            print(f"  rebuild from the replay feeds: {seconds:.1f} s ({len(events) / seconds:,.0f} events/s); "
                  f"the year's figures {'the same' if same else 'DIFFERENT'}", flush=True)
    finally:
        stack.close()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=1_000_000, help="visit events [1000000]")
    p.add_argument("--municipalities", type=int, default=50, help="municipalities [50]")
    p.add_argument("--timeout", type=float, default=3600, help="seconds the ingest may take [3600]")
    p.add_argument("--skip-rebuild", action="store_true", help="no rebuild from the feeds")
    args = p.parse_args(argv)
    missing = testing.missing_servers()
    if missing:
        print(f"needs {', '.join(missing)}", file=sys.stderr)
        return 1
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
