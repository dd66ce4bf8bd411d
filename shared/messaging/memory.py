"""The in-process bus of embedded mode: topic routing between threads.

Messages in flight live in memory; the outbox still holds every event until
this bus has taken it, and the inbox still removes duplicates.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Sequence

from shared.messaging.broker import DeadLetter, Delivery, Message, identified
from shared.messaging.topology import topic_matches


class InMemoryBroker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bindings: dict[str, list[str]] = {}
        self._queues: dict[str, queue.Queue[Delivery]] = {}
        self._dead: dict[str, list[DeadLetter]] = {}

    def declare(self, consumer: str, patterns: Iterable[str], retry_delays: Sequence[float] = ()) -> None:
        with self._lock:
            self._bindings[consumer] = list(patterns)
            self._queues.setdefault(consumer, queue.Queue())
            self._dead.setdefault(consumer, [])

    def publish(self, messages: Sequence[Message]) -> set[str]:
        refused = set()
        with self._lock:
            bindings = list(self._bindings.items())
        for message in messages:
            targets = [c for c, patterns in bindings if any(topic_matches(p, message.type) for p in patterns)]
            if not targets:
                refused.add(message.event_id)
            for consumer in targets:
                self._queues[consumer].put(Delivery(message, attempt=1, tag=consumer))
        return refused

    def fetch(self, consumer: str, max_count: int, batch_wait: float, idle_wait: float) -> list[Delivery]:
        q = self._queues[consumer]
        try:
            batch = [q.get(timeout=idle_wait)]
        except queue.Empty:
            return []
        window_end = time.monotonic() + batch_wait
        while len(batch) < max_count:
            remaining = window_end - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(q.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Taking a message from the queue already removed it."""

    def requeue(self, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:  # the tag names the consumer's queue
            self._queues[delivery.tag].put(delivery)

    def retry(self, consumer: str, delivery: Delivery, delay: float) -> None:
        again = Delivery(delivery.message, attempt=delivery.attempt + 1, tag=consumer)
        timer = threading.Timer(delay, self._queues[consumer].put, (again,))
        timer.daemon = True
        timer.start()

    def dead_letter(self, consumer: str, delivery: Delivery, reason: str) -> None:
        with self._lock:
            self._dead[consumer].append(DeadLetter(identified(delivery.message), delivery.attempt, reason))

    def dead_letters(self, consumer: str) -> list[DeadLetter]:
        with self._lock:
            return list(self._dead.get(consumer, []))

    def replay(self, consumer: str, event_ids: Iterable[str] | None = None) -> int:
        wanted = set(event_ids) if event_ids is not None else None
        with self._lock:
            letters = self._dead.get(consumer, [])
            chosen = [d for d in letters if wanted is None or d.message.event_id in wanted]
            self._dead[consumer] = [d for d in letters if d not in chosen]
        for letter in chosen:
            self._queues[consumer].put(Delivery(letter.message, attempt=1, tag=consumer))
        return len(chosen)

    def idle(self, seconds: float) -> None:
        time.sleep(seconds)

    def ping(self) -> None:
        """Always reachable: it lives in this process."""

    def close(self) -> None:
        """Nothing to release."""
