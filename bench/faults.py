#!/usr/bin/env python
"""Fault suite: CareCircle in distributed mode (deploy/local/up.sh) under faults.

Each fault runs while client registrations go through intake's HTTP API; reporting
must then count every registration intake accepted, once (bench/README.md):

  kill-consumer  SIGKILL of the reporting consumer, K times (its supervisor restarts it)
  kill-relay     SIGKILL of the intake outbox relay, K times
  rabbit-busy    rabbitmqctl stop_app, --outage seconds, start_app, halfway through the traffic
  rabbit-idle    the same on an idle system; the registrations are sent after it
  db-pause       reporting's database refuses connections for --pause seconds
  poison         four invalid messages published to the exchange halfway through; each must
                 be listed by `carecircle dlq list reporting` within --dlq-wait seconds

The rabbit-* faults stop the RabbitMQ application of this whole machine: every vhost
and every other user of the broker loses its connections for a few seconds. Leave
them out (--only) when others share the broker.

A run uses only its own databases (ccfaults_<id>_<service>), vhost and namespace
(ccfaults_<id>), up.sh var dir (var/faults/ccfaults_<id>/, logs kept) and ports (a
free offset); down.sh --purge and the vhost's deletion run at the end, also after a failure.

Exit status: 0 when nothing was lost or duplicated and every check passed, 1 otherwise,
2 when the suite could not run, 130 when interrupted.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

try:
    import shared  # noqa: F401
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import pika
import psycopg
from prometheus_client.parser import text_string_to_metric_families

from shared import testing
from shared.auth import issue_token
from shared.events import Envelope
from shared.events.intake import ClientRegistered
from shared.messaging import topology
from shared.messaging.broker import body_id
from shared.settings import Settings
from shared.testing import around_today, indicator

ROOT = Path(__file__).resolve().parents[1]
REGISTERED = ClientRegistered.type
POISON_MUNICIPALITY = "FAULTS-POISON"
WORKERS = 4  # threads sending registrations
BACK_OFF = (1.0, 30.0)  # deploy/local/supervise.sh: the pause after an exit, doubling up to the second
START = 5.0  # seconds from a restart to the next kill: 2.5 to 8 to serve metrics (with load), then up to 0.5
CHILD_TIMEOUT = 90.0  # seconds for a killed process to run again: the longest back-off and a start


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)  # stdout is for the table or the JSON lines


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


# -- the processes and their resources ------------------------------------------
@dataclass
class Stack:
    """deploy/local/up.sh with databases, vhost, namespace, var dir and ports of this run only."""

    tag: str
    offset: int
    var: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def isolated(cls) -> Stack:
        tag = f"ccfaults_{testing.run_id()}"
        stack = cls(tag, free_offset(), ROOT / "var" / "faults" / tag)
        stack.env = {
            "CARECIRCLE_ENVIRONMENT": "development", "CARECIRCLE_BIN": str(ROOT / ".venv/bin/carecircle"),
            "CARECIRCLE_DATABASE_URL": testing.database_url(f"{tag}_{{service}}"),
            "CARECIRCLE_BROKER_URL": testing.amqp_url(tag), "CARECIRCLE_NAMESPACE": tag,
            "CARECIRCLE_LOCAL_VAR": str(stack.var), "CARECIRCLE_LOCAL_PORT_OFFSET": str(stack.offset),
        }
        return stack

    def up(self) -> None:
        testing.create_vhost(self.tag)
        os.environ.update(self.env)  # tokens, `carecircle dlq` and down.sh see the same settings
        self._script("up.sh")

    def down(self) -> None:
        """Every step runs, whatever failed before; a failing one is reported, not raised."""
        for step in (lambda: self._script("down.sh", "--purge"), lambda: testing.delete_vhost(self.tag)):
            try:
                step()
            except (subprocess.SubprocessError, OSError, RuntimeError) as exc:
                progress(f"cleanup: {exc!r}")

    def _script(self, name: str, *args: str) -> None:
        subprocess.run([ROOT / "deploy/local" / name, *args], check=True, stdout=sys.stderr, timeout=300)

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{local_ports(self.offset)[name]}{path}"

    def database(self, service: str) -> str:
        return f"{testing.POSTGRES_ADMIN.rsplit('/', 1)[0]}/{self.tag}_{service}"

    def child(self, name: str) -> int | None:
        """The pid of NAME's running process; its supervisor rewrites the file at each restart."""
        try:
            pid = int((self.var / "children" / f"{name}.pid").read_text())
            # Ours, not a process that took the pid of an exited one.
            return pid if b"carecircle" in Path(f"/proc/{pid}/cmdline").read_bytes() else None
        except (OSError, ValueError):
            return None

    def children(self) -> dict[str, int | None]:
        """Every supervised process's running pid (None while it waits for its restart)."""
        return {path.stem: self.child(path.stem) for path in (self.var / "pids").glob("*.pid")}


