"""Reporting: indicators and period progress reports per municipality and programme, with exports."""
from services.reporting import handlers, models
from services.reporting.indicators.api import router as indicators
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(name="reporting", metadata=models.metadata, routers=[indicators],
                      handlers=handlers.registry, description=__doc__)
