"""What every service's HTTP API shares (shared/web.py), shown on intake where a
route is needed: problem answers, tokens, trace ids, metrics, health and docs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from services.registry import SERVICES
from shared.messaging import heartbeat, tables
from shared.testing import assert_problem, created
from tests.intake.data import MARIA, PERNIK

TRACEPARENT = "00-" + "c" * 32 + "-" + "d" * 16 + "-01"


@pytest.fixture
def intake(service_client):
    return service_client("intake")


def test_requests_without_a_valid_token_get_401(intake):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = intake.get("/municipalities", headers=headers)
        assert_problem(answer, 401)
        assert answer.json()["status"] == 401


@pytest.mark.parametrize(("body", "field"), [
    ({**PERNIK, "timezone": "Mars/Olympus"}, "timezone"),
    ({**PERNIK, "code": "lower case"}, "code"),
    ({**PERNIK, "language": "de"}, "language"),
    ({k: v for k, v in PERNIK.items() if k != "name"}, "name"),
])
def test_bad_input_is_422_naming_the_field(intake, admin, body, field):
    answer = intake.post("/municipalities", json=body, headers=admin)
    assert_problem(answer, 422, field)
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert field in answer.json()["detail"]


def test_a_duplicate_is_409_and_a_malformed_id_422(intake, admin):
    created(intake.post("/municipalities", json=PERNIK, headers=admin))
    assert_problem(intake.post("/municipalities", json=PERNIK, headers=admin), 409, "code")
    assert_problem(intake.get("/clients/not-a-uuid", headers=admin), 422)


def test_a_trace_id_comes_back_and_travels_with_the_event(intake, admin, published):
    created(intake.post("/municipalities", json=PERNIK, headers=admin))
    answer = intake.post("/clients", json={**MARIA, "municipality": "BG-PER"},
                         headers={**admin, "traceparent": TRACEPARENT})
    assert answer.headers["traceparent"].startswith("00-" + "c" * 32)
    [event] = published("intake.client.registered.v1")
    assert event["traceparent"].startswith("00-" + "c" * 32)


def test_http_metrics_are_labelled_by_route_template(intake, admin):
    intake.get("/clients/7d4c6f0e-8a57-4b7e-9a53-1f7e2c1d9b10", headers=admin)
    metrics = intake.get("http://testserver/intake/metrics").text
    assert 'route="/v1/clients/{client_id}",service="intake",status="404"' in metrics


def test_a_path_value_equal_to_a_route_word_keeps_the_template(intake, admin):
    intake.get("/programmes/programmes", headers=admin)
    metrics = intake.get("http://testserver/intake/metrics").text
    assert 'route="/v1/programmes/{code}",service="intake",status="404"' in metrics


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_health_readiness_metrics_and_docs(service_client, service_runtime, service):
    api = service_client(service)
    root = f"http://testserver/{service}"
    assert api.get(f"{root}/healthz").json() == {"status": "ok", "service": service}
    for process in ("relay", "consumer"):
        heartbeat.beat(service_runtime(service).database, process)
    ready = api.get(f"{root}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "relay": "ok", "consumer": "ok"}
    assert "carecircle_http_requests_total" in api.get(f"{root}/metrics").text
    assert api.get(f"{root}/openapi.json").json()["info"]["title"] == f"CareCircle {service}"
    assert api.get(f"{root}/docs").status_code == 200


def test_readiness_reports_a_relay_never_seen_or_silent_as_not_ready(intake, service_runtime):
    database = service_runtime("intake").database
    heartbeat.beat(database, "consumer")
    never = intake.get("http://testserver/intake/readyz")
    assert never.status_code == 503
    assert never.json()["checks"]["relay"] == "never seen"

    with database.transaction() as session:  # the relay beat, then went silent
        session.execute(insert(tables.heartbeat).values(
            process="relay", instance="host:1", beat_at=datetime.now(UTC) - timedelta(minutes=2)))
    silent = intake.get("http://testserver/intake/readyz")
    assert silent.status_code == 503
    assert silent.json()["checks"]["relay"].startswith("stale: last beat 1")  # 120 s
    assert silent.json()["checks"]["consumer"] == "ok"
