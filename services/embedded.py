"""Embedded mode: all four services in one process, on SQLite files and the
in-process bus. The same outbox, relay, consumer and inbox code runs as in
distributed mode; only the transport differs."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import partial

import uvicorn

from services.demo import load_demo
from services.registry import SERVICES, all_specs
from shared.auth import ALL_MUNICIPALITIES, Role, issue_token
from shared.bootstrap import Runtime, broker_factory
from shared.logging import configure_logging
from shared.migrations import upgrade
from shared.settings import Settings
from shared.web import mount_services
from shared.worker import run_beat_in_process

log = logging.getLogger(__name__)


@dataclass
class EmbeddedSystem:
    runtimes: dict[str, Runtime]
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings) -> EmbeddedSystem:
        brokers = broker_factory(settings)
        return cls({spec.name: Runtime(spec, settings, brokers) for spec in all_specs()})

    def migrate(self) -> None:
        for runtime in self.runtimes.values():
            upgrade(str(runtime.spec.migrations), runtime.database, runtime.spec.metadata)

    def start_background(self) -> None:
        """Consumers first, so every queue is bound before a relay publishes."""
        consumers = [rt.consumer() for rt in self.runtimes.values()]
        for consumer in consumers:
            consumer.declare()
        workers = [(c.name + "-consumer", c.run) for c in consumers]
        workers += [(name + "-relay", rt.relay().run) for name, rt in self.runtimes.items()]
        beats = [(rt.celery(), name, rt.spec.tasks) for name, rt in self.runtimes.items() if rt.spec.tasks.beat]
        workers += [("beat", partial(run_beat_in_process, beats))]
        for name, loop in workers:
            thread = threading.Thread(target=loop, args=(self.stop,), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def shutdown(self) -> None:
        self.stop.set()
        for thread in self.threads:  # the beat's task of the moment included: none is left running
            thread.join(timeout=60)

    def apps(self) -> dict:
        return {name: rt.app() for name, rt in self.runtimes.items()}


def run_embedded(settings: Settings, *, host: str, port: int, demo: bool) -> None:
    configure_logging("carecircle", settings.log_level, settings.log_json)
    system = EmbeddedSystem.build(settings)
    system.migrate()
    system.start_background()
    if demo:
        load_demo({name: runtime.database for name, runtime in system.runtimes.items()})
    _print_welcome(settings, host, port)
    try:
        uvicorn.run(mount_services(system.apps()), host=host, port=port, log_config=None, access_log=False)
    finally:
        system.shutdown()


def _print_welcome(settings: Settings, host: str, port: int) -> None:
    token = issue_token(settings, roles=[Role.NETWORK_ADMIN.value], municipalities=[ALL_MUNICIPALITIES],
                        subject="embedded-admin")
    base = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
    docs = "\n".join(f"  {name:<14} {base}/{name}/docs" for name in SERVICES)
    print(f"\nCareCircle is running on {base}\n\nAPI docs:\n{docs}\n\n"
          f"Admin token (Authorize in the docs, or: curl -H 'Authorization: Bearer ...'):\n{token}\n", flush=True)
