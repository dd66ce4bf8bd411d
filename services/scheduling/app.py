"""Scheduling: staff, visits, groups and sessions, and the optimiser."""
from services.scheduling import handlers, models
from services.scheduling.catalogue.api import router as catalogue
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(
    name="scheduling",
    title="CareCircle scheduling",
    description="Staff and availability, visits from care plans, self-help groups, routes and rosters.",
    metadata=models.metadata,
    routers=[catalogue],
    handlers=handlers.registry,
)
