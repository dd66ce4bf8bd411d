"""A service's background tasks as plain functions in a registry, like its event
handlers: ``(session=..., **arguments)``. The task owns the transaction (the
worker commits when the function returns), so a task can call the same service
functions as a route or a handler. Periodic tasks carry their schedule here.

A task registered with ``each="message_id"`` runs for a batch: Celery carries one task
with ``batch=[...]``, and the function runs for each value as ``message_id`` in a
transaction of its own, so what one item did stays done if the worker dies at the next
(a batch saves the broker's round trips, not the items' safety). With ``prepare``, what the
items share is read once for the batch: ``prepare(session=..., batch=[...])`` answers the
further arguments each item is given (a lookup for them all), in a transaction of its own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

Task = Callable[..., Any]  # (*, session, **arguments) -> a JSON-serialisable result, or FollowUps
Prepare = Callable[..., dict[str, Any]]  # (*, session, batch) -> further arguments of each item


@dataclass(frozen=True)
class FollowUps:
    """What a task answers to have more tasks of its service run, each with its arguments:
    they are sent once its transaction has committed, so none runs on a change that did not
    happen (a sweep hands each message it found to a task of its own). The task's result is
    how many."""

    tasks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def batches(cls, task: str, values: list[Any], size: int) -> FollowUps:
        """``task`` (registered with ``each``) for ``values``, ``size`` to a batch."""
        return cls([(task, {"batch": values[start:start + size]}) for start in range(0, len(values), size)])


def task_name(service: str, name: str) -> str:
    """The Celery name of a service's task, e.g. ``notifications.sweep_reminders``."""
    return f"{service}.{name}"


class TaskRegistry:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.beat: dict[str, timedelta] = {}  # periodic task -> how often it runs
        self.each: dict[str, str] = {}  # batch task -> the argument each item is given as
        self.prepare: dict[str, Prepare] = {}  # batch task -> what reads what its items share

    def task(self, name: str, *, every: timedelta | None = None, each: str | None = None,
             prepare: Prepare | None = None) -> Callable[[Task], Task]:
        """Registers a task under ``name``; with ``every`` it also runs on that schedule; with
        ``each`` it runs for a batch, an item at a time, after ``prepare`` (the module's docstring)."""
        def register(function: Task) -> Task:
            if name in self.tasks:
                raise ValueError(f"task {name} is registered twice")
            self.tasks[name] = function
            if every is not None:
                self.beat[name] = every
            if each is not None:
                self.each[name] = each
            if prepare is not None:
                self.prepare[name] = prepare
            return function
        return register
