"""End to end: the four services as separate processes (API, consumer, relay
each), on PostgreSQL and RabbitMQ, spoken to over HTTP on real sockets."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from services.registry import SERVICES
from shared import testing
from shared.settings import Settings
from shared.testing import assert_problem, bearer, until

pytestmark = [pytest.mark.servers, pytest.mark.e2e]


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    run = testing.run_id()
    databases = [f"cc_e2e_{run}_{service}" for service in SERVICES]
    for name in databases:
        testing.create_database(name)
    vhost = f"carecircle-e2e-{run}"
    env = {
        **os.environ,
        "CARECIRCLE_ENVIRONMENT": "test",
        "CARECIRCLE_DATABASE_URL": testing.database_url(f"cc_e2e_{run}_{{service}}"),
        "CARECIRCLE_BROKER_URL": testing.create_vhost(vhost),
        "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
        "CARECIRCLE_CELERY_EAGER": "false",
        "CARECIRCLE_LOG_JSON": "true",
    }
    logs = tmp_path_factory.mktemp("e2e-logs")
    processes = []

    def start(*args: str) -> subprocess.Popen:
        log = open(logs / ("-".join(args) + ".log"), "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "services.cli", *args], env=env, stdout=log, stderr=log)
        processes.append((process, log))
        return process

    try:
        subprocess.run([sys.executable, "-m", "services.cli", "migrate", "all"], env=env, check=True,
                       capture_output=True, timeout=120)
        ports = {service: testing.free_port() for service in SERVICES}
        for service in SERVICES:
            start("serve", service, "--port", str(ports[service]))
            start("consume", service, "--metrics-port", str(testing.free_port()))
            start("relay", service)
        urls = {service: f"http://127.0.0.1:{port}/{service}" for service, port in ports.items()}
        for url in urls.values():
            until(lambda url=url: _answers(f"{url}/healthz"), timeout=60)
        yield urls, Settings(environment="test", jwt_secret=env["CARECIRCLE_JWT_SECRET"])
    finally:
        for process, _log in processes:
            process.terminate()
        for process, log in processes:
            process.wait(30)
            log.close()
        testing.delete_vhost(vhost)
        for name in databases:
            testing.drop_database(name)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_every_service_is_ready_with_its_relay_and_consumer_beating(system):
    urls, _ = system
    for url in urls.values():
        until(lambda url=url: httpx.get(f"{url}/readyz", timeout=10).status_code == 200, timeout=30)
        checks = httpx.get(f"{url}/readyz", timeout=10).json()["checks"]
        assert checks == {"database": "ok", "broker": "ok", "relay": "ok", "consumer": "ok"}


def test_a_client_registered_in_intake_is_counted_in_reporting(system):
    urls, settings = system
    admin = bearer("network_admin", "*", settings=settings)
    municipality = {"code": "BG-MTR", "name": "Малко Търново", "language": "bg", "timezone": "Europe/Sofia"}
    assert httpx.post(f"{urls['intake']}/v1/municipalities", json=municipality, headers=admin).status_code == 201
    client = {"municipality": "BG-MTR", "given_name": "Елена", "family_name": "Маринова"}
    created = httpx.post(f"{urls['intake']}/v1/clients", json=client,
                         headers=bearer("coordinator", "BG-MTR", settings=settings))
    assert created.status_code == 201, created.text

    analyst = bearer("analyst", "BG-MTR", settings=settings)
    started = time.monotonic()
    until(lambda: httpx.get(f"{urls['reporting']}/v1/indicators/clients?municipality=BG-MTR",
                            headers=analyst).json() == [{"municipality": "BG-MTR", "registered_clients": 1}],
          timeout=30)
    assert time.monotonic() - started < 30
    for service in ("scheduling", "notifications"):
        until(lambda service=service: [m["code"] for m in httpx.get(
            f"{urls[service]}/v1/municipalities", headers=admin).json()] == ["BG-MTR"], timeout=30)


def test_bad_input_over_http_is_a_problem_not_a_500(system):
    urls, settings = system
    answer = httpx.post(f"{urls['intake']}/v1/clients", json={"municipality": "BG-MTR"},
                        headers=bearer("network_admin", "*", settings=settings))
    assert_problem(answer, 422)
    assert {e["field"] for e in answer.json()["errors"]} == {"given_name", "family_name"}
    assert httpx.get(f"{urls['intake']}/v1/municipalities").status_code == 401
