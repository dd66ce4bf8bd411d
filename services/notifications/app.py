"""Notifications: templates per language, channels, preferences, planned and sent messages, escalations."""
from services.notifications import handlers, models, tasks
from services.notifications.catalogue.api import router as catalogue
from services.notifications.templates.api import router as templates
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="notifications", metadata=models.metadata, routers=[catalogue, templates],
                      handlers=handlers.registry, tasks=tasks.registry, description=__doc__)
