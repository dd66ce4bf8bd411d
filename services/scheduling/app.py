"""Scheduling: staff, visits, groups and sessions, and the optimiser."""
from services.scheduling import handlers, models
from services.scheduling.service_types.api import router as service_types
from shared.bootstrap import ServiceSpec
from shared.replicas import municipality_replica_router

SERVICE = ServiceSpec(
    name="scheduling",
    title="CareCircle scheduling",
    description="Staff and availability, visits from care plans, self-help groups, routes and rosters.",
    metadata=models.metadata,
    routers=[municipality_replica_router(models.Municipality), service_types],
    handlers=handlers.registry,
)
