"""What the outbox relay and the consumer need from a transport.

Two transports implement it: ``RabbitBroker`` (distributed mode) and
``InMemoryBroker`` (embedded mode). The relay and consumer code is the same.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol


class BrokerUnavailable(Exception):
    """The broker cannot be reached now; the caller backs off and tries again."""


def reconnect_pause(failures: int) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: doubling, at most 15."""
    return min(0.5 * 2 ** failures, 15.0)


@dataclass(frozen=True)
class Message:
    event_id: str
    type: str  # also the routing key
    body: bytes  # the CloudEvents envelope, JSON


def body_id(body: bytes) -> str:
    """The id of a message that came without one: derived from its body, so
    that listing and replaying dead letters name it alike."""
    return hashlib.sha256(body).hexdigest()[:36]


def identified(message: Message) -> Message:
    return message if message.event_id else replace(message, event_id=body_id(message.body))


@dataclass(frozen=True)
class Delivery:
    message: Message
    attempt: int  # 1 on first delivery
    tag: Any = None  # the transport's handle for acknowledging


@dataclass(frozen=True)
class DeadLetter:
    message: Message
    attempts: int
    reason: str


class Broker(Protocol):
    def declare(self, consumer: str, patterns: Iterable[str], retry_delays: Sequence[float]) -> None:
        """Create the consumer's queue, its bindings, retry queues and dead-letter queue."""

    def publish(self, messages: Sequence[Message]) -> set[str]:
        """Publish and wait for the broker to take every message. Returns the
        event ids it refused (unroutable or nacked); raises ``BrokerUnavailable``."""

    def fetch(self, consumer: str, max_count: int, batch_wait: float, idle_wait: float) -> list[Delivery]:
        """Wait up to ``idle_wait`` for a first message, then collect more for
        up to ``batch_wait`` or until ``max_count``."""

    def ack(self, deliveries: Sequence[Delivery]) -> None: ...

    def requeue(self, deliveries: Sequence[Delivery]) -> None:
        """Give deliveries back to the queue unchanged, to come again."""

    def retry(self, consumer: str, delivery: Delivery, delay: float) -> None:
        """Deliver again to this consumer only, after ``delay`` seconds."""

    def dead_letter(self, consumer: str, delivery: Delivery, reason: str) -> None: ...

    def dead_letters(self, consumer: str) -> list[DeadLetter]: ...

    def replay(self, consumer: str, event_ids: Iterable[str] | None = None) -> int:
        """Move dead letters (all, or those named) back to the consumer's queue."""

    def idle(self, seconds: float) -> None:
        """Wait, keeping the connection alive (heartbeats)."""

    def ping(self) -> None: ...

    def close(self) -> None: ...
