"""Intake: municipalities, clients and everything about them that is personal."""
from services.intake import handlers, models
from services.intake.clients.api import router as clients
from services.intake.municipalities.api import router as municipalities
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(
    name="intake",
    title="CareCircle intake",
    description="Municipalities and service types, clients with consent, assessments, care plans, cases.",
    metadata=models.metadata,
    routers=[municipalities, clients],
    handlers=handlers.registry,
)
