"""Intake through its HTTP API, on SQLite and on PostgreSQL (the ``backend`` of tests/conftest.py).

``intake`` is a client of the intake app alone (its events stay in its outbox, where tests
read them with ``published``); ``auth`` and ``admin`` make bearer headers. The catalogue
fixtures register the standard data of ``data.py`` through the API, each piece once:
``register_municipalities(*codes)`` or ``registered_municipalities`` (Rakitovo and Pernik),
``settlements``, ``target_groups``, ``case_categories``, ``staff_roles``, ``home_help``,
``service_types``, ``programmes``; ``catalogue`` is what a client's record refers to.
``register_client`` and ``client_maria`` register people; ``staff_member`` makes a member of
scheduling's staff known."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient

from services.intake.staff.service import keep_staff_member
from shared.bootstrap import Runtime
from shared.events.scheduling import StaffRegistered
from shared.testing import created
from tests.intake import data
from tests.intake.data import Settlements


@pytest.fixture
def intake_runtime(service_runtime) -> Runtime:
    return service_runtime("intake")


@pytest.fixture
def intake(service_client) -> TestClient:
    return service_client("intake")


# -- the standard catalogue ----------------------------------------------------------------------


def _register(intake, admin, path: str, *bodies: dict) -> list[dict]:
    return [created(intake.post(path, json=body, headers=admin)) for body in bodies]


def _code_list(intake, admin, kind: str, entries: list[dict], retired: dict) -> None:
    """The entries, and one more that is retired."""
    _register(intake, admin, f"/code-lists/{kind}", *entries, retired)
    created(intake.patch(f"/code-lists/{kind}/{retired['code']}", json={"active": False}, headers=admin))


@pytest.fixture
def register_municipalities(intake, admin) -> Callable[..., None]:
    """``register_municipalities("BG-MTR", "BG-BGS")``: those of ``data.MUNICIPALITIES`` not yet registered,
    each after its network."""
    registered: set[str] = set()

    def once(path: str, entry: dict) -> None:
        if entry["code"] not in registered:
            _register(intake, admin, path, entry)
            registered.add(entry["code"])

    def register(*codes: str) -> None:
        for code in codes:
            municipality = data.MUNICIPALITIES[code]
            if network := municipality.get("network"):
                once("/networks", data.NETWORKS[network])
            once("/municipalities", municipality)
    return register


@pytest.fixture
def registered_municipalities(register_municipalities) -> None:
    """Rakitovo (in the NNHM network, with translated names) and Pernik (in no network)."""
    register_municipalities("BG-RAK", "BG-PER")


@pytest.fixture
def settlements(intake, admin, registered_municipalities) -> Settlements:
    """Rakitovo and Kostandovo in Rakitovo, Pernik in Pernik: all towns."""
    ids = {attribute: created(intake.post(f"/municipalities/{municipality}/settlements", headers=admin,
                                          json={"name": name, "kind": "town"}))["id"]
           for attribute, (municipality, name) in data.SETTLEMENTS.items()}
    return Settlements(**ids)


@pytest.fixture
def target_groups(intake, admin) -> None:
    _code_list(intake, admin, "target_group", data.TARGET_GROUPS, data.RETIRED_TARGET_GROUP)


@pytest.fixture
def case_categories(intake, admin) -> None:
    entries = [{"code": code, "names": {"bg": name}} for code, name in data.CATEGORIES.items()]
    _code_list(intake, admin, "case_category", entries, data.RETIRED_CATEGORY)


@pytest.fixture
def staff_roles(intake, admin) -> None:
    _register(intake, admin, "/code-lists/staff_role", data.HOME_HELPER, data.NURSE)


@pytest.fixture
def catalogue(register_municipalities, settlements, target_groups) -> Settlements:
    """What a client's record refers to: Rakitovo, Pernik and Lubny, settlements and target groups."""
    register_municipalities("UA-LUB")
    return settlements


@pytest.fixture
def home_help(intake, admin, registered_municipalities, staff_roles) -> dict:
    """The home help service type, as registered."""
    [registered] = _register(intake, admin, "/service-types", data.HOME_HELP)
    return registered


@pytest.fixture
def service_types(intake, admin, home_help) -> list[dict]:
    """Home help, telephone friend and counselling, as registered."""
    return [home_help, *_register(intake, admin, "/service-types", data.PHONE_FRIEND, data.COUNSELLING)]


@pytest.fixture
def programmes(intake, admin, service_types) -> list[dict]:
    """Patronage in Rakitovo (home help, telephone friend), the Pernik centre (counselling)."""
    return _register(intake, admin, "/programmes", data.PATRONAGE, data.PERNIK_CENTRE)


# -- people --------------------------------------------------------------------------------------


@pytest.fixture
def register_client(intake, admin) -> Callable[..., dict]:
    """``register_client(data.FATME)`` -> the registered client; by the network admin unless
    ``headers`` say who."""
    def register(body: dict = data.MARIA, headers: dict | None = None) -> dict:
        return created(intake.post("/clients", json=body, headers=headers or admin))
    return register


@pytest.fixture
def client_maria(registered_municipalities, register_client) -> dict:
    """Maria Petrova of Rakitovo, as registered."""
    return register_client(data.MARIA)


@pytest.fixture
def staff_member(intake_runtime) -> Callable[..., uuid.UUID]:
    """``staff_member("mediator-ivanova", "BG-MTR")``: a member of staff made known to intake
    as scheduling's StaffRegistered makes them (its handler's service function); their id."""
    def known(subject: str, municipality: str, *, roles: Iterable[str] = ("home_helper",),
              left_on: date | None = None, staff_id: uuid.UUID | None = None) -> uuid.UUID:
        staff_id = staff_id or uuid.uuid4()
        with intake_runtime.database.transaction() as session:
            keep_staff_member(StaffRegistered(staff_id=staff_id, subject=subject, municipality=municipality,
                                              roles=list(roles), left_on=left_on),
                              as_of=datetime.now(UTC), session=session)
        return staff_id
    return known
