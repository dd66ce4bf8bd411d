"""Notifications: reminders, check-in calls and escalations, in the person's language."""
from services.notifications import handlers, models
from services.notifications.catalogue.api import router as catalogue
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(
    name="notifications",
    title="CareCircle notifications",
    description="Templates per language, channels, preferences, planned and sent messages, escalations.",
    metadata=models.metadata,
    routers=[catalogue],
    handlers=handlers.registry,
)
