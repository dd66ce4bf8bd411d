"""Chores of the relay and consumer loops that run every so often, not every pass."""
from __future__ import annotations

import math
import time
from collections.abc import Callable


class Every:
    """Runs a chore at most once per ``seconds``. Only a run that succeeded
    counts: after a failure the chore is due again on the next pass."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._last = -math.inf

    def run(self, chore: Callable[[], object]) -> None:
        now = time.monotonic()
        if now - self._last >= self.seconds:
            chore()
            self._last = now
