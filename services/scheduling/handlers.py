"""Events scheduling consumes, one function per type."""
from services.scheduling.models import Municipality
from shared.messaging.handlers import HandlerRegistry
from shared.replicas import keep_municipality_replica

registry = HandlerRegistry()
keep_municipality_replica(registry, Municipality)
