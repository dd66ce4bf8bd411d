"""Scheduling: staff and availability, visits from care plans, self-help groups, routes and rosters."""
from services.scheduling import handlers, models, tasks
from services.scheduling.catalogue.api import router as catalogue
from services.scheduling.delivery.api import router as delivery
from services.scheduling.staff.api import router as staff
from services.scheduling.visits.api import router as visits
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="scheduling", metadata=models.metadata, routers=[catalogue, staff, visits, delivery],
                      handlers=handlers.registry, tasks=tasks.registry, description=__doc__)