@functools.cache
def local_ports(offset: int) -> dict[str, int]:
    """The port up.sh gives each process ("intake-api", "reporting-consumer"...) under ``offset``,
    read from deploy/local/settings.sh, where they are declared."""
    script = ('source deploy/local/settings.sh; for s in "${SERVICES[@]}"; do '
              'echo "$s-api ${API_PORT[$s]} $s-consumer ${CONSUMER_PORT[$s]} $s-relay ${RELAY_PORT[$s]}"; done')
    words = subprocess.run(["bash", "-c", script], cwd=ROOT, check=True, capture_output=True, text=True,
                           env={**os.environ, "CARECIRCLE_LOCAL_PORT_OFFSET": str(offset)}).stdout.split()
    return {name: int(port) for name, port in zip(words[::2], words[1::2], strict=True)}


def free_offset() -> int:
    """An offset under which every port of up.sh is free (up.sh refuses a busy one anyway)."""
    # Below Linux's ephemeral range (32768 and up), where tests and clients take ports at random.
    for offset in random.sample(range(1000, 23000, 100), 50):
        if not any(testing.reachable("127.0.0.1", port, timeout=0.2) for port in local_ports(offset).values()):
            return offset
    raise RuntimeError("no free port offset")


# -- HTTP: intake takes registrations, reporting counts them ---------------------
class Api:
    def __init__(self, stack: Stack) -> None:
        settings = Settings()  # the environment up.sh got: the same secret, issuer and audience
        admin = issue_token(settings, roles=["network_admin"], municipalities=["*"], subject="bench-faults")
        # A coordinator's token: an analyst's would see the first few registrations suppressed.
        reader = issue_token(settings, roles=["coordinator"], municipalities=["*"], subject="bench-faults")
        self.intake = httpx.Client(base_url=stack.url("intake-api", "/intake/v1"), timeout=60,
                                   headers={"Authorization": f"Bearer {admin}"},
                                   limits=httpx.Limits(max_connections=WORKERS + 1))
        self.reporting = httpx.Client(base_url=stack.url("reporting-api", "/reporting/v1"), timeout=10,
                                      headers={"Authorization": f"Bearer {reader}"})

    def add_municipality(self, code: str) -> None:
        self.intake.post("/municipalities", json={"code": code, "name": f"Faults {code}", "language": "en",
                                                  "timezone": "Europe/Sofia"}).raise_for_status()

    def register(self, municipality: str, number: int) -> str:
        answer = self.intake.post("/clients", json={"municipality": municipality, "given_name": "Fault",
                                                    "family_name": f"Client {number}", "confirm_new_person": True})
        answer.raise_for_status()
        return answer.json()["id"]

    def count(self, municipality: str) -> int | None:
        """Reporting's indicator; None while reporting cannot answer (its database paused)."""
        try:
            answer = self.reporting.get("/indicators", params={"municipality": municipality, **around_today()})
            answer.raise_for_status()
        except httpx.HTTPError:
            return None
        return int(indicator(answer.json(), "clients_registered") or 0)


