"""A service type registered through intake reaches scheduling with no restart,
and so do its later changes (embedded mode: SQLite files, in-process bus)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.scheduling.catalogue.service import keep_service_type
from services.scheduling.models import ServiceType
from shared.events.intake import ServiceTypeChanged, ServiceTypeRegistered
from shared.testing import until

HOME_HELPER = {"code": "home_helper", "names": {"bg": "Домашен помощник", "en": "Home helper"}}
PHONE_FRIEND = {"code": "phone_friend", "names": {"uk": "Телефонний друг", "en": "Telephone friend"},
                "mode": "phone", "staff_roles": ["home_helper"], "default_duration_minutes": 15, "unit": "visit"}


def _scheduling_service_types(api, headers, **params) -> list[dict]:
    return api.get("/scheduling/v1/service-types", headers=headers, params=params).json()


def test_a_service_type_registered_in_intake_shows_up_in_scheduling(api, auth):
    admin = auth("network_admin", "*")
    assert api.post("/intake/v1/code-lists/staff_role", json=HOME_HELPER, headers=admin).status_code == 201
    created = api.post("/intake/v1/service-types", json=PHONE_FRIEND, headers=admin)
    assert created.status_code == 201, created.text
    worker = auth("worker", "UA-LUB")
    until(lambda: _scheduling_service_types(api, worker) == [{**PHONE_FRIEND, "active": True}], timeout=10)

    changed = api.patch("/intake/v1/service-types/phone_friend",
                        json={"default_duration_minutes": 20, "active": False}, headers=admin)
    assert changed.status_code == 200, changed.text
    until(lambda: _scheduling_service_types(api, worker) == [], timeout=10)
    [retired] = _scheduling_service_types(api, worker, include_inactive="true")
    assert (retired["default_duration_minutes"], retired["active"]) == (20, False)
    assert api.get("/scheduling/v1/service-types").status_code == 401


def test_an_older_event_never_overwrites_a_newer_one(system):
    """A retried ``registered`` can arrive after the ``changed`` that followed it."""
    now = datetime.now(UTC)
    facts = dict(PHONE_FRIEND)
    with system.runtimes["scheduling"].database.unit_of_work() as session:
        keep_service_type(ServiceTypeChanged(**facts, active=False), active=False, as_of=now, session=session)
        session.commit()
    with system.runtimes["scheduling"].database.unit_of_work() as session:
        keep_service_type(ServiceTypeRegistered(**facts), active=True, as_of=now - timedelta(seconds=1),
                          session=session)
        session.commit()
        assert session.get(ServiceType, "phone_friend").active is False
        keep_service_type(ServiceTypeChanged(**facts, active=True), active=True, as_of=now + timedelta(seconds=1),
                          session=session)
        session.commit()
        assert session.get(ServiceType, "phone_friend").active is True
