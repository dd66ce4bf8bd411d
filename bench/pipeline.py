#!/usr/bin/env python
"""Benchmark of the event pipeline: outbox -> relay -> RabbitMQ -> consumer -> effect.

Everything is real and the project's own code: two fresh PostgreSQL databases
(producer with the outbox, consumer with the inbox and an effect table), a
RabbitMQ vhost of its own, ``shared.messaging.relay.Relay`` and
``shared.messaging.consumer.Consumer`` on ``RabbitBroker``, each in its own OS
process (multiprocessing, spawn), as in production.

(a) drain:   N events are written to the outbox first; then relay and consumer
             are told to go, and the time until the last effect is committed
             gives events/s.
(b) latency: events are written at RATE per second for SECONDS seconds, one
             transaction each (an autocommit INSERT into the outbox with the
             real envelope JSON, or ``--writer record_event``); the latency of
             an event is the commit time of the consumer transaction that wrote
             its effect row minus the outbox row's ``created_at``. One second
             of warm-up traffic before it is not counted.

The commit time is taken in the consumer process by a SQLAlchemy
``after_commit`` session listener (the handler tags its effect rows with a
per-transaction batch id); no extra query is made in the measured path.
All processes share one clock (one machine). Each phase also prints the CPU
used by relay, consumer, PostgreSQL, RabbitMQ and other processes: figures
taken while other work loads the machine are flagged as disturbed.

Usage (from the repository root):

    .venv/bin/python bench/pipeline.py                 # both phases, default sizes
    .venv/bin/python bench/pipeline.py --skip-latency --events 5000
    .venv/bin/python bench/pipeline.py --prefetch 0     # consumer without a prefetch limit
    .venv/bin/python bench/pipeline.py --profile /tmp/prof   # cProfile of relay and consumer
    .venv/bin/python bench/pipeline.py --py-spy /tmp/spy     # py-spy (if on PATH) of both

Exit status: 0 when it ran (targets met or not), 1 when it could not run or
events were lost, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import cProfile
import itertools
import logging
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import uuid
from datetime import UTC, datetime
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pika
import psycopg
from sqlalchemy import String, create_engine, event, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import Database
from shared.events import Envelope
from shared.events.intake import ClientRegistered
from shared.messaging import topology
from shared.messaging.consumer import Consumer, RetryPolicy
from shared.messaging.handlers import HandlerRegistry
from shared.messaging.outbox import record_event
from shared.messaging.rabbit import RabbitBroker
from shared.messaging.relay import Relay
from shared.messaging.tables import outbox
from shared.models import service_base

TARGET_DRAIN = 1500.0  # events/s
TARGET_P99_MS = 150.0
CONSUMER_NAME = "bench"
SERVICE = "benchproducer"
MUNICIPALITY = "BENCH-01"
RETRY_DELAYS = [1.0, 5.0, 30.0, 120.0]  # the settings' defaults

log = logging.getLogger("bench.pipeline")

# -- the two databases' models ------------------------------------------------
ProducerBase = service_base()  # outbox (and an unused inbox), as in every service
ConsumerBase = service_base()  # inbox (and an unused outbox) plus the effect


class Effect(ConsumerBase):
    """One row per event, written by the handler in the consumer's transaction."""

    __tablename__ = "bench_effect"
    # Read once by SQLAlchemy, never mutated: no RETURNING of the server default.
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[uuid.UUID]
    municipality: Mapped[str] = mapped_column(String(32))
    event_time: Mapped[datetime]
    batch: Mapped[str] = mapped_column(String(40))  # the consumer transaction that wrote it
    # When the handler's INSERT ran (before the commit): a cross-check, not the measure.
    applied_at: Mapped[datetime] = mapped_column(server_default=text("clock_timestamp()"))


# -- the consumer's handler ---------------------------------------------------
registry = HandlerRegistry()
_batch_numbers = itertools.count(1)
HANDLER_STYLE = {"style": "add"}  # set in the consumer process from the options


