"""Event contracts: the envelope, the typed models, and the registry of both."""
# Importing the contract modules registers every event type.
from shared.events import intake, notifications, scheduling  # noqa: F401
from shared.events.base import Event, event_model, registered_types
from shared.events.envelope import Envelope

__all__ = ["Envelope", "Event", "event_model", "registered_types"]
