"""The services of CareCircle, by name: the one list every command, mode and check reads."""
from __future__ import annotations

from importlib import import_module

from shared.bootstrap import ServiceSpec

SERVICES = ("intake", "scheduling", "notifications", "reporting")


def service_spec(name: str) -> ServiceSpec:
    """The ``SERVICE`` declared in ``services/<name>/app.py``."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
    return import_module(f"services.{name}.app").SERVICE


def all_specs() -> list[ServiceSpec]:
    return [service_spec(name) for name in SERVICES]


def worker_services() -> list[str]:
    """The services with Celery tasks: each needs workers."""
    return [spec.name for spec in all_specs() if spec.tasks.tasks]


def beat_services() -> list[str]:
    """The services with periodic tasks: each needs one ``carecircle beat``."""
    return [spec.name for spec in all_specs() if spec.tasks.beat]
