"""End to end: the four services as separate processes (API, consumer, relay
each), on PostgreSQL and RabbitMQ, spoken to over HTTP on real sockets."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.registry import SERVICES
from services.scheduling.models import Visit
from shared import testing
from shared.db import Database
from shared.settings import Settings
from shared.testing import around_today, assert_problem, bearer, indicator, until
from shared.worker import make_celery

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
        "CARECIRCLE_NAMESPACE": f"e2e{run}",  # Celery's queues on the shared Redis: this run's own
        "CARECIRCLE_CLIENT_CHANNEL": "log",  # no SMS provider here: clients' messages to the log
    }
    logs = tmp_path_factory.mktemp("e2e-logs")
    env["CARECIRCLE_MESSAGE_LOG"] = str(logs / "messages.jsonl")
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
        env.update({f"CARECIRCLE_{service.upper()}_URL": f"http://127.0.0.1:{ports[service]}/{service}/v1"
                    for service in SERVICES if service != "reporting"})  # the feeds a consumer catches up from
        for service in SERVICES:
            start("serve", service, "--port", str(ports[service]))
            start("consume", service, "--metrics-port", str(testing.free_port()))
            start("relay", service)
        start("worker", "scheduling", "--concurrency", "1")
        start("worker", "notifications", "--concurrency", "1")
        urls = {service: f"http://127.0.0.1:{port}/{service}" for service, port in ports.items()}
        for url in urls.values():
            until(lambda url=url: _answers(f"{url}/healthz"), timeout=60)
        yield urls, Settings(environment="test", jwt_secret=env["CARECIRCLE_JWT_SECRET"],
                             redis_url=testing.REDIS_URL, celery_eager=False, namespace=env["CARECIRCLE_NAMESPACE"],
                             database_url=env["CARECIRCLE_DATABASE_URL"])
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

    coordinator = bearer("coordinator", "BG-MTR", settings=settings)  # who sees small counts as they are
    started = time.monotonic()
    today = {"municipality": "BG-MTR", **around_today()}
    until(lambda: indicator(httpx.get(f"{urls['reporting']}/v1/indicators", params=today, headers=coordinator).json(),
                            "clients_registered") == 1, timeout=30)
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


def test_a_plan_becomes_visits_a_helper_delivers_and_a_concern_becomes_a_case(system):
    """Across the broker both ways: intake's catalogue and plan reach scheduling, which plans
    the visits; the helper's report with a concern reaches intake, which opens the case."""
    urls, settings = system
    admin = bearer("network_admin", "*", settings=settings)
    intake, scheduling = f"{urls['intake']}/v1", f"{urls['scheduling']}/v1"
    for path, body in [("/municipalities", {"code": "BG-RAK", "name": "Ракитово", "language": "bg",
                                            "timezone": "Europe/Sofia"}),
                       ("/code-lists/staff_role", {"code": "home_helper", "names": {"en": "Home helper"}}),
                       ("/code-lists/case_category", {"code": "health_access", "names": {"en": "Health"}}),
                       ("/service-types", {"code": "home_help", "names": {"en": "Home help"}, "mode": "home_visit",
                                           "staff_roles": ["home_helper"], "default_duration_minutes": 60,
                                           "unit": "hour"})]:
        assert httpx.post(f"{intake}{path}", json=body, headers=admin).status_code == 201, path
    helper = {"municipality": "BG-RAK", "subject": "helper-e2e", "display_name": "Гергана", "roles": ["home_helper"],
              "contracted_hours_per_week": 80,
              "availability": [{"day": d, "start": "00:00", "end": "24:00"}
                               for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]}
    until(lambda: httpx.post(f"{scheduling}/staff", json=helper, headers=admin).status_code == 201, timeout=30)
    until(lambda: [t["code"] for t in httpx.get(f"{scheduling}/service-types", headers=admin).json()] == ["home_help"],
          timeout=30)

    client = httpx.post(f"{intake}/clients", headers=admin, json={
        "municipality": "BG-RAK", "given_name": "Мария", "family_name": "Петрова",
        "location": {"latitude": 42.09, "longitude": 24.08}}).json()
    assert httpx.post(f"{intake}/clients/{client['id']}/consents", headers=admin, json={
        "purpose": "services", "given": True, "decided_on": time.strftime("%Y-%m-%d")}).status_code == 201
    plan = httpx.post(f"{intake}/clients/{client['id']}/care-plans", headers=admin, json={
        "starts_on": time.strftime("%Y-%m-%d"), "lines": [{"service_type": "home_help", "per_week": 7,
                                                          "preferred_days": ["mon", "tue", "wed", "thu", "fri",
                                                                             "sat", "sun"]}]}).json()
    assert httpx.post(f"{intake}/care-plans/{plan['id']}/activate", headers=admin).status_code == 200

    def visits() -> list[dict]:
        return httpx.get(f"{scheduling}/visits", params={"client_id": client["id"]}, headers=admin).json()["items"]

    until(visits, timeout=30)
    soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat(timespec="seconds")  # due now, whatever the hour
    visit = httpx.patch(f"{scheduling}/visits/{visits()[0]['id']}", json={"starts_at": soon}, headers=admin).json()
    worker = bearer("worker", "BG-RAK", subject="helper-e2e", settings=settings)
    assert httpx.post(f"{scheduling}/visits/{visit['id']}/check-in", json={}, headers=worker).status_code == 200
    report = {"services_delivered": ["hygiene"], "observations": "Не взима лекарствата",
              "concern": {"category": "health_access", "priority": "high"}}
    assert httpx.post(f"{scheduling}/visits/{visit['id']}/check-out", json={"report": report},
                      headers=worker).status_code == 200

    def cases() -> list[dict]:
        return [c for c in httpx.get(f"{intake}/cases", headers=admin).json()["items"]
                if c["origin_ref"] == visit["id"]]

    until(cases, timeout=30)
    assert (cases()[0]["priority"], cases()[0]["assignee"]) == ("high", "helper-e2e")


