"""The relay's and the consumer's loop: turns until stopped, and chores that run
every so often, not every turn."""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from shared.db import DATABASE_ERRORS
from shared.messaging.broker import BrokerUnavailable, reconnect_pause

log = logging.getLogger(__name__)


def keep_turning(what: str, turn: Callable[[], object], stop: threading.Event,
                 lost: Callable[[], object] = lambda: None) -> None:
    """Runs ``turn`` until ``stop`` is set. A broker or database that is away makes it
    call ``lost``, wait (doubling, at most 15 s) and try again, never end: so every
    blocking call of a loop belongs inside its turn."""
    failures = 0
    while not stop.is_set():
        try:
            turn()
            failures = 0
        except (BrokerUnavailable, *DATABASE_ERRORS) as exc:
            failures += 1
            lost()
            pause = reconnect_pause(failures)
            log.warning("%s cannot go on now, retrying in %.1fs: %s", what, pause, exc)
            stop.wait(pause)


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
