"""Events intake consumes. Visit reports that raise cases come with the case register."""
from shared.messaging.handlers import HandlerRegistry

registry = HandlerRegistry()