@registry.on(ClientRegistered)
def on_client_registered(event_: ClientRegistered, envelope: Envelope, *, session: Session) -> None:
    info = session.info
    batch = info.get("bench_batch")
    if batch is None:
        batch = info["bench_batch"] = f"{os.getpid()}-{next(_batch_numbers)}"
        info["bench_n"] = 0
    info["bench_n"] += 1
    row = Effect(event_id=envelope.id, client_id=event_.client_id, municipality=event_.municipality,
                 event_time=envelope.time, batch=batch)
    if HANDLER_STYLE["style"] == "merge":  # like services/reporting: one SELECT per event
        session.merge(row)
    else:
        session.add(row)


def _install_commit_probe(commits: dict[str, float], counter) -> None:
    """Record when each consumer transaction that wrote effects has committed."""

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        batch = session.info.pop("bench_batch", None)
        if batch is not None:
            commits[batch] = time.time()
            n = session.info.pop("bench_n", 0)
            with counter.get_lock():
                counter.value += n

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop("bench_batch", None)
        session.info.pop("bench_n", None)


# -- child processes ----------------------------------------------------------
def _timed(obj, name: str) -> list[float]:
    """Wrap ``obj.name`` to record how long each call takes (ms)."""
    durations: list[float] = []
    original = getattr(obj, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    setattr(obj, name, timed)
    return durations


def _child_setup() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pika").setLevel(logging.CRITICAL)  # a failure is reported to the parent once
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us through ``stop``


def _profiled(cfg: dict, role: str):
    if not cfg.get("profile_dir"):
        return None
    return cProfile.Profile()


def _dump_profile(profiler, cfg: dict, role: str) -> None:
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.path.join(cfg["profile_dir"], f"{cfg['phase']}-{role}.prof"))


def relay_main(cfg: dict, ready, go, stop, results) -> None:
    _child_setup()
    try:
        database = Database(cfg["producer_url"])
        broker = RabbitBroker(cfg["amqp_url"], cfg["namespace"])
        relay = Relay(service=SERVICE, database=database, broker=broker, batch_size=cfg["relay_batch"],
                      poll_interval=cfg["poll_interval"], retry_delays=RETRY_DELAYS)
        database.ping()
        broker.ping()  # connects
        stats = {"calls": 0, "batches": 0, "rows": 0, "last_publish": None, "cpu": 0.0}
        publish_batch = relay.publish_batch

        def counted() -> int:
            taken = publish_batch()
            stats["calls"] += 1
            if taken:
                stats["batches"] += 1
                stats["rows"] += taken
                stats["last_publish"] = time.time()
            return taken

        relay.publish_batch = counted  # type: ignore[method-assign]
        stats["publish_ms"] = _timed(broker, "publish")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        results.put(("relay", {"error": repr(exc)}))
        sys.exit(1)
    ready.set()
    go.wait()
    profiler = _profiled(cfg, "relay")
    cpu0 = time.process_time()
    if profiler:
        profiler.enable()
    relay.run(stop)
    _dump_profile(profiler, cfg, "relay")
    stats["cpu"] = time.process_time() - cpu0
    results.put(("relay", stats))


def consumer_main(cfg: dict, ready, go, stop, results, counter) -> None:
    _child_setup()
    try:
        HANDLER_STYLE["style"] = cfg["handler"]
        commits: dict[str, float] = {}
        _install_commit_probe(commits, counter)
        database = Database(cfg["consumer_url"])
        broker = RabbitBroker(cfg["amqp_url"], cfg["namespace"], prefetch=cfg["prefetch"])
        consumer = Consumer(name=CONSUMER_NAME, database=database, broker=broker, handlers=registry,
                            policy=RetryPolicy(5, tuple(RETRY_DELAYS)), batch_size=cfg["consumer_batch"],
                            batch_wait=cfg["batch_wait"])
        database.ping()
        consumer.declare()  # before the relay publishes: mandatory publishing needs the binding
        stats = {"calls": 0, "batches": 0, "deliveries": 0, "cpu": 0.0}
        process_batch = consumer.process_batch

        def counted() -> int:
            n = process_batch()
            stats["calls"] += 1
            if n:
                stats["batches"] += 1
                stats["deliveries"] += n
            return n

        consumer.process_batch = counted  # type: ignore[method-assign]
        stats["apply_ms"] = _timed(consumer, "_apply")
        stats["ack_ms"] = _timed(broker, "ack")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        results.put(("consumer", {"error": repr(exc)}))
        sys.exit(1)
    ready.set()
    go.wait()
    profiler = _profiled(cfg, "consumer")
    cpu0 = time.process_time()
    if profiler:
        profiler.enable()
    consumer.run(stop)
    _dump_profile(profiler, cfg, "consumer")
    stats["cpu"] = time.process_time() - cpu0
    stats["commits"] = commits
    results.put(("consumer", stats))