class Traffic:
    """COUNT registrations at RATE per second from a few threads; ``sent`` holds the
    client ids intake answered 201 for: what reporting must count."""

    def __init__(self, api: Api, municipality: str, count: int, rate: float) -> None:
        self.api, self.municipality, self.count, self.rate = api, municipality, count, rate
        self.sent: list[str] = []
        self.errors: list[str] = []
        self._numbers = itertools.count()  # shared by the threads: each number is taken once
        self._threads = [threading.Thread(target=self._send, daemon=True) for _ in range(WORKERS)]

    def start(self) -> None:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()

    def _send(self) -> None:
        for number in self._numbers:
            if number >= self.count:
                return
            time.sleep(max(0.0, self._started + number / self.rate - time.monotonic()))
            try:
                self.sent.append(self.api.register(self.municipality, number))
            except httpx.HTTPError as exc:
                self.errors.append(repr(exc))

    @property
    def finished(self) -> bool:  # also before it started
        return not any(thread.is_alive() for thread in self._threads)

    def reach(self, share: float) -> None:
        """Until this share of the registrations was sent (or there is no traffic)."""
        wait_until(lambda: len(self.sent) + len(self.errors) >= share * self.count or self.finished, 3600)

    def wait(self) -> None:
        for thread in self._threads:
            thread.join()


# -- what the reporting consumer counted -------------------------------------------
def scrape(url: str) -> tuple[float, Counter] | None:
    """A process's start time and its carecircle_events_consumed_total by (type, outcome);
    None when it does not answer."""
    try:
        text = httpx.get(url, timeout=2).text
    except httpx.HTTPError:
        return None
    started, consumed = 0.0, Counter()
    for sample in (s for family in text_string_to_metric_families(text) for s in family.samples):
        if sample.name == "process_start_time_seconds":
            started = sample.value
        elif sample.name == "carecircle_events_consumed_total":
            consumed[sample.labels["type"], sample.labels["outcome"]] += sample.value
    return started, consumed


class Consumed:
    """The reporting consumer's deliveries by outcome since the fault began, from samples of its
    metrics: a restarted consumer (a new start time) counts from zero again, and what a killed
    one counted after the last sample is missed, so these are lower bounds."""

    def __init__(self, url: str) -> None:
        self.url, self.total = url, Counter()
        self._last = scrape(url) or (0.0, Counter())

    def sample(self) -> None:
        now = scrape(self.url)
        if now is None:
            return
        since = self._last[1] if now[0] == self._last[0] else Counter()
        for (kind, outcome), value in now[1].items():
            self.total[outcome] += value - since[kind, outcome]
        self._last = now


# -- one fault -----------------------------------------------------------------
@dataclass
class Fault:
    """A fault being run: its traffic, what the consumer counted, what was noted and what failed."""

    name: str
    traffic: Traffic
    consumed: Consumed
    began: datetime = field(default_factory=lambda: datetime.now(UTC))
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checks: list[Callable[[], None]] = field(default_factory=list)  # once everything is counted


@dataclass
class Outcome:
    fault: str
    sent: int
    counted: int | None
    lost: int
    duplicated: int
    recovery_s: float | None
    redelivered: int
    notes: list[str]
    problems: list[str]
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = not (self.lost or self.duplicated or self.problems)


Disturbance = Callable[["Run", Fault], None]


