"""Writes to one record run one after the other on both databases: on PostgreSQL the
row lock (``FOR UPDATE``) makes them, on SQLite, which has no row locks, the write lock
that a write transaction takes when it begins (shared/db.py). Simultaneous requests
over a real socket, on intake's care plans and cases."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import text

from shared.db import Database
from shared.testing import at_once, created
from tests.intake.data import FATME, HOME_HELPER, MALKO_TARNOVO, MARIA, NNHM, PHONE_FRIEND, RAKITOVO

TIMES = 20
WORKER_THREADS = 40  # anyio's default limit, which runs FastAPI's sync routes and dependencies


@pytest.fixture
def intake(service_client):
    return service_client("intake")


@pytest.fixture
def http(served_service):
    with httpx.Client(base_url=served_service("intake"), timeout=60) as client:
        yield client


def _register(intake, headers, *steps: tuple[str, dict]) -> list[dict]:
    return [created(intake.post(path, json=body, headers=headers)) for path, body in steps]


@pytest.fixture
def draft_plan(intake, admin) -> dict:
    """Maria's care plan of telephone-friend calls, a draft ready to activate (she consented)."""
    *_, maria = _register(intake, admin, ("/networks", NNHM), ("/municipalities", RAKITOVO),
                          ("/code-lists/staff_role", HOME_HELPER), ("/service-types", PHONE_FRIEND),
                          ("/clients", MARIA))
    consent = {"purpose": "services", "given": True, "decided_on": "2021-07-01"}
    calls = {"starts_on": "2021-07-05", "ends_on": "2021-10-31",
             "lines": [{"service_type": "phone_friend", "per_week": 2}]}
    _, plan = _register(intake, admin, (f"/clients/{maria['id']}/consents", consent),
                        (f"/clients/{maria['id']}/care-plans", calls))
    return plan


@pytest.fixture
def open_case(intake, admin) -> dict:
    """Fatme's case in Malko Tarnovo, open."""
    *_, fatme = _register(intake, admin, ("/municipalities", MALKO_TARNOVO),
                          ("/code-lists/case_category", {"code": "health_access", "names": {"bg": "Здраве"}}),
                          ("/clients", FATME))
    [case] = _register(intake, admin, ("/cases", {"municipality": "BG-MTR", "client_id": fatme["id"],
                                                  "origin": "walk_in", "category": "health_access",
                                                  "title": "Детето няма личен лекар"}))
    return case


def test_simultaneous_activations_of_one_plan_activate_it_once(http, admin, draft_plan, published):
    answers = at_once([lambda: http.post(f"/care-plans/{draft_plan['id']}/activate", headers=admin)] * TIMES)
    assert sorted(a.status_code for a in answers) == [200] + [409] * (TIMES - 1), [a.text for a in answers]
    assert len(published("intake.careplan.activated.v1")) == 1


def test_simultaneous_status_moves_of_one_case_leave_one_history(http, intake, admin, open_case, published):
    """Half ask for "in progress", half for "referred": each accepted move starts where the one before ended."""
    moves = [{"status": "in_progress" if i % 2 else "referred"} for i in range(TIMES)]
    answers = at_once([lambda move=move: http.post(f"/cases/{open_case['id']}/status", json=move, headers=admin)
                       for move in moves])
    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
    case = created(intake.get(f"/cases/{open_case['id']}", headers=admin))
    history = [(c["previous_status"], c["status"]) for c in case["status_changes"]]
    assert [before for before, _ in history] == ["open", *(after for _, after in history[:-1])], history
    assert history[-1][1] == case["status"]
    assert sum(a.status_code == 200 for a in answers) == len(history)
    events = published("intake.case.status_changed.v1")
    assert [(e["data"]["previous_status"], e["data"]["status"]) for e in events] == history


def test_more_simultaneous_writes_than_worker_threads_all_go_through(http, admin, open_case):
    """On SQLite write requests wait for their turn on the event loop: 40 of them waiting in
    the worker threads would leave none for the writer holding the lock to finish its answer."""
    case = {"municipality": "BG-MTR", "client_id": open_case["client_id"], "origin": "walk_in",
            "category": "health_access", "title": "Липсват лични документи"}
    answers = at_once([lambda: http.post("/cases", json=case, headers=admin)] * (WORKER_THREADS * 3 // 2))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers if a.status_code != 201]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_get_answers_while_a_writer_holds_the_lock(intake, admin, service_runtime):
    with _write_lock_held(_path(service_runtime("intake").database)):
        assert intake.get("/municipalities", headers=admin).status_code == 200


def test_a_write_holds_the_lock_from_its_first_statement_and_a_read_never_takes_it(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/locks.db")
    with database.unit_of_work() as writer:
        assert not _write_lock_taken(_path(database))
        writer.execute(text("SELECT 1"))
        assert _write_lock_taken(_path(database))
        with database.unit_of_work(write=False) as reader:
            assert reader.execute(text("SELECT 2")).scalar() == 2
    with database.unit_of_work(write=False) as reader:
        reader.execute(text("SELECT 1"))
        assert not _write_lock_taken(_path(database))
    database.dispose()


def _path(database: Database) -> str:
    return database.url.split("///", 1)[1]


@contextmanager
def _write_lock_held(path: str, wait: float = 5.0) -> Iterator[None]:
    """Another connection's write lock, for as long as the block runs."""
    other = sqlite3.connect(path, isolation_level=None, timeout=wait)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _write_lock_taken(path: str) -> bool:
    """Whether another connection would have to wait to begin writing."""
    try:
        with _write_lock_held(path, wait=0):
            return False
    except sqlite3.OperationalError:
        return True
