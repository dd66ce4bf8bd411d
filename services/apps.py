"""ASGI apps: one service alone (distributed mode) or all four (embedded mode)."""
from __future__ import annotations

import os

from fastapi import FastAPI

from services.registry import service_spec
from shared.bootstrap import Runtime, broker_factory
from shared.logging import configure_logging
from shared.settings import get_settings
from shared.web import mount_services

SERVE_VARIABLE = "CARECIRCLE_SERVE"


def create_served_app() -> FastAPI:
    """The app of the service named in ``CARECIRCLE_SERVE``, under its prefix."""
    settings = get_settings()
    name = os.environ[SERVE_VARIABLE]
    # Each uvicorn worker is a process of its own: it sets up logging itself.
    configure_logging(name, settings.log_level, settings.log_json)
    runtime = Runtime(service_spec(name), settings, broker_factory(settings))
    return mount_services({name: runtime.app()}, title=f"CareCircle {name}")
