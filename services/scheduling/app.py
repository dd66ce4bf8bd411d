"""Scheduling: staff and availability, visits from care plans, self-help groups, routes and rosters."""
from services.scheduling import handlers, models
from services.scheduling.catalogue.api import router as catalogue
from services.scheduling.staff.api import router as staff
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="scheduling", metadata=models.metadata, routers=[catalogue, staff],
                      handlers=handlers.registry, description=__doc__)
