"""Events reporting consumes, one function per type: each translates the event
into a call of a feature's service function."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.reporting.indicators import service as indicators
from shared.events import Envelope
from shared.events.intake import ClientRegistered
from shared.messaging.handlers import HandlerRegistry

# Reporting reads every event (DESIGN.md section 2): binding "#" also makes
# every event routable, so none waits in an outbox for a consumer to appear.
registry = HandlerRegistry(bind=["#"])


@registry.on(ClientRegistered)
def on_client_registered(event: ClientRegistered, envelope: Envelope, *, session: Session) -> None:
    indicators.count_registration(event, registered_at=envelope.time, session=session)
