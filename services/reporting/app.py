"""Reporting: indicators and period reports from events, for funders and managers."""
from services.reporting import handlers, models
from services.reporting.indicators.api import router as indicators
from shared.bootstrap import ServiceSpec

SERVICE = ServiceSpec(
    name="reporting",
    title="CareCircle reporting",
    description="Indicators and period progress reports per municipality and programme, with exports.",
    metadata=models.metadata,
    routers=[indicators],
    handlers=handlers.registry,
)
