"""Celery for a service's background tasks, on Redis (eager in embedded mode)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Celery, Task as CeleryTask

from shared.db import Database
from shared.messaging.topology import task_queue
from shared.settings import Settings
from shared.tasks import FollowUps, Prepare, Task, TaskRegistry, task_name

log = logging.getLogger(__name__)


# Celery runs an eager task with a process-wide "a join would block" flag set, and puts back
# what it found on the way out: two threads running eager tasks at once (embedded mode's beat,
# a test's own call) can leave it set for good, and every result.get() after raises. One
# eager task at a time in a process (re-entrant: a task's follow-ups run inside it).
_EAGER = threading.RLock()


class _Task(CeleryTask):
    def apply_async(self, *args: Any, **kwargs: Any) -> Any:
        if not self.app.conf.task_always_eager:
            return super().apply_async(*args, **kwargs)
        with _EAGER:
            return super().apply_async(*args, **kwargs)


def make_celery(service: str, settings: Settings, database: Database,
                tasks: TaskRegistry | None = None) -> Celery:
    app = Celery(f"carecircle.{service}", broker=settings.redis_url, backend=settings.redis_url, task_cls=_Task)
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
    tasks = tasks or TaskRegistry()
    for name, function in tasks.tasks.items():
        body = _for_each(function, database, tasks.each[name], tasks.prepare.get(name)) if name in tasks.each else \
            _in_transaction(function, database, app, service)
        app.task(name=task_name(service, name), shared=False)(body)
    app.conf.beat_schedule = {task_name(service, name): {"task": task_name(service, name),
                                                         "schedule": every.total_seconds()}
                              for name, every in tasks.beat.items()}

    @app.task(name=task_name(service, "health"), shared=False)
    def health() -> dict:
        """Run by a worker to show it is alive and reaches its database."""
        database.ping()
        return {"service": service, "database": "ok"}

    return app


# A service's Celery app, its name and its tasks: what embedded mode's beat sends.
Beat = tuple[Celery, str, TaskRegistry]


def run_beat_in_process(beats: list[Beat], stop: threading.Event, *, tick: float = 1.0) -> None:
    """Embedded mode's beat: sends each periodic task of every service when it is due (eager
    Celery runs it in this thread), until ``stop``. A failing task is logged and tried at its
    next turn. One thread for all: Celery's eager send flips a process-wide "a join would
    block" flag and restores it on the way out, which two threads at once leave set."""
    next_run = {(service, name): 0.0 for _, service, tasks in beats for name in tasks.beat}
    while not stop.is_set():
        for celery, service, tasks in beats:
            for name, every in tasks.beat.items():
                if time.monotonic() >= next_run[service, name]:
                    next_run[service, name] = time.monotonic() + every.total_seconds()
                    _send(celery, task_name(service, name))
        stop.wait(tick)


def _send(celery: Celery, task: str) -> None:
    try:
        celery.tasks[task].delay()
    except Exception:  # one failing periodic task must not stop the others
        log.exception("periodic task %s failed", task)


def _in_transaction(function: Task, database: Database, app: Celery, service: str) -> Task:
    """The task body: the function's effects commit together when it returns; the follow-up
    tasks it answers are sent after that (eagerly run in embedded mode)."""
    def run(**arguments: Any) -> Any:
        with database.transaction() as session:
            result = function(session=session, **arguments)
        if isinstance(result, FollowUps):
            for name, task_arguments in result.tasks:
                app.tasks[task_name(service, name)].apply_async(kwargs=task_arguments)
            return len(result.tasks)
        return result
    return _named_as(function, run)


def _for_each(function: Task, database: Database, each: str, prepare: Prepare | None) -> Task:
    """A batch task's body: ``prepare`` once, then the function for each item of ``batch``,
    committed one by one on one connection (taken once, not per item: the items are many)."""
    def run_batch(*, batch: list[Any], **arguments: Any) -> list[Any]:
        results = []
        with database.one_connection() as session:
            shared = prepare(session=session, batch=batch) if prepare else {}
            session.commit()
            for value in batch:
                results.append(function(session=session, **arguments, **shared, **{each: value}))
                session.commit()
        return results
    return _named_as(function, run_batch)


def _named_as(function: Task, body: Task) -> Task:
    """``body`` under ``function``'s name and docstring, as logs and tracebacks show it."""
    body.__name__ = body.__qualname__ = function.__name__
    body.__doc__ = function.__doc__
    return body
