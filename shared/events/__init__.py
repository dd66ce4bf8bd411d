"""Event contracts: the envelope, the typed models, and the registry of both."""
from shared.events.base import Event, event_model, registered_types
from shared.events.envelope import Envelope

# Importing the contract modules registers every event type.
from shared.events import intake as _intake  # noqa: F401,E402
from shared.events import scheduling as _scheduling  # noqa: F401,E402

__all__ = ["Envelope", "Event", "event_model", "registered_types"]
