"""Reporting: indicators and period progress reports per municipality and programme, with exports."""
from services.reporting import handlers, models, tasks
from services.reporting.indicators.api import router as indicators
from services.reporting.monitoring.service import OperationalFigures
from services.reporting.reports.api import router as reports
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="reporting", metadata=models.metadata, routers=[indicators, reports],
                      handlers=handlers.registry, tasks=tasks.registry,
                      collectors=lambda database: [OperationalFigures(database)], description=__doc__)
