"""Helpers for tests and benchmarks: isolated databases, vhosts and namespaces,
and the few assertions and readers every service's tests share.

Every test run gets its own PostgreSQL databases and its own RabbitMQ vhost,
so runs on one machine never see each other's rows or messages.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import psycopg
import uvicorn
from psycopg import sql
from sqlalchemy import select

from shared.auth import issue_token
from shared.db import Database
from shared.messaging.tables import outbox
from shared.settings import Settings

POSTGRES_ADMIN = os.environ.get("CARECIRCLE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("CARECIRCLE_TEST_AMQP_HOST", "127.0.0.1")
T = TypeVar("T")
REDIS_URL = os.environ.get("CARECIRCLE_TEST_REDIS", "redis://127.0.0.1:6379/15")


def run_id() -> str:
    return secrets.token_hex(4)


def servers_required() -> bool:
    """In CI the tests that need servers must run, never skip."""
    return os.environ.get("CI", "").lower() == "true"


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def missing_servers() -> list[str]:
    wanted = {"PostgreSQL": 5432, "RabbitMQ": 5672, "Redis": 6379}
    return [name for name, port in wanted.items() if not reachable("127.0.0.1", port)]


# -- PostgreSQL -------------------------------------------------------------
def create_database(name: str, template: str | None = None) -> str:
    """Creates a database, empty or a copy of ``template`` (which nobody may be
    connected to); returns its SQLAlchemy URL."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(statement)
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def database_away(name: str) -> Iterator[None]:
    """While the block runs, database ``name`` refuses connections and those it
    had are cut, as when its server is unreachable; then it is back."""
    allow = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(allow.format(sql.Identifier(name), sql.SQL("false")))
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    try:
        yield
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(allow.format(sql.Identifier(name), sql.SQL("true")))


def database_url(name: str) -> str:
    base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


# -- RabbitMQ ---------------------------------------------------------------
def _rabbitmqctl(*args: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        raise RuntimeError("rabbitmqctl is needed to make an isolated vhost")
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


def create_vhost(name: str) -> str:
    """Creates a vhost that guest may use; returns its AMQP URL."""
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    return amqp_url(name)


def delete_vhost(name: str) -> None:
    _rabbitmqctl("delete_vhost", name)


def amqp_url(vhost: str) -> str:
    return f"amqp://guest:guest@{AMQP_HOST}:5672/{quote(vhost, safe='')}"


def restart_rabbitmq_app(outage: float = 0.0) -> None:
    """Stops the RabbitMQ application for ``outage`` seconds, then starts it: every
    connection of every vhost is dropped."""
    _rabbitmqctl("stop_app")
    try:
        time.sleep(outage)
    finally:
        _rabbitmqctl("start_app")  # never leave the machine's broker stopped


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- what the tests of every service share ------------------------------------
JWT_SECRET = "carecircle-tests-secret-of-32-bytes-at-least"


@contextmanager
def served(app, *, threads: int = 40) -> Iterator[str]:
    """Serves ``app`` with uvicorn on a free loopback port in a thread, for requests
    that must really run at the same time; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                            limit_concurrency=threads * 2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    until(lambda: server.started, timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def json_server(answer: Callable[[str], object]) -> Iterator[tuple[str, list[str]]]:
    """A stand-in HTTP server on a loopback port answering each GET with ``answer(path)`` as
    JSON; yields its base URL and the paths it was asked, in order."""
    asked: list[str] = []

    class Answering(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = json.dumps(answer(self.path)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()


def at_once(requests: list[Callable[[], T]]) -> list[T]:
    """Runs the calls in as many threads, released together by a barrier: simultaneous requests."""
    barrier = threading.Barrier(len(requests))

    def call(request: Callable[[], T]) -> T:
        barrier.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(call, requests))


def make_settings(database_url: str = "sqlite://", **overrides) -> Settings:
    """A test's settings: the test secrets and the in-process bus. ``database_url``
    may hold ``{service}``, as in embedded mode."""
    return Settings(**{"environment": "test", "jwt_secret": JWT_SECRET, "database_url": database_url,
                       "broker_url": "memory://", "sms_token": "test-sms-token", **overrides})


def bearer(role: str, *municipalities: str, subject: str | None = None, settings: Settings | None = None) -> dict:
    """``bearer("coordinator", "BG-RAK")`` -> headers with a token signed with the test secret."""
    token = issue_token(settings or make_settings(), roles=[role], municipalities=list(municipalities),
                        subject=subject)
    return {"Authorization": f"Bearer {token}"}


def published_events(database: Database, event_type: str) -> list[dict]:
    """The envelopes of ``event_type`` in a service's outbox, oldest first."""
    with database.unit_of_work(write=False) as session:
        rows = session.scalars(select(outbox.c.body).where(outbox.c.type == event_type).order_by(outbox.c.seq))
        return [json.loads(body) for body in rows]


def until(condition: Callable[[], bool], *, timeout: float = 20.0, step: Callable[[], object] | None = None) -> None:
    """Runs ``step`` (or sleeps) until ``condition`` holds; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        step() if step else time.sleep(0.05)


def created(answer) -> dict:
    """The JSON of a 200 or 201 answer."""
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def assert_problem(answer, status: int, field: str | None = None) -> None:
    """A problem+json answer with ``status`` that names ``field`` (at the top or in ``errors``)."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    if field is not None:
        body = answer.json()
        fields = [e["field"] for e in body.get("errors", [])] + [body.get("field")]
        assert field in fields, body


def around_today() -> dict[str, str]:
    """Reporting's period query for yesterday to tomorrow: today, in every municipality's calendar."""
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


def indicator(answer: dict, code: str) -> float | None:
    """The total of one figure of a reporting ``/indicators`` answer."""
    return next(figure["total"] for figure in answer["indicators"] if figure["code"] == code)


def start_worker(service: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A ``carecircle worker SERVICE`` with ``env``, in a process group of its own (to kill it
    with its pool), once it says it is ready; its output goes to ``log``."""
    ready_before = _readies(log)
    with log.open("a") as out:
        worker = subprocess.Popen([sys.executable, "-m", "services.cli", "worker", service, "--concurrency", "2"],
                                  env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    until(lambda: _readies(log) > ready_before, timeout=60)
    return worker


def _readies(log: Path) -> int:
    return log.read_text(errors="replace").count(" ready.") if log.exists() else 0
