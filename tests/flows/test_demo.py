"""The demo data of `make run` loads through the service functions, once, and
its events reach the other services."""
from __future__ import annotations

from services.demo import load_demo
from services.intake.demo import data
from services.scheduling.demo import DATA as SCHEDULING_DATA
from shared.testing import until


def test_demo_data_loads_once_and_flows_to_the_other_services(system, api, auth):
    databases = {name: runtime.database for name, runtime in system.runtimes.items()}
    assert load_demo(databases) is True
    assert load_demo(databases) is False  # a second start keeps what is there
    admin = auth("network_admin", "*")
    staff = api.get("/scheduling/v1/staff", params={"municipality": "BG-RAK", "role": "home_helper"},
                    headers=admin).json()
    assert staff["total"] == 5  # Rakitovo's five home helpers (seed 002)
    assert api.get("/scheduling/v1/staff", headers=admin).json()["total"] == len(SCHEDULING_DATA["staff"])

    municipalities = api.get("/intake/v1/municipalities", headers=admin).json()
    assert sorted(m["code"] for m in municipalities) == sorted(m["code"] for m in data.MUNICIPALITIES)
    rakitovo = api.get("/intake/v1/clients?municipality=BG-RAK", headers=admin).json()
    assert rakitovo["total"] == sum(1 for c in data.CLIENTS if c[1] == "BG-RAK")

    def counted() -> bool:
        counts = api.get("/reporting/v1/indicators/clients", headers=admin).json()
        return sum(c["registered_clients"] for c in counts) == len(data.CLIENTS)

    until(counted, timeout=15)
    until(lambda: len(api.get("/scheduling/v1/service-types", headers=admin).json()) == len(data.SERVICE_TYPES),
          timeout=15)
    # Rakitovo's active plans reach scheduling, which plans their visits and gives them to the helpers.
    until(lambda: api.get("/scheduling/v1/visits", params={"municipality": "BG-RAK"}, headers=admin)
          .json()["total"] > 0, timeout=15)
    assert api.get("/scheduling/v1/visits", params={"unstaffed": "true"}, headers=admin).json()["total"] == 0
    overdue = api.get("/intake/v1/follow-ups/overdue", headers=admin).json()
    assert [item["category"] for item in overdue["items"]] == ["health_access"]


def test_every_seed_programme_is_in_the_demo():
    """The five programme descriptions of ../shared/seeds, by where they run."""
    places = {frozenset(p["municipalities"]) for p in data.PROGRAMMES}
    assert {frozenset({"BG-MTR", "BG-BGS"}), frozenset({"BG-RAK"}), frozenset({"BG-PER"}),
            frozenset({"UA-LUB"})} <= places
    assert any(m.startswith("PL-") for p in data.PROGRAMMES for m in p["municipalities"])