@dataclass
class Run:
    args: argparse.Namespace
    stack: Stack
    api: Api

    def measure(self, name: str, disturb: Disturbance, *, busy: bool = True, rate: float | None = None) -> Outcome:
        """DISTURB during the traffic (busy) or before it, then until reporting counts it all."""
        traffic = Traffic(self.api, f"F-{name.upper()}", self.args.registrations, rate or self.args.rate)
        fault = Fault(name, traffic, Consumed(self.stack.url("reporting-consumer", "/metrics")))
        self.api.add_municipality(traffic.municipality)  # after the fault began: its event is in the count
        progress(f"== {name}: {traffic.count} registrations at {traffic.rate:.0f}/s")
        before = self.all_running(fault)
        if busy:
            traffic.start()
        disturb(self, fault)
        if not busy:
            traffic.start()
        traffic.wait()
        recovery = self.until_counted(fault, time.monotonic())
        time.sleep(self.args.settle)  # a late duplicate would show by now
        fault.consumed.sample()
        for check in fault.checks:
            check()
        after = self.stack.children()
        if restarted := sorted(name for name, pid in before.items() if after.get(name) != pid):
            fault.notes.append(f"restarted: {', '.join(restarted)}")  # or waiting for it
        return self.outcome(fault, recovery)

    def all_running(self, fault: Fault) -> dict[str, int | None]:
        """The pids once every process runs: not while one killed before waits for its restart."""
        if not wait_until(lambda: all(self.stack.children().values()), CHILD_TIMEOUT):
            fault.problems.append(f"not running at the start: {self.stack.children()}")
        return self.stack.children()

    def until_counted(self, fault: Fault, ended: float) -> float | None:
        """Seconds from the end of the fault and of the traffic until every sent registration is counted."""
        while time.monotonic() < ended + self.args.timeout:
            fault.consumed.sample()
            counted = self.api.count(fault.traffic.municipality)
            if counted is not None and counted >= len(fault.traffic.sent):
                return time.monotonic() - ended
            time.sleep(0.2)
        return None

    def outcome(self, fault: Fault, recovery: float | None) -> Outcome:
        """Lost and duplicated, from the databases and the consumer's own count (bench/README.md)."""
        municipality, sent = fault.traffic.municipality, set(fault.traffic.sent)
        with psycopg.connect(self.stack.database("intake")) as intake:
            events = dict(intake.execute(  # event id -> client id
                "SELECT event_id, body::jsonb #>> '{data,client_id}' FROM outbox "
                "WHERE type = %s AND body::jsonb #>> '{data,municipality}' = %s", (REGISTERED, municipality)))
        with psycopg.connect(self.stack.database("reporting")) as reporting:
            applied = [events[row[0]] for row in reporting.execute(
                "SELECT event_id FROM inbox WHERE consumer = 'reporting' AND event_id = ANY(%s)", (list(events),))]
            counted = {str(row[0]) for row in reporting.execute(
                "SELECT client_id FROM client WHERE municipality = %s", (municipality,))}
            claimed = reporting.execute("SELECT count(*) FROM inbox WHERE consumer = 'reporting' "
                                        "AND processed_at >= %s", (fault.began,)).fetchone()[0]
        fresh = fault.consumed.total["processed"] + fault.consumed.total["ignored"]  # each claimed a row
        duplicates = {"clients applied twice": len(applied) - len(set(applied)),
                      "clients counted but never sent": len(counted - sent),
                      "events applied without an inbox claim": max(0, int(fresh) - claimed)}
        fault.notes += [f"{what}: {n}" for what, n in duplicates.items() if n]
        if len(events) != len(sent):
            fault.notes.append(f"intake wrote {len(events)} events for {len(sent)} registrations")
        if fault.traffic.errors:
            fault.notes.append(f"{len(fault.traffic.errors)} registrations refused: {fault.traffic.errors[0]}")
        return Outcome(fault.name, len(sent), self.api.count(municipality), len(sent - counted),
                       sum(duplicates.values()), recovery, int(fault.consumed.total["duplicate"]),
                       fault.notes, fault.problems)


# -- the disturbances -----------------------------------------------------------
def killing(name: str) -> Disturbance:
    """SIGKILL of NAME's process K times during the traffic, each as soon as the supervisor has
    started it again: then it works off what came while it was down."""

    def disturb(run: Run, fault: Fault) -> None:
        pid, late = None, 0
        for k in range(run.args.kills):
            if (pid := running_again(run.stack, name, pid)) is None:
                fault.problems.append(f"{name} not running {CHILD_TIMEOUT:.0f}s after kill {k}")
                return
            time.sleep(random.uniform(0.0, 0.5))  # at some point of its work, not always the same
            fault.consumed.sample()  # what it counted dies with it
            late += fault.traffic.finished
            os.kill(pid, signal.SIGKILL)
        fault.notes.append(f"{run.args.kills} kills of {name}, {late} after the traffic")

    return disturb


def running_again(stack: Stack, name: str, killed: int | None) -> int | None:
    """The pid of NAME's new process, once it serves its metrics."""
    def serving() -> bool:
        return stack.child(name) not in (None, killed) and scrape(stack.url(name, "/metrics")) is not None

    return stack.child(name) if wait_until(serving, CHILD_TIMEOUT) else None


def kill_rate(run: Run) -> float:
    """A rate that spreads the registrations over the time the kills take: each waits for a
    restart, whose back-off doubles."""
    pauses = [min(BACK_OFF[0] * 2 ** k, BACK_OFF[1]) for k in range(run.args.kills - 1)]
    seconds = sum(pauses) + START * run.args.kills
    return min(run.args.rate, run.args.registrations / seconds) if seconds else run.args.rate


