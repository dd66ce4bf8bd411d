"""Outbox, relay, consumer and the two transports (RabbitMQ, in-process)."""
