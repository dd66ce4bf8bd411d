"""Tasks are plain functions in a service's registry; the worker owns their
transaction, so a task calls the same service functions as a route or a handler."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.intake.catalogue.schemas import NetworkCreate
from services.intake.catalogue.service import register_network
from services.intake.models import Network
from services.registry import service_spec
from shared.db import Database
from shared.migrations import upgrade
from shared.settings import Settings
from shared.tasks import FollowUps, TaskRegistry
from shared.testing import until
from shared.worker import make_celery, run_beat_in_process

SETTINGS = Settings(environment="test", jwt_secret="s" * 32, celery_eager=True)


@pytest.fixture
def intake_database(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path}/intake.db")
    spec = service_spec("intake")
    upgrade(str(spec.migrations), database, spec.metadata)
    return database


def _tasks() -> TaskRegistry:
    tasks = TaskRegistry()

    @tasks.task("register_network", every=timedelta(minutes=5))
    def register(*, session, code: str, fail: bool = False) -> str:
        network = register_network(NetworkCreate(code=code, name=f"Network {code}"), session=session)
        if fail:
            raise RuntimeError("the task failed after its change")
        return network.code

    return tasks


def _network(database: Database, code: str) -> Network | None:
    with database.unit_of_work() as session:
        return session.get(Network, code)


def test_a_task_commits_what_its_service_function_changed(intake_database):
    app = make_celery("intake", SETTINGS, intake_database, _tasks())
    assert app.tasks["intake.register_network"].delay(code="BG-TSK").get() == "BG-TSK"
    assert _network(intake_database, "BG-TSK") is not None


def test_a_failing_task_commits_nothing(intake_database):
    app = make_celery("intake", SETTINGS, intake_database, _tasks())
    with pytest.raises(RuntimeError):
        app.tasks["intake.register_network"].delay(code="BG-ERR", fail=True).get()
    assert _network(intake_database, "BG-ERR") is None


def test_periodic_tasks_make_the_beat_schedule(intake_database):
    app = make_celery("intake", SETTINGS, intake_database, _tasks())
    assert app.conf.beat_schedule == {
        "intake.register_network": {"task": "intake.register_network", "schedule": 300.0}}


def test_a_task_name_is_registered_once():
    tasks = _tasks()
    with pytest.raises(ValueError, match="twice"):
        tasks.task("register_network")(lambda *, session: None)


def test_embedded_beat_runs_each_periodic_task_when_due_and_survives_a_failure(tmp_path):
    """Embedded mode has no beat process: a thread sends the due tasks to eager Celery."""
    runs: list[str] = []
    tasks = TaskRegistry()

    @tasks.task("often", every=timedelta(milliseconds=20))
    def often(*, session) -> None:
        runs.append("often")

    @tasks.task("broken", every=timedelta(milliseconds=20))
    def broken(*, session) -> None:
        runs.append("broken")
        raise RuntimeError("a periodic task failed")

    @tasks.task("daily", every=timedelta(days=1))
    def daily(*, session) -> None:
        runs.append("daily")

    app = make_celery("intake", SETTINGS, Database(f"sqlite:///{tmp_path}/beat.db"), tasks)
    stop = threading.Event()
    beat = threading.Thread(target=run_beat_in_process, args=([(app, "intake", tasks)], stop), kwargs={"tick": 0.005})
    beat.start()
    until(lambda: runs.count("often") >= 3 and runs.count("broken") >= 3, timeout=10)
    stop.set()
    beat.join(5)
    assert runs.count("daily") == 1  # due at start, then not for a day


def test_follow_up_tasks_run_after_the_task_committed_and_not_when_it_failed(intake_database):
    tasks = _tasks()
    seen: list[tuple[str, bool]] = []

    @tasks.task("sweep")
    def sweep(*, session, codes: list[str], fail: bool = False) -> FollowUps:
        register_network(NetworkCreate(code="BG-FAIL" if fail else "BG-SWP", name="Swept"), session=session)
        if fail:
            raise RuntimeError("the sweep failed")
        return FollowUps([("look", {"code": code}) for code in codes])

    @tasks.task("look")
    def look(*, session, code: str) -> None:
        seen.append((code, session.get(Network, "BG-SWP") is not None))  # the sweep's change is there

    app = make_celery("intake", SETTINGS, intake_database, tasks)
    assert app.tasks["intake.sweep"].delay(codes=["a", "b"]).get() == 2
    assert seen == [("a", True), ("b", True)]
    with pytest.raises(RuntimeError):
        app.tasks["intake.sweep"].delay(codes=["c"], fail=True).get()
    assert seen == [("a", True), ("b", True)]


def test_a_batch_task_commits_each_item_on_its_own(intake_database):
    """A batch whose third item fails keeps the first two: each ran in a transaction of its own."""
    tasks = TaskRegistry()

    @tasks.task("register_networks", each="code")
    def register(*, session, code: str) -> str:
        if code == "BG-BAD":
            raise RuntimeError("this one fails")
        return register_network(NetworkCreate(code=code, name=f"Network {code}"), session=session).code

    app = make_celery("intake", SETTINGS, intake_database, tasks)
    assert app.tasks["intake.register_networks"].delay(batch=["BG-ONE", "BG-TWO"]).get() == ["BG-ONE", "BG-TWO"]
    with pytest.raises(RuntimeError):
        app.tasks["intake.register_networks"].delay(batch=["BG-THR", "BG-FOU", "BG-BAD", "BG-FIV"]).get()
    assert [_network(intake_database, code) is not None for code in ("BG-THR", "BG-FOU", "BG-FIV")] == [
        True, True, False]
    assert FollowUps.batches("register_networks", list("abcde"), 2).tasks == [
        ("register_networks", {"batch": ["a", "b"]}), ("register_networks", {"batch": ["c", "d"]}),
        ("register_networks", {"batch": ["e"]})]


def test_a_batch_task_prepares_once_what_its_items_share(intake_database):
    """``prepare`` reads once for the batch (here: the networks known before it) and each item is given its answer."""
    tasks, prepared = TaskRegistry(), []

    def known_networks(*, session, batch: list[str]) -> dict:
        prepared.append(list(batch))
        return {"known": set(session.scalars(select(Network.code).where(Network.code.in_(batch))))}

    @tasks.task("register_networks", each="code", prepare=known_networks)
    def register(*, session, code: str, known: set[str]) -> bool:
        if code not in known:
            register_network(NetworkCreate(code=code, name=f"Network {code}"), session=session)
        return code in known

    app = make_celery("intake", SETTINGS, intake_database, tasks)
    assert app.tasks["intake.register_networks"].delay(batch=["BG-ONE", "BG-TWO"]).get() == [False, False]
    assert app.tasks["intake.register_networks"].delay(batch=["BG-TWO", "BG-THR"]).get() == [True, False]
    assert prepared == [["BG-ONE", "BG-TWO"], ["BG-TWO", "BG-THR"]]
    assert _network(intake_database, "BG-THR") is not None
