"""Prometheus metrics of every process, declared once here.

With ``PROMETHEUS_MULTIPROC_DIR`` set (several uvicorn or Celery worker
processes), values are written to files and merged when scraped.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.registry import Collector

_FAST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

http_requests = Counter(
    "carecircle_http_requests_total", "HTTP requests answered",
    ["service", "method", "route", "status"],
)
http_duration = Histogram(
    "carecircle_http_request_duration_seconds", "HTTP request latency",
    ["service", "method", "route"], buckets=_FAST_BUCKETS,
)
events_published = Counter(
    "carecircle_events_published_total", "Events confirmed by the broker", ["service", "type"],
)
events_publish_failed = Counter(
    "carecircle_events_publish_failed_total",
    "Events the broker returned (unroutable) or refused; they stay in the outbox",
    ["service", "type"],
)
CONSUMED_OUTCOMES = ("processed", "duplicate", "ignored", "retried", "dead_lettered")
events_consumed = Counter(
    "carecircle_events_consumed_total",
    f"Events taken from the broker, by outcome ({', '.join(CONSUMED_OUTCOMES)})",
    ["service", "type", "outcome"],
)
events_failed = Counter(
    "carecircle_events_failed_total", "Handler failures (each failed attempt)", ["service", "type"],
)
events_dead_lettered = Counter(
    "carecircle_events_dead_lettered_total", "Events moved to the dead-letter queue", ["service", "type"],
)
handler_duration = Histogram(
    "carecircle_event_handler_duration_seconds", "Time spent in one event handler",
    ["service", "type"], buckets=_FAST_BUCKETS,
)
outbox_pending = Gauge(
    "carecircle_outbox_pending", "Events written but not yet published", ["service"],
    multiprocess_mode="livemax",
)
outbox_lag = Gauge(
    "carecircle_outbox_lag_seconds", "Age of the oldest event not yet published", ["service"],
    multiprocess_mode="livemax",
)

MESSAGE_OUTCOMES = ("sent", "delivered", "failed", "expired", "retried", "waiting", "cancelled")
messages = Counter(
    "carecircle_messages_total",
    f"Notifications' messages by channel and outcome ({', '.join(MESSAGE_OUTCOMES)}; waiting: for the morning)",
    ["channel", "outcome"],
)


def count_from_zero(counter: Counter, label_sets: Iterable[Sequence[str]]) -> None:
    """Makes each series exist at 0 before its first increment: ``increase()``
    cannot see the step from no series at all to 1, so alerts would miss it."""
    for labels in label_sets:
        counter.labels(*labels)


def render_latest(collectors: Sequence[Collector] = ()) -> tuple[bytes, str]:
    """The exposition text for ``/metrics``: the process's metrics, and those of ``collectors``
    (a service's own, worked out when scraped: reporting's operational figures)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    own = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        own.register(collector)
    return payload + generate_latest(own), CONTENT_TYPE_LATEST


def serve_metrics(port: int | None, host: str = "127.0.0.1") -> None:
    """Background processes (consumer, relay, worker) expose their own port,
    on loopback unless told otherwise, as the APIs do; a Celery worker's pool
    processes write to ``PROMETHEUS_MULTIPROC_DIR``, merged here when scraped."""
    if not port:
        return
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        start_http_server(port, addr=host, registry=registry)
    else:
        start_http_server(port, addr=host)
