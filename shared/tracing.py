"""The trace id of the current request or event, carried as a W3C ``traceparent``.

An HTTP request starts or continues a trace; every event recorded while
handling it carries the traceparent, and the consumer of that event continues
the same trace, so one trace id follows a change through all four services.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent(trace_id: str | None = None) -> str:
    return f"00-{trace_id or secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def continue_trace(traceparent: str | None) -> str:
    """A child span of ``traceparent`` when it is valid, else a new trace."""
    match = _TRACEPARENT.match(traceparent or "")
    return new_traceparent(match.group(1) if match else None)


def current_traceparent() -> str:
    return _current.get() or new_traceparent()


def current_trace_id() -> str | None:
    match = _TRACEPARENT.match(_current.get() or "")
    return match.group(1) if match else None


@contextmanager
def traced(traceparent: str | None) -> Iterator[str]:
    child = continue_trace(traceparent)
    token = _current.set(child)
    try:
        yield child
    finally:
        _current.reset(token)
