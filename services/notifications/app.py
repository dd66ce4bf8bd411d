"""Notifications: reminders, check-in calls and escalations, in the person's language."""
from services.notifications import handlers, models
from shared.bootstrap import ServiceSpec
from shared.replicas import municipality_replica_router

SERVICE = ServiceSpec(
    name="notifications",
    title="CareCircle notifications",
    description="Templates per language, channels, preferences, planned and sent messages, escalations.",
    metadata=models.metadata,
    routers=[municipality_replica_router(models.Municipality)],
    handlers=handlers.registry,
)
