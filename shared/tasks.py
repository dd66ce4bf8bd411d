"""A service's background tasks as plain functions in a registry, like its event
handlers: ``(session=..., **arguments)``. The task owns the transaction (the
worker commits when the function returns), so a task can call the same service
functions as a route or a handler. Periodic tasks carry their schedule here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

Task = Callable[..., Any]  # (*, session, **arguments) -> a JSON-serialisable result


@dataclass(frozen=True)
class Periodic:
    """Run ``task`` every ``every`` (Celery beat)."""

    task: str
    every: timedelta


class TaskRegistry:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.beat: dict[str, Periodic] = {}

    def task(self, name: str, *, every: timedelta | None = None) -> Callable[[Task], Task]:
        """Registers a task under ``name``; with ``every`` it also runs on that schedule."""
        def register(function: Task) -> Task:
            if name in self.tasks:
                raise ValueError(f"task {name} is registered twice")
            self.tasks[name] = function
            if every is not None:
                self.beat[name] = Periodic(name, every)
            return function
        return register
