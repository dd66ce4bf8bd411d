"""Wiring one service for this process: database, broker, app, consumer, relay.

Every dependency is made here and nowhere else, so embedded and distributed
mode differ only in the transport handed in.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import pika
from celery import Celery
from fastapi import APIRouter, FastAPI
from prometheus_client.registry import Collector
from sqlalchemy import MetaData

from shared import feed
from shared.db import Database
from shared.messaging.broker import Broker
from shared.messaging.consumer import Consumer, RetryPolicy
from shared.messaging.handlers import HandlerRegistry
from shared.messaging.memory import InMemoryBroker
from shared.messaging.rabbit import RabbitBroker
from shared.messaging.relay import Relay
from shared.settings import Settings
from shared.tasks import TaskRegistry
from shared.web import ServiceContext, create_service_app
from shared.worker import make_celery


@dataclass(frozen=True)
class ServiceSpec:
    """What a service is, declared once in its ``app.py``: its tables, HTTP routers,
    event handlers (and so its queue bindings), Celery tasks and their beat schedule."""

    name: str
    metadata: MetaData
    routers: list[APIRouter]
    handlers: HandlerRegistry = field(default_factory=HandlerRegistry)
    tasks: TaskRegistry = field(default_factory=TaskRegistry)
    # Metrics its API works out when scraped, from its database (reporting's operational figures).
    collectors: Callable[[Database], list[Collector]] | None = None
    description: str = ""

    @property
    def title(self) -> str:
        return f"CareCircle {self.name}"

    @property
    def migrations(self) -> Path:
        package = import_module(f"services.{self.name}")
        assert package.__file__ is not None
        return Path(package.__file__).parent / "migrations"


BrokerFactory = Callable[[], Broker]


def broker_factory(settings: Settings) -> BrokerFactory:
    """A broker per caller: pika connections must not be shared between threads.
    The in-process bus is one object that every thread shares."""
    if settings.embedded:
        shared_bus = InMemoryBroker()
        return lambda: shared_bus
    return lambda: RabbitBroker(settings.broker_url, settings.namespace, prefetch=settings.consumer_prefetch)


def broker_check(settings: Settings) -> Callable[[], None]:
    if settings.embedded:
        return lambda: None
    params = pika.URLParameters(settings.broker_url)
    params.socket_timeout = params.blocked_connection_timeout = 2
    return lambda: pika.BlockingConnection(params).close()


class Runtime:
    """One service wired for this process."""

    def __init__(self, spec: ServiceSpec, settings: Settings, brokers: BrokerFactory) -> None:
        self.spec = spec
        self.settings = settings
        self.brokers = brokers
        self.database = Database(settings.database_url_for(spec.name))

    def app(self) -> FastAPI:
        collectors = self.spec.collectors(self.database) if self.spec.collectors else []
        context = ServiceContext(self.spec.name, self.settings, self.database, broker_check(self.settings), collectors)
        return create_service_app(context, [*self.spec.routers, feed.router], title=self.spec.title,
                                  description=self.spec.description)

    def consumer(self) -> Consumer:
        s = self.settings
        return Consumer(
            name=self.spec.name, database=self.database, broker=self.brokers(), handlers=self.spec.handlers,
            policy=RetryPolicy(s.max_delivery_attempts, tuple(s.retry_delays)),
            batch_size=s.consumer_batch_size, batch_wait=s.consumer_batch_wait,
            inbox_retention=timedelta(days=s.inbox_retention_days),
        )

    def catch_up(self) -> dict[str, int]:
        """The events of every service this one consumes, read from their replay feeds and
        applied once each (after its queue exists: what a feed does not show yet comes by it);
        the position reached in each feed."""
        consumer = self.consumer()
        if not self.settings.embedded:
            consumer.declare()
            consumer.broker.close()  # the queue exists; catching up needs the database only
        return {producer: feed.catch_up(consumer, feed.FeedReader(self.settings, producer, reader=self.spec.name))
                for producer in feed.producers(consumer)}

    def celery(self) -> Celery:
        return make_celery(self.spec.name, self.settings, self.database, self.spec.tasks)

    def relay(self) -> Relay:
        s = self.settings
        return Relay(
            service=self.spec.name, database=self.database, broker=self.brokers(),
            batch_size=s.relay_batch_size, poll_interval=s.relay_poll_interval, retry_delays=s.retry_delays,
        )
