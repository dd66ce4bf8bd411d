"""Intake: municipalities and service types, clients with consent, assessments, care plans, cases."""
from services.intake import handlers, models, tasks
from services.intake.access.api import router as access
from services.intake.assessments.api import router as assessments
from services.intake.careplans.api import router as careplans
from services.intake.cases.api import router as cases
from services.intake.catalogue.api import router as catalogue
from services.intake.clients.api import router as clients
from services.intake.consents.api import router as consents
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="intake", metadata=models.metadata, handlers=handlers.registry, tasks=tasks.registry,
                      routers=[catalogue, clients, consents, assessments, careplans, cases, access],
                      description=__doc__)
