"""RabbitMQ transport (pika) for distributed mode.

One ``RabbitBroker`` belongs to one thread: pika connections are not
thread-safe. It reconnects lazily: any connection failure is raised as
``BrokerUnavailable`` and the next call opens a new connection.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPError
from pika.spec import Basic

from shared.messaging import topology
from shared.messaging.broker import BrokerUnavailable, DeadLetter, Delivery, Message, body_id
from shared.messaging.heartbeat import instance

log = logging.getLogger(__name__)

ATTEMPT_HEADER = "x-carecircle-attempt"
REASON_HEADER = "x-carecircle-error"
CONTENT_TYPE = "application/cloudevents+json"
CONFIRM_TIMEOUT = 30.0


def _properties(message: Message, attempt: int = 1, reason: str | None = None) -> pika.BasicProperties:
    headers: dict[str, Any] = {ATTEMPT_HEADER: attempt}
    if reason:
        headers[REASON_HEADER] = reason[:1000]
    return pika.BasicProperties(
        content_type=CONTENT_TYPE, delivery_mode=pika.DeliveryMode.Persistent,
        message_id=message.event_id or None, type=message.type, headers=headers,
    )


def _message(properties: pika.BasicProperties, body: bytes, routing_key: str) -> Message:
    event_id = properties.message_id or body_id(body)  # one the dead-letter commands can name
    return Message(event_id=event_id, type=properties.type or routing_key, body=body)


def _attempt(properties: pika.BasicProperties) -> int:
    return int((properties.headers or {}).get(ATTEMPT_HEADER, 1))


class _Confirms:
    """Publisher confirms collected asynchronously, so a batch of N messages
    costs one wait instead of N round trips."""

    def __init__(self, wake=lambda: None) -> None:
        self.next_tag = 1
        self.outstanding: dict[int, str] = {}
        self.refused: set[str] = set()
        # Confirms arrive on the underlying asynchronous channel, which does not
        # end BlockingConnection.process_data_events: ``wake`` does.
        self.wake = wake

    def sent(self, event_id: str) -> None:
        self.outstanding[self.next_tag] = event_id
        self.next_tag += 1

    def on_confirm(self, frame: pika.frame.Method) -> None:
        method = frame.method
        tags = [t for t in self.outstanding if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        for tag in tags:
            event_id = self.outstanding.pop(tag, None)
            if isinstance(method, Basic.Nack) and event_id:
                self.refused.add(event_id)
        if not self.outstanding:
            self.wake()

    def on_return(self, _channel, _method, properties, _body) -> None:
        # RabbitMQ sends basic.return before the ack of an unroutable message.
        self.refused.add(properties.message_id)


def _nothing() -> None:
    pass


class RabbitBroker:
    def __init__(self, url: str, namespace: str, *, prefetch: int = 500, heartbeat: int = 30,
                 connection_name: str | None = None) -> None:
        self.params = pika.URLParameters(url)
        self.params.heartbeat = heartbeat
        self.params.blocked_connection_timeout = 60
        # How RabbitMQ (list_connections, the management UI) names this connection.
        self.params.client_properties = {"connection_name": connection_name or f"{namespace} {instance()}"}
        self.namespace = namespace
        self.prefetch = prefetch  # per consumer: bounds unacknowledged deliveries held here
        self.exchange = topology.exchange(namespace)
        self._conn: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None  # consuming and control, synchronous confirms
        self._publisher: BlockingChannel | None = None  # batch publishing, asynchronous confirms
        self._confirms = _Confirms()
        self._generation = 0  # delivery tags of an older connection are not ours to ack
        self._consuming: set[str] = set()
        self._buffer: list[Delivery] = []

    # -- connection -------------------------------------------------------
    def _connection(self) -> pika.BlockingConnection:
        if self._conn is None or not self._conn.is_open:
            self._reset()
            try:
                self._conn = conn = pika.BlockingConnection(self.params)
                self._channel = channel = conn.channel()
                channel.confirm_delivery()
                channel.exchange_declare(self.exchange, "topic", durable=True)
            except AMQPError as exc:
                self._reset()
                raise BrokerUnavailable(f"cannot connect to RabbitMQ: {exc!r}") from exc
            self._generation += 1
        return self._conn

    def _reset(self) -> None:
        conn, self._conn = self._conn, None
        self._channel = self._publisher = None
        self._consuming.clear()
        self._buffer.clear()
        if conn is not None and conn.is_open:
            with suppress(Exception):  # already broken; we only tidy up
                conn.close()

    def _call(self, operation):
        """Run ``operation`` on a live connection; a lost connection becomes BrokerUnavailable."""
        self._connection()
        try:
            return operation()
        except AMQPError as exc:
            self._reset()
            raise BrokerUnavailable(repr(exc)) from exc

    # Operations run inside ``_call``, which connects first: there the connection and its channel exist.
    @property
    def _live(self) -> pika.BlockingConnection:
        if self._conn is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        return self._conn

    @property
    def _control(self) -> BlockingChannel:
        if self._channel is None:
            raise BrokerUnavailable("not connected to RabbitMQ")
        return self._channel

    def _publishing_channel(self):
        if self._publisher is None:
            self._publisher = self._open_publisher()
        return self._publisher._impl

    def _open_publisher(self) -> BlockingChannel:
        conn = self._live
        publisher = conn.channel()
        wake = lambda: conn.call_later(0, _nothing)  # noqa: E731 - ends process_data_events now
        self._confirms = _Confirms(wake)
        # pika's BlockingChannel waits for each confirm; its underlying
        # asynchronous channel lets a whole batch be confirmed at once.
        impl = publisher._impl
        ready: list[Any] = []

        def selected(frame) -> None:
            ready.append(frame)
            wake()

        impl.confirm_delivery(ack_nack_callback=self._confirms.on_confirm, callback=selected)
        impl.add_on_return_callback(self._confirms.on_return)
        deadline = time.monotonic() + CONFIRM_TIMEOUT
        while not ready:
            if time.monotonic() > deadline:
                raise AMQPError("no confirm.select-ok")
            conn.process_data_events(time_limit=1)
        return publisher

    # -- Broker interface ---------------------------------------------------
    def declare(self, consumer: str, patterns: Iterable[str], retry_delays: Sequence[float]) -> None:
        main = topology.queue(self.namespace, consumer)

        def _declare():
            ch = self._control
            ch.queue_declare(main, durable=True)
            for pattern in patterns:
                ch.queue_bind(main, self.exchange, routing_key=pattern)
            for delay in retry_delays:
                ch.queue_declare(topology.retry_queue(self.namespace, consumer, delay), durable=True, arguments={
                    "x-message-ttl": int(delay * 1000),
                    "x-dead-letter-exchange": "",  # straight back to this consumer's queue only
                    "x-dead-letter-routing-key": main,
                })
            ch.queue_declare(topology.dead_letter_queue(self.namespace, consumer), durable=True)

        self._call(_declare)

    def publish(self, messages: Sequence[Message]) -> set[str]:
        def _publish():
            channel = self._publishing_channel()
            confirms = self._confirms
            confirms.refused = set()
            for message in messages:
                channel.basic_publish(self.exchange, message.type, message.body, _properties(message), mandatory=True)
                confirms.sent(message.event_id)
            deadline = time.monotonic() + CONFIRM_TIMEOUT
            while confirms.outstanding:
                if time.monotonic() > deadline:
                    raise AMQPError(f"no confirm for {len(confirms.outstanding)} messages")
                self._live.process_data_events(time_limit=0.05)
            return set(confirms.refused)

        return self._call(_publish)

    def fetch(self, consumer: str, max_count: int, batch_wait: float, idle_wait: float) -> list[Delivery]:
        return self._call(lambda: self._fetch(consumer, max_count, batch_wait, idle_wait))

    def _fetch(self, consumer, max_count, batch_wait, idle_wait) -> list[Delivery]:
        if consumer not in self._consuming:
            self._control.basic_qos(prefetch_count=self.prefetch)
            self._control.basic_consume(topology.queue(self.namespace, consumer), self._on_delivery)
            self._consuming.add(consumer)
        self._pump_until(lambda: bool(self._buffer), idle_wait)
        if self._buffer:
            self._pump_until(lambda: len(self._buffer) >= max_count, batch_wait)
        batch, self._buffer = self._buffer[:max_count], self._buffer[max_count:]
        return batch

    def _pump_until(self, done, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not done():
            remaining = end - time.monotonic()
            if remaining <= 0:
                return
            self._live.process_data_events(time_limit=remaining)

    def _on_delivery(self, _channel, method, properties, body) -> None:
        message = _message(properties, body, method.routing_key)
        self._buffer.append(Delivery(message, _attempt(properties), (self._generation, method.delivery_tag)))

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        current = [d.tag[1] for d in deliveries if d.tag[0] == self._generation]
        if len(current) < len(deliveries):
            log.info("not acking %d deliveries of a lost connection; they come again", len(deliveries) - len(current))
        if current:
            # Everything fetched before is settled too, so one ack covers the batch.
            self._call(lambda: self._control.basic_ack(max(current), multiple=True))

    def requeue(self, deliveries: Sequence[Delivery]) -> None:
        current = [d.tag[1] for d in deliveries if d.tag[0] == self._generation]
        if current:
            self._call(lambda: self._control.basic_nack(max(current), multiple=True, requeue=True))

    def retry(self, consumer: str, delivery: Delivery, delay: float) -> None:
        target = topology.retry_queue(self.namespace, consumer, delay)
        self._send_direct(target, delivery.message, delivery.attempt + 1)

    def dead_letter(self, consumer: str, delivery: Delivery, reason: str) -> None:
        target = topology.dead_letter_queue(self.namespace, consumer)
        self._send_direct(target, delivery.message, delivery.attempt, reason)

    def _send_direct(self, queue: str, message: Message, attempt: int, reason: str | None = None) -> None:
        props = _properties(message, attempt, reason)
        self._call(lambda: self._control.basic_publish("", queue, message.body, props, mandatory=True))

    def dead_letters(self, consumer: str) -> list[DeadLetter]:
        letters = []

        def _browse(method, properties, body):
            reason = (properties.headers or {}).get(REASON_HEADER, "")
            letters.append(DeadLetter(_message(properties, body, method.routing_key), _attempt(properties), reason))
            return False  # keep it in the queue

        self._drain_dead_letters(consumer, _browse)
        return letters

    def replay(self, consumer: str, event_ids: Iterable[str] | None = None) -> int:
        wanted = set(event_ids) if event_ids is not None else None
        main = topology.queue(self.namespace, consumer)
        replayed = 0

        def _move(_method, properties, body):
            nonlocal replayed
            message = _message(properties, body, properties.type or "")
            if wanted is not None and message.event_id not in wanted:
                return False
            self._send_direct(main, message, attempt=1)
            replayed += 1
            return True

        self._drain_dead_letters(consumer, _move)
        return replayed

    def _drain_dead_letters(self, consumer: str, visit) -> None:
        """Get every dead letter once; ``visit`` returns True to remove it.
        The others are requeued, in order, when the browsing channel closes."""
        dlq = topology.dead_letter_queue(self.namespace, consumer)

        def _drain():
            browser = self._live.channel()
            try:
                count = browser.queue_declare(dlq, durable=True, passive=True).method.message_count
                for _ in range(count):
                    method, properties, body = browser.basic_get(dlq)
                    if method is None:
                        break
                    if visit(method, properties, body):
                        browser.basic_ack(method.delivery_tag)
            finally:
                browser.close()

        self._call(_drain)

    def idle(self, seconds: float) -> None:
        if self._conn is not None and self._conn.is_open:
            self._call(lambda: self._live.sleep(seconds))
        else:
            time.sleep(seconds)

    def ping(self) -> None:
        self._call(lambda: self._live.process_data_events(time_limit=0))

    def close(self) -> None:
        self._reset()
