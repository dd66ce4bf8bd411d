"""Celery: eager in embedded mode, a real worker process on Redis otherwise."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shared import testing
from shared.db import Database
from shared.settings import Settings
from shared.worker import make_celery


def test_eager_tasks_run_in_process(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/x.db")
    app = make_celery("notifications", Settings(environment="test", jwt_secret="s" * 32, celery_eager=True), database)
    assert app.tasks["notifications.health"].delay().get() == {"service": "notifications", "database": "ok"}


def test_a_killed_worker_gives_its_task_back():
    app = make_celery("reporting", Settings(environment="test", jwt_secret="s" * 32), Database("sqlite://"))
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


@pytest.mark.servers
def test_a_worker_process_runs_tasks_from_redis(postgres_database, namespace):
    url = postgres_database("worker")
    env = {**os.environ, "CARECIRCLE_DATABASE_URL": url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
           "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace}
    worker = subprocess.Popen([sys.executable, "-m", "services.cli", "worker", "notifications", "--concurrency", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        settings = Settings(environment="test", jwt_secret="s" * 32, redis_url=testing.REDIS_URL,
                            celery_eager=False, namespace=namespace)
        app = make_celery("notifications", settings, Database(url))
        result = app.send_task("notifications.health")
        assert result.get(timeout=60) == {"service": "notifications", "database": "ok"}
    finally:
        worker.terminate()
        worker.wait(30)
