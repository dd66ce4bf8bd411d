"""Values read from a service's database and kept a short while in this process: lookups
that change rarely (a municipality's time zone, a message's template) read once in a while
instead of once per message on a hot path. Keyed by the database as well, so two databases
in one process (tests, embedded mode) never see each other's values."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class Recent:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._values: dict[tuple[str, Hashable], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, key: Hashable, load: Callable[[], T]) -> T:
        """The value of ``key`` read at most ``seconds`` ago, else ``load()`` now."""
        full = (str(session.get_bind().engine.url), key)
        with self._lock:
            found = self._values.get(full)
        if found is not None and time.monotonic() - found[0] < self.seconds:
            return found[1]
        value = load()
        with self._lock:
            self._values[full] = (time.monotonic(), value)
        return value
