"""Spells worked out from a history of steps, whatever order its events came in: a care
plan runs from an activation to a suspension, a case is unresolved from its opening to its
resolution. The steps are sorted, so the same steps always make the same spells."""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")  # what orders the steps: a (day, time) pair, a time


def spells(steps: Iterable[tuple[K, bool]]) -> list[tuple[K, K | None]]:
    """From the step that turns it on to the next that turns it off (None: still on).
    A step that turns on what is on, or off what is off, changes nothing."""
    found: list[tuple[K, K | None]] = []
    began: K | None = None
    for key, on in sorted(steps, key=lambda step: step[0]):
        if on and began is None:
            began = key
        elif not on and began is not None:
            found.append((began, key))
            began = None
    return found + ([(began, None)] if began is not None else [])
