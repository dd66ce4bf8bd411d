"""The thin flow through all four services, and the errors every API shares."""
from __future__ import annotations

import pytest

from shared.messaging.tables import outbox
from tests.messaging.support import until

RAKITOVO = {"code": "BG-RAK", "name": "Ракитово", "language": "bg", "timezone": "Europe/Sofia"}
PERNIK = {"code": "BG-PER", "name": "Перник", "language": "bg", "timezone": "Europe/Sofia"}


def _register(api, auth, *municipalities):
    for m in municipalities:
        assert api.post("/intake/v1/municipalities", json=m, headers=auth("network_admin", "*")).status_code == 201


def _client(municipality="BG-RAK"):
    return {"municipality": municipality, "given_name": "Мария", "family_name": "Петрова", "phone": "+359 888 100 201"}


def test_a_registered_client_is_counted_in_reporting(api, auth):
    _register(api, auth, RAKITOVO)
    created = api.post("/intake/v1/clients", json=_client(), headers=auth("coordinator", "BG-RAK"))
    assert created.status_code == 201, created.text
    analyst = auth("analyst", "BG-RAK")

    def counted():
        body = api.get("/reporting/v1/indicators/clients?municipality=BG-RAK", headers=analyst).json()
        return body == [{"municipality": "BG-RAK", "registered_clients": 1}]

    until(counted, timeout=10)


@pytest.mark.parametrize("service", ["scheduling", "notifications"])
def test_scheduling_and_notifications_keep_a_replica_of_municipalities(api, auth, service):
    _register(api, auth, RAKITOVO, PERNIK)
    admin = auth("network_admin", "*")
    until(lambda: len(api.get(f"/{service}/v1/municipalities", headers=admin).json()) == 2, timeout=10)
    scoped = api.get(f"/{service}/v1/municipalities", headers=auth("worker", "BG-PER")).json()
    assert [m["code"] for m in scoped] == ["BG-PER"]


def test_the_event_carries_no_personal_data(api, auth, system):
    _register(api, auth, RAKITOVO)
    api.post("/intake/v1/clients", json=_client(), headers=auth("coordinator", "BG-RAK"))
    with system.runtimes["intake"].database.unit_of_work() as session:
        bodies = [row.body for row in session.execute(outbox.select())]
    assert any("intake.client.registered.v1" in b for b in bodies)
    assert not any("Петрова" in b or "888 100 201" in b or "888100201" in b for b in bodies)


def test_requests_without_a_valid_token_get_401(api):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        answer = api.get("/intake/v1/municipalities", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == 401


def test_outside_your_municipalities_is_403_and_others_records_are_404(api, auth):
    _register(api, auth, RAKITOVO, PERNIK)
    pernik = auth("coordinator", "BG-PER")
    assert api.post("/intake/v1/clients", json=_client("BG-RAK"), headers=pernik).status_code == 403
    assert api.post("/intake/v1/municipalities", json={**RAKITOVO, "code": "BG-X1"}, headers=pernik).status_code == 403
    created = api.post("/intake/v1/clients", json=_client("BG-RAK"), headers=auth("coordinator", "BG-RAK")).json()
    answer = api.get(f"/intake/v1/clients/{created['id']}", headers=pernik)
    assert answer.status_code == 404
    assert "Мария" not in answer.text
    assert api.get(f"/intake/v1/clients/{created['id']}", headers=auth("worker", "BG-RAK")).status_code == 200
    assert api.get("/reporting/v1/indicators/clients?municipality=BG-RAK", headers=pernik).status_code == 403


@pytest.mark.parametrize("body, field", [
    ({**RAKITOVO, "timezone": "Mars/Olympus"}, "timezone"),
    ({**RAKITOVO, "code": "lower case"}, "code"),
    ({**RAKITOVO, "language": "de"}, "language"),
    ({k: v for k, v in RAKITOVO.items() if k != "name"}, "name"),
])
def test_bad_input_is_422_naming_the_field(api, auth, body, field):
    answer = api.post("/intake/v1/municipalities", json=body, headers=auth("network_admin", "*"))
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert field in answer.json()["detail"]


def test_unknown_municipality_and_duplicates_are_client_errors(api, auth):
    admin = auth("network_admin", "*")
    answer = api.post("/intake/v1/clients", json=_client("BG-ZZZ"), headers=admin)
    assert (answer.status_code, answer.json()["field"]) == (422, "municipality")
    _register(api, auth, RAKITOVO)
    again = api.post("/intake/v1/municipalities", json=RAKITOVO, headers=admin)
    assert (again.status_code, again.json()["field"]) == (409, "code")
    assert api.get("/intake/v1/clients/not-a-uuid", headers=admin).status_code == 422


@pytest.mark.parametrize("service", ["intake", "scheduling", "notifications", "reporting"])
def test_every_service_has_health_readiness_metrics_and_docs(api, service):
    assert api.get(f"/{service}/healthz").json() == {"status": "ok", "service": service}
    ready = api.get(f"/{service}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert "carecircle_http_requests_total" in api.get(f"/{service}/metrics").text
    assert api.get(f"/{service}/openapi.json").json()["info"]["title"] == f"CareCircle {service}"
    assert api.get(f"/{service}/docs").status_code == 200


def test_a_trace_id_comes_back_and_travels_with_the_event(api, auth, system):
    _register(api, auth, RAKITOVO)
    parent = "00-" + "c" * 32 + "-" + "d" * 16 + "-01"
    answer = api.post("/intake/v1/clients", json=_client(), headers={**auth("coordinator", "BG-RAK"), "traceparent": parent})
    assert answer.headers["traceparent"].startswith("00-" + "c" * 32)
    with system.runtimes["intake"].database.unit_of_work() as session:
        bodies = [row.body for row in session.execute(outbox.select().where(outbox.c.type == "intake.client.registered.v1"))]
    assert "c" * 32 in bodies[0]


def test_http_metrics_are_labelled_by_route_template(api, auth):
    api.get("/intake/v1/clients/7d4c6f0e-8a57-4b7e-9a53-1f7e2c1d9b10", headers=auth("network_admin", "*"))
    metrics = api.get("/intake/metrics").text
    assert 'route="/v1/clients/{client_id}",service="intake",status="404"' in metrics


def test_a_path_value_equal_to_a_route_word_keeps_the_template(api, auth):
    api.get("/intake/v1/programmes/programmes", headers=auth("network_admin", "*"))
    assert 'route="/v1/programmes/{code}",service="intake",status="404"' in api.get("/intake/metrics").text
