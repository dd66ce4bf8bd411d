#!/usr/bin/env python
"""Benchmark of notifications' sending: messages through the real Celery worker (Redis) to a
local stand-in SMS provider, and a worker killed with SIGKILL in the middle of a run.

On a fresh PostgreSQL database of its own (dropped at the end) it queues --messages SMS
(20,000) to clients of one municipality, due now, with no quiet hours. A stand-in in this
process answers what sending asks: intake's contact lookup for a send task's clients
(``POST /intake/v1/clients/contacts``, as notifications asks it with its own token) and the
provider's Messages API (``POST /2010-04-01/Accounts/{account}/Messages.json``), where it
counts each message id it accepted. Workers are ``carecircle worker notifications``
processes; the script plays beat, sending ``notifications.send_due_messages`` every ten
seconds as beat does (up to 20,000 messages a sweep, in send tasks of fifty).

  run 1   all messages, timed from the first sweep to the last message the provider
          accepted: messages/s (target: at least 500/s on this machine)
  run 2   --kill-messages more (5,000); once a quarter have gone out, every process of
          the worker (its main process and its pool) is killed with SIGKILL, and a new
          worker is started. Tasks the dead worker held are made again by a later sweep
          once their hand-out lease ends (--lease, 60 s here; two minutes by default). It prints lost (never accepted by
          the provider) and duplicated (accepted twice) messages: both must be 0. A
          request the provider saw again for a message it had accepted (the worker died
          between the provider's answer and its commit) is answered from the provider's
          idempotency key, and counted apart.

Usage (from the repository root; PostgreSQL and Redis as in the README):

    .venv/bin/python bench/notifications.py
    .venv/bin/python bench/notifications.py --messages 2000 --kill-messages 1000 --concurrency 8

Exit status: 0 when it ran (targets met or not), 1 when it could not run.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from services.notifications.catalogue.service import keep_municipality
from services.notifications.models import Message, MunicipalityTiming
from services.registry import service_spec
from shared import testing
from shared.db import Database
from shared.events.intake import MunicipalityRegistered
from shared.migrations import upgrade
from shared.settings import Settings
from shared.standins import SmsStandIn, sms_stand_in
from shared.worker import make_celery

TARGET_PER_SECOND = 500
SWEEP_EVERY = 10.0  # as beat sends it
ACCOUNT = "bench"


def queue_messages(database: Database, count: int, label: str) -> set[str]:
    """``count`` SMS due now, as the rules queue them (bulk: the benchmark times the sending)."""
    now = datetime.now(UTC)
    rows = [{"id": uuid.uuid4(), "key": f"bench:{label}:{i}", "kind": "visit_reminder", "channel": "sms",
             "recipient": f"client:{uuid.uuid4()}", "municipality_code": "BG-RAK", "language": "bg",
             "params": {"starts_at": (now + timedelta(hours=20)).isoformat(), "service": "home_help"},
             "status": "queued", "attempts": 0, "next_attempt_at": now, "expires_at": now + timedelta(hours=6),
             "created_at": now} for i in range(count)]
    with database.transaction() as session:
        for start in range(0, count, 5000):
            session.execute(insert(Message), rows[start:start + 5000])
    return {str(row["id"]) for row in rows}


def prepare(database: Database) -> None:
    spec = service_spec("notifications")
    upgrade(str(spec.migrations), database, spec.metadata)
    now = datetime.now(UTC)
    with database.transaction() as session:
        keep_municipality(MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg",
                                                 timezone="Europe/Sofia"), as_of=now, session=session)
        midnight = datetime.min.time()  # quiet from and until midnight: none, whatever the hour
        session.add(MunicipalityTiming(code="BG-RAK", reminder_lead_hours=24, quiet_from=midnight,
                                       quiet_until=midnight, day_plan_at=midnight, updated_at=now, updated_by="bench"))


class Workers:
    """``carecircle worker notifications`` processes, each in a process group of its own."""

    def __init__(self, env: dict[str, str], concurrency: int, log: Path) -> None:
        self.env, self.concurrency, self.log = env, concurrency, log
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        with self.log.open("a") as out:
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "services.cli", "worker", "notifications", "--concurrency",
                 str(self.concurrency)], env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        started = len(self.processes)
        testing.until(lambda: self.log.read_text(errors="replace").count(" ready.") >= started, timeout=60)

    def kill(self) -> None:
        """SIGKILL to every process of the newest worker: its main process and its pool."""
        process = self.processes[-1]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)


def send_all(celery, stand_in: SmsStandIn, ids: set[str], *, timeout: float, on_progress=None) -> float:
    """Plays beat, a sweep every SWEEP_EVERY seconds (the hand-out lease keeps a message from
    being handed out twice), until the provider accepted every one of ``ids``; the seconds it took."""
    started = last_sweep = time.perf_counter()
    celery.send_task("notifications.send_due_messages")
    while stand_in.count(ids) < len(ids) and time.perf_counter() - started < timeout:
        if time.perf_counter() - last_sweep >= SWEEP_EVERY:
            celery.send_task("notifications.send_due_messages")  # as beat does: no waiting for it
            last_sweep = time.perf_counter()
        if on_progress is not None:
            on_progress(stand_in.count(ids))
        time.sleep(0.05)
    return time.perf_counter() - started


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    with sms_stand_in() as stand_in:
        _run(args, url, tmp, stand_in)


def _run(args: argparse.Namespace, url: str, tmp: Path, stand_in: SmsStandIn) -> None:
    database = Database(url)
    namespace = f"bench{testing.run_id()}"
    env = {**os.environ, "CARECIRCLE_DATABASE_URL": url, "CARECIRCLE_REDIS_URL": args.redis,
           "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace,
           "CARECIRCLE_SMS_URL": stand_in.url, "CARECIRCLE_SMS_ACCOUNT": ACCOUNT,
           "CARECIRCLE_INTAKE_URL": f"{stand_in.url}/intake/v1", "CARECIRCLE_LOG_LEVEL": "WARNING",
           "CARECIRCLE_SEND_LEASE_SECONDS": str(args.lease)}
    workers = Workers(env, args.concurrency, tmp / "worker.log")
    try:
        prepare(database)
        celery = make_celery("notifications", Settings(redis_url=args.redis, celery_eager=False, namespace=namespace),
                             database)
        workers.start()
        print(f"notifications: {args.messages:,} SMS through a Celery worker (--concurrency {args.concurrency}) "
              f"to a local stand-in provider, on PostgreSQL and Redis", flush=True)
        ids = queue_messages(database, args.messages, "run1")
        seconds = send_all(celery, stand_in, ids, timeout=args.timeout)
        sent = stand_in.count(ids)
        rate = sent / seconds
        print(f"  run 1: {sent:,} of {args.messages:,} accepted in {seconds:.1f} s: {rate:,.0f} messages/s "
              f"(target {TARGET_PER_SECOND}/s: {'met' if rate >= TARGET_PER_SECOND else 'NOT met'})", flush=True)

        ids = queue_messages(database, args.kill_messages, "run2")
        killed = threading.Event()

        def kill_once(progress: int) -> None:
            if not killed.is_set() and progress >= len(ids) // 4:
                killed.set()
                workers.kill()
                print(f"  run 2: worker killed (SIGKILL, main process and pool) after {progress:,} of "
                      f"{len(ids):,}; a new one started", flush=True)
                workers.start()
        seconds = send_all(celery, stand_in, ids, timeout=args.timeout + args.lease, on_progress=kill_once)
        with stand_in.lock:
            lost = sum(1 for key in ids if key not in stand_in.accepted)
            duplicated = sum(1 for key in ids if stand_in.accepted.get(key, 0) > 1)
        print(f"  run 2: {len(ids) - lost:,} of {len(ids):,} accepted in {seconds:.1f} s; lost {lost}, "
              f"duplicated {duplicated} (requests answered from the idempotency key: {stand_in.repeated})",
              flush=True)
        print(f"target: lost and duplicated 0: {'met' if lost == duplicated == 0 else 'NOT met'}")
    finally:
        workers.stop()
        database.dispose()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=20_000, help="messages of the timed run [20000]")
    p.add_argument("--kill-messages", type=int, default=5_000, help="messages of the run with a kill [5000]")
    p.add_argument("--concurrency", type=int, default=4, help="the worker's pool processes [4]")
    p.add_argument("--timeout", type=float, default=300, help="seconds a run may take [300]")
    p.add_argument("--lease", type=int, default=60,
                   help="seconds a message handed to a send task waits before a sweep hands it out again [30]")
    p.add_argument("--redis", default=testing.REDIS_URL, help=f"Redis for Celery [{testing.REDIS_URL}]")
    args = p.parse_args(argv)
    name = f"ccbench_{testing.run_id()}_notifications"
    testing.create_database(name)
    try:
        with tempfile.TemporaryDirectory(prefix="ccbench-notifications-") as tmp:
            run(args, testing.database_url(name), Path(tmp))
    except Exception as exc:  # noqa: BLE001 - the benchmark could not run: say why and exit 1
        print(f"error: could not run the benchmark: {exc!r}", file=sys.stderr)
        return 1
    finally:
        testing.drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
