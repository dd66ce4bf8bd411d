"""Helpers for tests and benchmarks: isolated databases, vhosts and namespaces.

Every test run gets its own PostgreSQL databases and its own RabbitMQ vhost,
so runs on one machine never see each other's rows or messages.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from urllib.parse import quote

import psycopg
from psycopg import sql

POSTGRES_ADMIN = os.environ.get("CARECIRCLE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_HOST = os.environ.get("CARECIRCLE_TEST_AMQP_HOST", "127.0.0.1")
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
def create_database(name: str) -> str:
    """Creates an empty database; returns its SQLAlchemy URL."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


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


def restart_rabbitmq_app() -> None:
    """Stops and starts the RabbitMQ application: every connection is dropped."""
    _rabbitmqctl("stop_app")
    _rabbitmqctl("start_app")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
