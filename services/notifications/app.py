"""Notifications: templates per language, channels, preferences, planned and sent messages, escalations."""
from services.notifications import handlers, models, tasks
from services.notifications.catalogue.api import router as catalogue
from services.notifications.escalations.api import router as escalations
from services.notifications.messages.api import router as messages
from services.notifications.recipients.api import router as preferences
from services.notifications.templates.api import router as templates
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="notifications", metadata=models.metadata,
                      routers=[catalogue, templates, messages, escalations, preferences],
                      handlers=handlers.registry, tasks=tasks.registry, description=__doc__)
