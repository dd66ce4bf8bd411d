"""A report made by a real Celery worker on PostgreSQL and Redis, handed to it by the sweep
(the lease that hands a dead worker's report to another: test_reports.py)."""
from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.registry import service_spec
from services.reporting.models import Report, ReportPlace, ReportSection
from services.reporting.reports.rules import SECTIONS
from shared import testing
from shared.bootstrap import Runtime, broker_factory
from shared.db import Database
from shared.settings import Settings
from shared.testing import until
from shared.worker import make_celery
from tests.reporting.generated import network


@pytest.fixture
def database(migrated_postgres) -> Database:
    return migrated_postgres("reporting")


def ask(database: Database) -> uuid.UUID:
    report_id = uuid.uuid4()
    with database.transaction() as session:
        session.add(Report(report_id=report_id, municipality=None, network="bg-health", programme=None,
                           first_day=datetime(2021, 1, 1).date(), last_day=datetime(2021, 12, 31).date(),
                           language="bg", age_bands=[18, 54, 65, 80], status="queued", sections_total=len(SECTIONS),
                           requested_by="test", requested_at=datetime.now(UTC)))
        session.add_all([ReportPlace(report_id=report_id, municipality=code) for code in ("BG-BGS", "BG-MTR")])
    return report_id


def status(database: Database, report_id: uuid.UUID) -> tuple[str, int]:
    with database.unit_of_work(write=False) as session:
        made = session.scalar(select(func.count()).where(ReportSection.report_id == report_id))
        return session.get(Report, report_id).status, made


@pytest.mark.servers
def test_a_real_worker_makes_the_report_the_sweep_hands_it(database, namespace, tmp_path):
    settings = Settings(environment="test", jwt_secret="s" * 32, redis_url=testing.REDIS_URL, celery_eager=False,
                        namespace=namespace, database_url=database.url)
    Runtime(service_spec("reporting"), settings, broker_factory(settings)).consumer().apply(network(seed=3))
    env = {**os.environ, "CARECIRCLE_DATABASE_URL": database.url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
           "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace}
    worker = testing.start_worker("reporting", env, tmp_path / "worker.log")
    celery = make_celery("reporting", settings, database)
    try:
        report_id = ask(database)
        celery.send_task("reporting.sweep_reports").get(timeout=60)
        until(lambda: status(database, report_id) == ("made", len(SECTIONS)), timeout=60)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
