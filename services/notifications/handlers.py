"""Events notifications consumes, one function per type: each translates the event
into a call of a feature's service function."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.notifications.catalogue import service as catalogue
from shared.events import Envelope
from shared.events.intake import MunicipalityRegistered
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()


@registry.on(MunicipalityRegistered)
def on_municipality_registered(event: MunicipalityRegistered, envelope: Envelope, *, session: Session) -> None:
    catalogue.keep_municipality(event, as_of=envelope.time, session=session)
