"""A plan of routes made by a real Celery worker on PostgreSQL and Redis, handed to it by the
sweep (its task reads the day, lets go of its transaction, searches, then keeps the plan)."""
from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.scheduling.catalogue.service import keep_municipality, keep_service_type, keep_staff_role
from services.scheduling.models import CarePlan, RoutePlan
from services.scheduling.plans import service as plans
from services.scheduling.plans.schemas import PlanCreate
from services.scheduling.staff.schemas import AvailabilityWindow, StaffCreate
from services.scheduling.staff.service import register_staff
from services.scheduling.visits.service import extend_horizons
from shared import testing
from shared.auth import Principal
from shared.db import Database
from shared.events.intake import CodeRegistered, MunicipalityRegistered, ServiceTypeRegistered
from shared.settings import Settings
from shared.testing import until
from shared.worker import make_celery

COORDINATOR = Principal(subject="coord", roles=frozenset({"coordinator"}), municipalities=frozenset({"BG-RAK"}))
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def database(migrated_postgres) -> Database:
    return migrated_postgres("scheduling")


def a_day(database: Database, day, now: datetime) -> None:
    """Rakitovo with two helpers and five clients with a visit that day."""
    week = [AvailabilityWindow(day=weekday, start="07:00", end="19:00") for weekday in EVERY_DAY]
    line = {"service_type": "home_help", "unit": "visit", "per_week": 7, "duration_minutes": 60,
            "preferred_days": EVERY_DAY, "time_windows": [{"start": "08:00", "end": "16:00"}],
            "preferred_worker": None, "place": "home"}
    with database.transaction() as session:
        keep_municipality(MunicipalityRegistered(code="BG-RAK", name="Ракитово", language="bg",
                                                 timezone="Europe/Sofia"), as_of=now, session=session)
        keep_staff_role(CodeRegistered(kind="staff_role", code="home_helper", names={"en": "Home helper"}),
                        active=True, as_of=now, session=session)
        keep_service_type(ServiceTypeRegistered(code="home_help", names={"en": "Home help"}, mode="home_visit",
                                                staff_roles=["home_helper"], default_duration_minutes=60,
                                                unit="visit"), active=True, as_of=now, session=session)
        for number in range(2):
            register_staff(StaffCreate(municipality="BG-RAK", subject=f"helper-{number}", display_name="Helper",
                                       roles=["home_helper"], contracted_hours_per_week=40, availability=week,
                                       base_location={"latitude": 42.09, "longitude": 24.0 + number / 10}),
                           session=session)
        session.add_all([CarePlan(id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="BG-RAK",
                                  status="active", starts_on=day, ends_on=day, latitude=42.09 + number / 50,
                                  longitude=24.0 + number / 40, settlement_id=None,
                                  lines=[{**line, "line_id": str(uuid.uuid4())}], planned_until=None, as_of=now)
                         for number in range(5)])
        session.flush()
        extend_horizons(now=now, session=session)


@pytest.mark.servers
def test_a_real_worker_makes_the_plan_the_sweep_hands_it(database, namespace, tmp_path):
    now = datetime.now(UTC)
    day = now.date() + timedelta(days=2)
    a_day(database, day, now)
    with database.transaction() as session:
        plan_id = plans.ask(PlanCreate(municipality="BG-RAK", first_day=day, seconds=2), COORDINATOR, now=now,
                            session=session).id
    settings = Settings(environment="test", jwt_secret="s" * 32, redis_url=testing.REDIS_URL, celery_eager=False,
                        namespace=namespace, database_url=database.url)
    env = {**os.environ, "CARECIRCLE_DATABASE_URL": database.url, "CARECIRCLE_REDIS_URL": testing.REDIS_URL,
           "CARECIRCLE_CELERY_EAGER": "false", "CARECIRCLE_NAMESPACE": namespace}
    worker = testing.start_worker("scheduling", env, tmp_path / "worker.log")
    try:
        assert make_celery("scheduling", settings, database).send_task("scheduling.sweep_route_plans").get(
            timeout=60) == 1
        until(lambda: status(database, plan_id) == "ready", timeout=60)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    with database.unit_of_work(write=False) as session:
        result = plans.shown(session.get(RoutePlan, plan_id), now=datetime.now(UTC)).result
    assert result is not None and result.proposed.visits == 5 and result.unassigned == []


def status(database: Database, plan_id: uuid.UUID) -> str:
    with database.unit_of_work(write=False) as session:
        return session.get(RoutePlan, plan_id).status
