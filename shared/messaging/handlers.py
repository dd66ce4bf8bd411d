"""Handlers as plain functions in a registry keyed by event type."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from shared.events import Envelope, Event

Handler = Callable[..., None]  # (event, envelope, *, session) -> None


class HandlerRegistry:
    def __init__(self, *, bind: list[str] | None = None) -> None:
        """``bind`` replaces the default bindings (exactly the types handled):
        reporting binds ``#`` to take every event, handled or not yet."""
        self._handlers: dict[str, Handler] = {}
        self._bind = bind
        self._finishers: list[Callable[[Session], None]] = []

    def on(self, model: type[Event]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if model.type in self._handlers:
                raise ValueError(f"{model.type} already has a handler")
            self._handlers[model.type] = handler
            return handler
        return register

    def finishing(self, finish: Callable[[Session], None]) -> Callable[[Session], None]:
        """Registers what runs once a batch's handlers are done, before it commits: writes
        the handlers left for the end of the batch (``shared.replicas.later``)."""
        self._finishers.append(finish)
        return finish

    def finish(self, session: Session) -> None:
        for finish in self._finishers:
            finish(session)

    @property
    def patterns(self) -> list[str]:
        """Routing keys to bind."""
        return self._bind if self._bind is not None else self.types

    @property
    def types(self) -> list[str]:
        """The event types handled."""
        return sorted(self._handlers)

    def handles(self, event_type: str) -> bool:
        return event_type in self._handlers

    def dispatch(self, envelope: Envelope, *, session: Session) -> None:
        self._handlers[envelope.type](envelope.event(), envelope, session=session)