# -- resources ----------------------------------------------------------------
class Resources:
    """Two databases and a vhost of our own; ``close`` drops them."""

    def __init__(self, args) -> None:
        self.args = args
        self.tag = f"ccbench_{uuid.uuid4().hex[:8]}"
        self.producer_db = f"{self.tag}_producer"
        self.consumer_db = f"{self.tag}_consumer"
        self.vhost: str | None = None
        self.namespace = self.tag.replace("_", "-")
        self._dbs: list[str] = []

    def admin(self):
        return psycopg.connect(f"{self.args.pg}/postgres", autocommit=True)

    def db_url(self, name: str) -> str:
        return f"{self.args.pg.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"

    @property
    def amqp_url(self) -> str:
        vhost = urllib.parse.quote(self.vhost or "/", safe="")
        return f"amqp://{self.args.amqp_user}:{self.args.amqp_password}@{self.args.amqp_host}/{vhost}"

    def open(self) -> None:
        with self.admin() as conn:
            for name in (self.producer_db, self.consumer_db):
                conn.execute(f'CREATE DATABASE "{name}"')
                self._dbs.append(name)
        for name, base in ((self.producer_db, ProducerBase), (self.consumer_db, ConsumerBase)):
            engine = create_engine(self.db_url(name))
            base.metadata.create_all(engine)
            engine.dispose()
        self._open_vhost()

    def _open_vhost(self) -> None:
        ctl = shutil.which("rabbitmqctl")
        if ctl and not self.args.no_vhost:
            name = self.tag
            try:
                subprocess.run([ctl, "add_vhost", name], check=True, capture_output=True, timeout=60)
                self.vhost = name
                subprocess.run([ctl, "set_permissions", "-p", name, self.args.amqp_user, ".*", ".*", ".*"],
                               check=True, capture_output=True, timeout=60)
                return
            except (subprocess.SubprocessError, OSError) as exc:
                print(f"note: no vhost of our own ({exc}); using '/' with namespace {self.namespace}")
                if self.vhost:
                    self._delete_vhost()
        else:
            print(f"note: rabbitmqctl not used; using vhost '/' with namespace {self.namespace}")

    def _delete_vhost(self) -> None:
        name, self.vhost = self.vhost, None
        subprocess.run([shutil.which("rabbitmqctl") or "rabbitmqctl", "delete_vhost", name],
                       check=False, capture_output=True, timeout=120)

    def reset(self) -> None:
        """Empty the tables between phases (the queue is empty: every event was acknowledged)."""
        with psycopg.connect(f"{self.args.pg}/{self.producer_db}", autocommit=True) as conn:
            conn.execute("TRUNCATE outbox, inbox RESTART IDENTITY")
        with psycopg.connect(f"{self.args.pg}/{self.consumer_db}", autocommit=True) as conn:
            conn.execute("TRUNCATE outbox, inbox, bench_effect RESTART IDENTITY")
            conn.execute("VACUUM ANALYZE")
        with psycopg.connect(f"{self.args.pg}/{self.producer_db}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

    def close(self) -> None:
        if self.vhost:
            self._delete_vhost()
        else:
            self._delete_queues()
        if self._dbs:
            with self.admin() as conn:
                for name in self._dbs:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._dbs.clear()

    def _delete_queues(self) -> None:
        try:
            conn = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
            ch = conn.channel()
            names = [topology.queue(self.namespace, CONSUMER_NAME),
                     topology.dead_letter_queue(self.namespace, CONSUMER_NAME)]
            names += [topology.retry_queue(self.namespace, CONSUMER_NAME, d) for d in RETRY_DELAYS]
            for name in names:
                ch.queue_delete(name)
            ch.exchange_delete(topology.exchange(self.namespace))
            conn.close()
        except Exception as exc:  # noqa: BLE001 - best effort
            print(f"warning: could not delete queues of namespace {self.namespace}: {exc!r}")


# -- CPU accounting -------------------------------------------------------------
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid(names=("postgres", "beam.smp")) -> dict[int, tuple[str, float]]:
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1:raw.rindex(")")]
        if comm in names:
            fields = raw[raw.rindex(")") + 2:].split()
            found[int(pid)] = (comm, (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def _cpu_delta(before: dict, after: dict, names=("postgres", "beam.smp")) -> dict[str, float]:
    """CPU per program name between two snapshots (a process gone by the end is not counted)."""
    totals = dict.fromkeys(names, 0.0)
    for pid, (comm, cpu) in after.items():
        start = before.get(pid)
        totals[comm] += cpu - (start[1] if start and start[0] == comm else 0.0)
    return totals


def _machine_busy() -> tuple[float, float]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) / _TICK, idle / _TICK


class CpuMeter:
    """CPU used during a phase by our processes, PostgreSQL, RabbitMQ and everything else."""

    def __enter__(self):
        self.names0, self.machine0 = _cpu_by_pid(), _machine_busy()
        self.t0, self.own0 = time.monotonic(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.names1, self.machine1 = _cpu_by_pid(), _machine_busy()
        self.t1, self.own1 = time.monotonic(), time.process_time()

    def report(self, children: dict[str, float]) -> str:
        wall = self.t1 - self.t0
        total = self.machine1[0] - self.machine0[0]
        idle = self.machine1[1] - self.machine0[1]
        used = dict(children, bench=self.own1 - self.own0)
        used.update(_cpu_delta(self.names0, self.names1))
        cores = os.cpu_count() or 1
        busy = (1 - idle / total) * cores * wall if total else 0.0
        used["other processes"] = max(busy - sum(used.values()), 0.0)
        parts = ", ".join(f"{role} {cpu / wall:.0%}" for role, cpu in used.items())
        line = f"CPU (100% = one core): {parts}; machine {busy / wall / cores:.0%} busy of {cores} cores"
        if used["other processes"] / wall > 0.25:
            line += "\nwarning: other processes used the CPU during this phase; figures are disturbed"
        return line


# -- running a phase ------------------------------------------------------------
class Pipeline:
    """Relay and consumer processes for one phase."""

    def __init__(self, res: Resources, args, phase: str) -> None:
        self.ctx = mp.get_context("spawn")
        self.cfg = {
            "phase": phase, "producer_url": res.db_url(res.producer_db), "consumer_url": res.db_url(res.consumer_db),
            "amqp_url": res.amqp_url, "namespace": res.namespace, "relay_batch": args.relay_batch,
            "poll_interval": args.poll_interval, "consumer_batch": args.consumer_batch,
            "batch_wait": args.batch_wait, "prefetch": args.prefetch, "handler": args.handler,
            "profile_dir": args.profile,
        }
        self.args = args
        self.go, self.stop = self.ctx.Event(), self.ctx.Event()
        self.results = self.ctx.Queue()
        self.counter = self.ctx.Value("q", 0)
        self.ready = {"relay": self.ctx.Event(), "consumer": self.ctx.Event()}
        self.procs = {
            "relay": self.ctx.Process(target=relay_main, name="relay", daemon=True,
                                      args=(self.cfg, self.ready["relay"], self.go, self.stop, self.results)),
            "consumer": self.ctx.Process(target=consumer_main, name="consumer", daemon=True,
                                         args=(self.cfg, self.ready["consumer"], self.go, self.stop,
                                               self.results, self.counter)),
        }
        self.stats: dict[str, dict] = {}
        self._spies: list[subprocess.Popen] = []

    def start(self, timeout: float = 60.0) -> None:
        for proc in self.procs.values():
            proc.start()
        deadline = time.monotonic() + timeout
        for role, ready in self.ready.items():
            while not ready.wait(0.2):
                if not self.procs[role].is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"{role} process did not get ready: {self._error(role)}")
        self._start_spies()

    def _error(self, role: str) -> str:
        try:
            while True:
                got_role, stats = self.results.get(timeout=1)
                self.stats[got_role] = stats
        except Exception:  # noqa: BLE001 - queue empty
            pass
        return self.stats.get(role, {}).get("error", f"exit code {self.procs[role].exitcode}")

    def _start_spies(self) -> None:
        if not self.args.py_spy:
            return
        spy = shutil.which("py-spy")
        if not spy:
            print("note: py-spy not on PATH; --py-spy ignored")
            return
        for role, proc in self.procs.items():
            out = os.path.join(self.args.py_spy, f"{self.cfg['phase']}-{role}.txt")
            self._spies.append(subprocess.Popen(
                [spy, "record", "--pid", str(proc.pid), "--rate", "250", "--nonblocking", "--format", "raw",
                 "--output", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)  # let py-spy attach before the clock starts

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.counter.value < count:
            if time.monotonic() > deadline:
                return False
            for role, proc in self.procs.items():
                if not proc.is_alive():
                    raise RuntimeError(f"{role} process died: exit code {proc.exitcode}")
            time.sleep(0.005)
        return True

    def finish(self) -> dict[str, dict]:
        self.stop.set()
        deadline = time.monotonic() + 30
        while len(self.stats) < 2 and time.monotonic() < deadline:
            try:
                role, stats = self.results.get(timeout=1)
                self.stats[role] = stats
            except Exception:  # noqa: BLE001 - queue empty: is anyone left?
                if not any(p.is_alive() for p in self.procs.values()):
                    break
        self.kill()
        return self.stats

    def kill(self) -> None:
        self.stop.set()
        for proc in self.procs.values():
            if proc.pid is None:
                continue
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        for spy in self._spies:
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.terminate()
        self._spies.clear()


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def _client_event() -> ClientRegistered:
    return ClientRegistered(client_id=uuid.uuid4(), municipality=MUNICIPALITY)


def _batch_line(stats: dict[str, dict]) -> str:
    relay, consumer = stats.get("relay", {}), stats.get("consumer", {})
    rb = relay.get("rows", 0) / max(relay.get("batches", 0), 1)
    cb = consumer.get("deliveries", 0) / max(consumer.get("batches", 0), 1)

    def spread(values: list[float]) -> str:
        values = sorted(values)
        return f"p50 {_percentile(values, .5):.1f} / p99 {_percentile(values, .99):.1f} ms" if values else "-"

    return (f"relay: {relay.get('batches', 0)} batches (avg {rb:.0f} events), "
            f"broker.publish {spread(relay.get('publish_ms', []))}\n"
            f"consumer: {consumer.get('batches', 0)} batches (avg {cb:.0f} events), "
            f"apply+commit {spread(consumer.get('apply_ms', []))}, ack {spread(consumer.get('ack_ms', []))}")


def run_drain(res: Resources, args) -> float:
    n = args.events
    print(f"\n== drain: {n} events written to the outbox first, then relay and consumer start")
    rows, now = [], datetime.now(UTC)
    for _ in range(n):
        env = Envelope.wrap(_client_event(), subject=None, municipality=MUNICIPALITY)
        rows.append({"event_id": env.id, "type": env.type, "body": env.to_json().decode(), "created_at": now})
    engine = create_engine(res.db_url(res.producer_db))
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(outbox), rows)
    engine.dispose()
    with psycopg.connect(f"{args.pg}/{res.producer_db}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE outbox")
    print(f"outbox filled in {time.perf_counter() - t:.1f} s")

    pipe = Pipeline(res, args, "drain")
    try:
        pipe.start()
        with CpuMeter() as cpu:
            started = time.time()
            pipe.go.set()
            done = pipe.wait_for(n, args.timeout)
        stats = pipe.finish()
    finally:
        pipe.kill()
    if "consumer" not in stats or "commits" not in stats["consumer"]:
        raise RuntimeError(f"consumer sent no results: {stats}")
    commits = stats["consumer"]["commits"]
    effects = _count_effects(res)
    if not done or effects != n:
        raise RuntimeError(f"drain incomplete: {effects} of {n} effects after {args.timeout:.0f} s")
    elapsed = max(commits.values()) - started
    relay_done = (stats["relay"].get("last_publish") or started) - started
    rate = n / elapsed
    print(f"relay published everything after {relay_done:.2f} s "
          f"({n / relay_done if relay_done > 0 else float('nan'):.0f} events/s)")
    print(_batch_line(stats))
    print(cpu.report({"relay": stats["relay"]["cpu"], "consumer": stats["consumer"]["cpu"]}))
    print(f"drain: {n} events in {elapsed:.2f} s = {rate:.0f} events/s")
    met = rate >= TARGET_DRAIN
    print(f"drain target >= {TARGET_DRAIN:.0f} events/s: {'met' if met else 'NOT met'}")
    return rate


def _count_effects(res: Resources) -> int:
    with psycopg.connect(f"{res.args.pg}/{res.consumer_db}") as conn:
        effects, distinct = conn.execute("SELECT count(*), count(DISTINCT event_id) FROM bench_effect").fetchone()
        inboxed = conn.execute("SELECT count(*) FROM inbox").fetchone()[0]
    if not effects == distinct == inboxed:
        print(f"warning: {effects} effects, {distinct} distinct, {inboxed} inbox rows")
    return distinct


def _write_paced(res: Resources, rate: float, count: int, commit_times: dict[str, float],
                 writer: str) -> tuple[float, float]:
    """Write ``count`` events at ``rate``/s, one transaction each; returns (seconds, worst lag in s).

    ``sql``: one autocommit INSERT into the outbox per event (real envelope
    JSON, ``created_at`` taken just before it as ``record_event`` does), cheap
    enough to hold the schedule on 2 busy cores. ``record_event``: the
    project's own function in a ``Database.transaction()``.
    """
    interval, behind = 1.0 / rate, 0.0
    database = conn = None
    if writer == "record_event":
        database = Database(res.db_url(res.producer_db))
    else:
        conn = psycopg.connect(f"{res.args.pg}/{res.producer_db}", autocommit=True)
        sql = "INSERT INTO outbox (event_id, type, body, created_at) VALUES (%s, %s, %s, %s)"
    try:
        t0 = time.perf_counter()
        for i in range(count):
            delay = t0 + i * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                behind = max(behind, -delay)
            if database is not None:
                with database.transaction() as session:
                    envelope = record_event(session, _client_event(), municipality=MUNICIPALITY)
            else:
                envelope = Envelope.wrap(_client_event(), municipality=MUNICIPALITY)
                conn.execute(sql, (envelope.id, envelope.type, envelope.to_json().decode(), datetime.now(UTC)),
                             prepare=True)
            commit_times[envelope.id] = time.time()
        return time.perf_counter() - t0, behind
    finally:
        if database is not None:
            database.dispose()
        if conn is not None:
            conn.close()


def run_latency(res: Resources, args) -> float:
    n = int(args.rate * args.seconds)
    print(f"\n== latency: {args.rate:.0f} events/s for {args.seconds:.0f} s ({n} events), one transaction each")
    database = Database(res.db_url(res.producer_db))
    pipe = Pipeline(res, args, "latency")
    producer_commits: dict[str, float] = {}
    try:
        pipe.start()
        pipe.go.set()
        warmup = max(int(args.rate), 50)  # one second of traffic, not measured
        _write_paced(res, args.rate, warmup, {}, args.writer)
        if not pipe.wait_for(warmup, 30):
            raise RuntimeError("warm-up events did not come through")
        with database.unit_of_work() as session:
            first_seq = session.scalar(select(func.max(outbox.c.seq)))
        with CpuMeter() as cpu:
            wrote, behind = _write_paced(res, args.rate, n, producer_commits, args.writer)
            done = pipe.wait_for(warmup + n, args.timeout)
        stats = pipe.finish()
    finally:
        pipe.kill()
    achieved = n / wrote
    print(f"writer ({args.writer}): {n} events in {wrote:.2f} s = {achieved:.0f} events/s, "
          f"at most {behind * 1000:.1f} ms behind schedule")
    if "consumer" not in stats or "commits" not in stats["consumer"]:
        raise RuntimeError(f"consumer sent no results: {stats}")
    commits = stats["consumer"]["commits"]
    with database.unit_of_work() as session:
        created = {r.event_id: (r.created_at.timestamp(), r.published_at)
                   for r in session.execute(select(outbox.c.event_id, outbox.c.created_at, outbox.c.published_at)
                                            .where(outbox.c.seq > first_seq))}
    database.dispose()
    with psycopg.connect(f"{args.pg}/{res.consumer_db}") as conn:
        batches = dict(conn.execute("SELECT event_id, batch FROM bench_effect").fetchall())
    missing = [e for e in created if e not in batches or batches[e] not in commits]
    if not done or missing:
        raise RuntimeError(f"latency run incomplete: {len(missing)} of {n} events have no committed effect")
    total, pickup, rest, from_commit = [], [], [], []
    for event_id, (created_at, published_at) in created.items():
        committed = commits[batches[event_id]]
        total.append((committed - created_at) * 1000)
        from_commit.append((committed - producer_commits[event_id]) * 1000)
        if published_at is not None:
            pickup.append((published_at.timestamp() - created_at) * 1000)
            rest.append((committed - published_at.timestamp()) * 1000)
    for values in (total, pickup, rest, from_commit):
        values.sort()

    def line(values: list[float]) -> str:
        return (f"p50 {_percentile(values, .5):.1f} ms, p99 {_percentile(values, .99):.1f} ms, "
                f"max {values[-1]:.1f} ms")

    print(_batch_line(stats))
    print(cpu.report({"relay": stats["relay"]["cpu"], "consumer": stats["consumer"]["cpu"]}))
    print(f"  outbox created_at -> relay batch start: {line(pickup)}")
    print(f"  relay batch start -> effect committed:  {line(rest)}")
    print(f"  producer commit   -> effect committed:  {line(from_commit)}")
    p99 = _percentile(total, .99)
    print(f"latency (outbox insert -> effect committed), {len(total)} events: {line(total)}")
    print(f"latency target p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'}")
    return p99


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--events", type=int, default=20_000, help="events of the drain phase")
    p.add_argument("--rate", type=float, default=500.0, help="events/s written in the latency phase")
    p.add_argument("--seconds", type=float, default=20.0, help="duration of the latency phase")
    p.add_argument("--skip-drain", action="store_true")
    p.add_argument("--skip-latency", action="store_true")
    p.add_argument("--relay-batch", type=int, default=500, help="Settings.relay_batch_size")
    p.add_argument("--poll-interval", type=float, default=0.02, help="Settings.relay_poll_interval")
    p.add_argument("--consumer-batch", type=int, default=200, help="Settings.consumer_batch_size")
    p.add_argument("--batch-wait", type=float, default=0.02, help="Settings.consumer_batch_wait")
    p.add_argument("--prefetch", type=int, default=500,
                   help="Settings.consumer_prefetch (basic.qos of the consumer; 0 = unlimited)")
    p.add_argument("--handler", choices=("add", "merge"), default="add",
                   help="the effect handler: session.add, or session.merge as services/reporting does")
    p.add_argument("--writer", choices=("sql", "record_event"), default="sql",
                   help="latency phase: autocommit INSERT per event, or record_event in a session per event")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the last effect")
    # The same servers as the tests (shared/testing.py) unless told otherwise.
    pg = os.environ.get("CARECIRCLE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
    p.add_argument("--pg", default=pg, help="PostgreSQL server, without a database")
    p.add_argument("--amqp-host", default=f"{os.environ.get('CARECIRCLE_TEST_AMQP_HOST', '127.0.0.1')}:5672")
    p.add_argument("--amqp-user", default="guest")
    p.add_argument("--amqp-password", default="guest")
    p.add_argument("--no-vhost", action="store_true", help="use vhost '/' with a unique namespace")
    p.add_argument("--profile", metavar="DIR", help="cProfile relay and consumer into DIR/<phase>-<role>.prof")
    p.add_argument("--py-spy", metavar="DIR", help="py-spy record (raw) relay and consumer into DIR")
    args = p.parse_args(argv)
    for directory in (args.profile, args.py_spy):
        if directory:
            os.makedirs(directory, exist_ok=True)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    print(f"pipeline benchmark: relay batch {args.relay_batch}, poll {args.poll_interval}s; consumer batch "
          f"{args.consumer_batch}, wait {args.batch_wait}s, prefetch {args.prefetch or 'unlimited'}, "
          f"handler {args.handler}; {os.cpu_count()} cores")
    res = Resources(args)
    try:
        res.open()
        print(f"databases {res.producer_db}, {res.consumer_db}; vhost {res.vhost or '/'}; namespace {res.namespace}")
        if not args.skip_drain:
            run_drain(res, args)
        if not args.skip_latency:
            if not args.skip_drain:
                res.reset()
            run_latency(res, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the benchmark could not run
        log.debug("failed", exc_info=True)
        print(f"error: could not run the benchmark: {exc!r}", file=sys.stderr)
        return 1
    finally:
        res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
