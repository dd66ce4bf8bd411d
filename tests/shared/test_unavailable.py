"""A dependency that is away is a 503 with ``Retry-After``, never a 500."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from kombu.exceptions import OperationalError as TaskBrokerUnavailable

from shared import testing
from shared.messaging.broker import BrokerUnavailable
from shared.testing import assert_problem
from shared.web import install_problem_handlers


@pytest.mark.servers
@pytest.mark.parametrize("backend", ["postgresql"])
def test_reads_answer_503_while_the_database_is_away_then_200_again(service_client, service_runtime, backend):
    reporting = service_client("reporting")
    analyst = testing.bearer("analyst", "BG-RAK")
    indicators = "/indicators?month=2021-07"
    assert reporting.get(indicators, headers=analyst).status_code == 200

    with testing.database_away(service_runtime("reporting").database.url.rsplit("/", 1)[1]):
        answer = reporting.get(indicators, headers=analyst)
        ready = reporting.get("http://testserver/reporting/readyz")

    assert_problem(answer, 503)
    assert answer.headers["Retry-After"] == "5"
    assert "select" not in answer.text.lower()  # nothing of the statement in the answer
    assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("failed")
    assert reporting.get(indicators, headers=analyst).status_code == 200


@pytest.mark.parametrize("away", [BrokerUnavailable("connection refused"),
                                  TaskBrokerUnavailable("Error 111 connecting to redis")])
def test_a_broker_that_is_away_is_503_too(away):
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/enqueue")
    def enqueue() -> None:
        raise away

    answer = TestClient(app).get("/enqueue")
    assert_problem(answer, 503)
    assert answer.headers["Retry-After"] == "5"