def restart_broker(run: Run, fault: Fault) -> None:
    """stop_app, a few seconds, start_app: every connection of every vhost drops."""
    fault.traffic.reach(0.5)
    testing.restart_rabbitmq_app(run.args.outage)
    fault.notes.append(f"RabbitMQ stopped for {run.args.outage:g}s")


def pause_database(run: Run, fault: Fault) -> None:
    """Reporting's database refuses connections and loses its sessions, then comes back."""
    fault.traffic.reach(0.5)
    with testing.database_away(f"{run.stack.tag}_reporting"):
        time.sleep(run.args.pause)
    fault.notes.append(f"database paused for {run.args.pause:g}s")


# -- poison messages -----------------------------------------------------------
@dataclass(frozen=True)
class Poison:
    name: str
    body: bytes
    type: str  # routing key and AMQP type
    message_id: str | None
    listed_as: tuple[str, ...]  # the event_id `carecircle dlq list` may show for it


def poisons() -> list[Poison]:
    """Each invalid in one way. Their registrations are of a municipality of their own:
    one applied by mistake is counted there, not in a fault's municipality."""
    def registration(**changes) -> Envelope:
        event = ClientRegistered(client_id=uuid.uuid4(), municipality=POISON_MUNICIPALITY)
        return Envelope.wrap(event, municipality=POISON_MUNICIPALITY).model_copy(update=changes)

    long_id = registration(id=f"poison-long-id-{uuid.uuid4().hex}")
    unknown = registration(type="faults.poison.unknown.v1", dataschema=None, data={})
    anonymous = b"{not json either, and no message id"
    not_json = f"poison-not-json-{uuid.uuid4().hex[:8]}"
    return [Poison("id longer than 36", long_id.to_json(), REGISTERED, long_id.id, (long_id.id,)),
            Poison("not JSON", b"{not json", REGISTERED, not_json, (not_json,)),
            Poison("unknown type", unknown.to_json(), unknown.type, unknown.id, (unknown.id,)),
            Poison("no message_id", anonymous, REGISTERED, None, (body_id(anonymous),))]


def publish(stack: Stack, messages: list[Poison]) -> None:
    """Straight to the namespace's exchange, as a misbehaving producer would."""
    connection = pika.BlockingConnection(pika.URLParameters(stack.env["CARECIRCLE_BROKER_URL"]))
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for p in messages:
            properties = pika.BasicProperties(content_type="application/cloudevents+json", type=p.type,
                                              message_id=p.message_id, delivery_mode=pika.DeliveryMode.Persistent)
            channel.basic_publish(topology.exchange(stack.tag), p.type, p.body, properties, mandatory=True)
    finally:
        connection.close()


def poison(run: Run, fault: Fault) -> None:
    messages = poisons()
    fault.traffic.reach(0.5)
    publish(run.stack, messages)
    published = datetime.now(UTC)
    fault.checks.append(lambda: check_poisons(run, fault, messages, published))


def check_poisons(run: Run, fault: Fault, messages: list[Poison], published: datetime) -> None:
    """--dlq-wait seconds after publication each must be listed by `carecircle dlq list`, none applied."""
    time.sleep(max(0.0, (published - datetime.now(UTC)).total_seconds() + run.args.dlq_wait))
    listed = dead_letter_ids(run.stack)
    for p in messages:
        record = last_record(run.stack, p)
        if not listed & set(p.listed_as):
            fault.problems.append(f"{p.name}: not in the DLQ {run.args.dlq_wait:g}s after publication "
                                  f"({trace(run.stack, p, record)})")
        elif record and "dead-lettered" in record["message"]:
            delay = (datetime.fromisoformat(record["time"]) - published).total_seconds()
            fault.notes.append(f"{p.name}: dead-lettered {delay:.1f}s after publication, in `dlq list`")
        else:
            fault.notes.append(f"{p.name}: in `dlq list`")
    if applied := run.api.count(POISON_MUNICIPALITY):
        fault.problems.append(f"{applied} poison registrations applied as valid ones")


