"""The four services, by name."""
from __future__ import annotations

from importlib import import_module

from shared.bootstrap import ServiceSpec
from shared.settings import SERVICES


def service_spec(name: str) -> ServiceSpec:
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
    return import_module(f"services.{name}.app").SERVICE


def all_specs() -> list[ServiceSpec]:
    return [service_spec(name) for name in SERVICES]
