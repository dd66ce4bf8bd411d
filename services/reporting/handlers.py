"""Events reporting consumes, one function per type."""
from sqlalchemy.orm import Session

from services.reporting.models import ClientRegistration
from shared.events import Envelope
from shared.events.intake import ClientRegistered
from shared.messaging.handlers import HandlerRegistry

# Reporting reads every event (DESIGN.md section 2): binding "#" also makes
# every event routable, so none waits in an outbox for a consumer to appear.
registry = HandlerRegistry(bind=["#"])


@registry.on(ClientRegistered)
def on_client_registered(event: ClientRegistered, envelope: Envelope, *, session: Session) -> None:
    session.merge(ClientRegistration(client_id=event.client_id, municipality=event.municipality,
                                     registered_at=envelope.time))
