"""Celery for a service's background tasks, on Redis (eager in embedded mode)."""
from __future__ import annotations

from celery import Celery

from shared.db import Database
from shared.messaging.topology import task_queue
from shared.settings import Settings


def make_celery(service: str, settings: Settings, database: Database) -> Celery:
    app = Celery(f"carecircle.{service}", broker=settings.redis_url, backend=settings.redis_url)
    app.conf.update(
        task_default_queue=task_queue(settings.namespace, service),
        task_always_eager=settings.celery_eager,
        task_eager_propagates=True,
        # A task is acknowledged after it ran, and given back if its worker dies,
        # so a killed worker loses nothing (acks_late alone would drop it).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Long waits are rows swept by a periodic task, never ETA tasks, so a
        # task is never held past this timeout and run twice.
        broker_transport_options={"visibility_timeout": 3600},
        result_expires=3600,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=f"{service}.health")
    def health() -> dict:
        """Run by a worker to show it is alive and reaches its database."""
        database.ping()
        return {"service": service, "database": "ok"}

    return app
