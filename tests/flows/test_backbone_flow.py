"""The thin flow through the four services embedded in one process: what intake
publishes reaches the services that count it or keep a copy of it."""
from __future__ import annotations

import pytest

from shared.testing import around_today, created, indicator, until
from tests.intake.data import MARIA, NNHM, PERNIK, RAKITOVO


def _register(api, admin, *municipalities):
    created(api.post("/intake/v1/networks", json=NNHM, headers=admin))
    for municipality in municipalities:
        created(api.post("/intake/v1/municipalities", json=municipality, headers=admin))


def test_a_registered_client_is_counted_in_reporting(api, auth, admin):
    _register(api, admin, RAKITOVO)
    created(api.post("/intake/v1/clients", json=MARIA, headers=auth("coordinator", "BG-RAK")))
    coordinator = auth("coordinator", "BG-RAK")  # who sees small counts as they are

    def counted():
        answer = api.get("/reporting/v1/indicators", params={"municipality": "BG-RAK", **around_today()},
                         headers=coordinator)  # 404 until reporting has heard of the town
        body = answer.json()
        return answer.status_code == 200 and body["municipalities"] == ["BG-RAK"] \
            and indicator(body, "clients_registered") == 1

    until(counted, timeout=10)


@pytest.mark.parametrize("service", ["scheduling", "notifications"])
def test_scheduling_and_notifications_keep_a_replica_of_municipalities(api, auth, admin, service):
    _register(api, admin, RAKITOVO, PERNIK)
    until(lambda: len(api.get(f"/{service}/v1/municipalities", headers=admin).json()) == 2, timeout=10)
    scoped = api.get(f"/{service}/v1/municipalities", headers=auth("worker", "BG-PER")).json()
    assert [m["code"] for m in scoped] == ["BG-PER"]
