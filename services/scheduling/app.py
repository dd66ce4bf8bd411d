"""Scheduling: staff and availability, visits from care plans, self-help groups, routes and rosters."""
from services.scheduling import handlers, models, tasks
from services.scheduling.activities.api import router as activities
from services.scheduling.calendars.api import router as calendars
from services.scheduling.catalogue.api import router as catalogue
from services.scheduling.centres.api import router as centres
from services.scheduling.cover.api import router as cover
from services.scheduling.delivery.api import router as delivery
from services.scheduling.groups.api import router as groups
from services.scheduling.plans.api import router as plans
from services.scheduling.rounds.api import router as rounds
from services.scheduling.staff.api import router as staff
from services.scheduling.visits.api import router as visits
from services.scheduling.workload.api import router as workload
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="scheduling", metadata=models.metadata,
                      routers=[catalogue, staff, cover, visits, delivery, centres, rounds, groups, activities,
                               calendars, workload, plans],
                      handlers=handlers.registry, tasks=tasks.registry, description=__doc__)
