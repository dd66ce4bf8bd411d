"""Notifications: templates per language, channels, preferences, planned and sent messages, escalations."""
from services.notifications import handlers, models
from services.notifications.catalogue.api import router as catalogue
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="notifications", metadata=models.metadata, routers=[catalogue],
                      handlers=handlers.registry, description=__doc__)