def test_the_missed_visit_sweep_runs_in_a_celery_worker(system):
    """A visit left planned an hour and more after its start is missed by the sweep, sent through
    Redis to scheduling's worker process as beat would send it."""
    urls, settings = system
    admin = bearer("network_admin", "*", settings=settings)
    database = Database(settings.database_url_for("scheduling"))
    late = _a_visit_long_begun(database)
    app = make_celery("scheduling", settings, database)
    assert app.send_task("scheduling.sweep_missed_visits").get(timeout=60) >= 1
    visit = httpx.get(f"{urls['scheduling']}/v1/visits/{late}", headers=admin).json()
    assert (visit["status"], visit["status_reason"]) == ("missed", "unstaffed")
    database.dispose()


def test_a_missed_visit_reaches_the_coordinators_inbox_and_the_call_list(system):
    """Scheduling's sweep misses a visit; notifications hears of it over RabbitMQ, raises an
    escalation, and its worker sends the coordinators' message and puts the call on the list."""
    urls, settings = system
    coordinator = bearer("coordinator", "BG-RAK", subject="coord-e2e", settings=settings)
    notifications = f"{urls['notifications']}/v1"
    never_quiet = {"reminder_lead_hours": 24, "quiet_from": "00:00", "quiet_until": "00:00", "day_plan_at": "07:00"}
    until(lambda: httpx.put(f"{notifications}/municipalities/BG-RAK/timing", json=never_quiet,  # the call, at any hour
                            headers=coordinator).status_code == 200, timeout=30)
    database = Database(settings.database_url_for("scheduling"))
    late = _a_visit_long_begun(database)
    make_celery("scheduling", settings, database).send_task("scheduling.sweep_missed_visits").get(timeout=60)
    database.dispose()

    def escalations() -> list[dict]:
        return [e for e in httpx.get(f"{notifications}/escalations", headers=coordinator).json()["items"]
                if e["about"] == f"visit:{late}"]
    until(escalations, timeout=30)
    assert escalations()[0]["kind"] == "visit_missed"
    database = Database(settings.database_url_for("notifications"))
    make_celery("notifications", settings, database).send_task("notifications.send_due_messages").get(timeout=60)
    database.dispose()

    def calls() -> list[dict]:
        return [c for c in httpx.get(f"{notifications}/calls", headers=coordinator).json()["items"]
                if c["id"] == escalations()[0]["call_message_id"]]
    until(calls, timeout=30)
    assert calls()[0]["kind"] == "missed_visit_call"
    until(lambda: "visit_missed" in [entry["kind"] for entry in httpx.get(f"{notifications}/inbox",
                                                                          headers=coordinator).json()], timeout=30)


def _a_visit_long_begun(database: Database) -> uuid.UUID:
    """A visit, unstaffed, that began two hours ago and no one checked in (as the planner writes one)."""
    started = datetime.now(UTC) - timedelta(hours=2)
    visit = Visit(id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="BG-RAK", service_type="home_help",
                  starts_at=started, ends_at=started + timedelta(hours=1), status="planned",
                  unstaffed_reason="not_available", planned_at=started - timedelta(days=1))
    with database.transaction() as session:
        session.add(visit)
    return visit.id