def dead_letter_ids(stack: Stack) -> set[str]:
    command = [stack.env["CARECIRCLE_BIN"], "dlq", "list", "reporting"]
    lines = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120).stdout.splitlines()
    return {json.loads(line)["event_id"] for line in lines}


def last_record(stack: Stack, poison: Poison) -> dict | None:
    """The reporting consumer's last log record (a JSON line) naming the poison."""
    ids = [i for i in poison.listed_as if i]
    log = (stack.var / "log" / "reporting-consumer.log").read_text(errors="replace").splitlines()
    records = [json.loads(line) for line in log if line.startswith("{") and any(i in line for i in ids)]
    return records[-1] if records else None


def trace(stack: Stack, poison: Poison, record: dict | None) -> str:
    """What the consumer did with a poison: its last log record, or for its own type, its metrics."""
    if record:
        return record["message"]
    _, consumed = scrape(stack.url("reporting-consumer", "/metrics")) or (0.0, Counter())
    outcomes = [f"{outcome} x{n:g}" for (kind, outcome), n in consumed.items() if kind == poison.type and n]
    return f"consumer outcome: {', '.join(outcomes)}" if outcomes and poison.type != REGISTERED else "no trace"


FAULTS: dict[str, Callable[[Run], Outcome]] = {
    "kill-consumer": lambda run: run.measure("kill-consumer", killing("reporting-consumer"), rate=kill_rate(run)),
    "kill-relay": lambda run: run.measure("kill-relay", killing("intake-relay"), rate=kill_rate(run)),
    "rabbit-busy": lambda run: run.measure("rabbit-busy", restart_broker),
    "rabbit-idle": lambda run: run.measure("rabbit-idle", restart_broker, busy=False),
    "db-pause": lambda run: run.measure("db-pause", pause_database),
    "poison": lambda run: run.measure("poison", poison),
}


# -- report ----------------------------------------------------------------------
COLUMNS = ("fault", "sent", "counted", "lost", "duplicated", "recovery_s", "redelivered")


def table(outcomes: list[Outcome]) -> str:
    def cell(value) -> str:
        return "-" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)

    rows = [COLUMNS, *([cell(getattr(o, c)) for c in COLUMNS] for o in outcomes)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join([row[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True))])
             for row in rows]
    for o in outcomes:
        lines += [f"{o.fault}: {note}" for note in o.notes] + [f"{o.fault}: FAILED {p}" for p in o.problems]
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--registrations", type=int, default=2000, help="registrations per fault [2000]")
    p.add_argument("--kills", type=int, default=10, help="SIGKILLs per kill-* fault [10]")
    p.add_argument("--rate", type=float, default=100.0,
                   help="registrations per second [100]; kill-* faults go slower, to last as long as the kills")
    p.add_argument("--outage", type=float, default=3.0, help="seconds RabbitMQ stays stopped [3]")
    p.add_argument("--pause", type=float, default=5.0, help="seconds reporting's database is away [5]")
    p.add_argument("--dlq-wait", type=float, default=10.0, help="seconds a poison may take to the DLQ [10]")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for every count [180]")
    p.add_argument("--settle", type=float, default=3.0, help="seconds after the count before the checks [3]")
    p.add_argument("--only", action="append", choices=FAULTS, help="run only this fault (repeat for more)")
    p.add_argument("--json", action="store_true", help="one JSON object per fault on stdout, no table")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    stack, outcomes, status = Stack.isolated(), [], 0
    progress(f"faults: namespace and vhost {stack.tag}, port offset {stack.offset}, logs in {stack.var}/log")
    try:
        stack.up()
        run = Run(args, stack, Api(stack))
        for name in args.only or FAULTS:
            outcomes.append(FAULTS[name](run))
            if args.json:
                print(json.dumps(dataclasses.asdict(outcomes[-1])), flush=True)
    except KeyboardInterrupt:
        progress("interrupted")
        status = 130
    except Exception as exc:  # noqa: BLE001 - the suite could not run: say why, then clean up
        progress(f"error: the fault suite could not run: {exc!r}")
        status = 2
    finally:
        stack.down()
    if outcomes and not args.json:
        print(table(outcomes))
    return status or (0 if all(o.ok for o in outcomes) else 1)


if __name__ == "__main__":
    sys.exit(main())
