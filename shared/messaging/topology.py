"""Every exchange and queue name comes from here (one naming function)."""
from __future__ import annotations


def exchange(namespace: str) -> str:
    """The one topic exchange all events go through."""
    return f"{namespace}.events"


def queue(namespace: str, consumer: str) -> str:
    return f"{namespace}.{consumer}"


def retry_queue(namespace: str, consumer: str, delay_seconds: float) -> str:
    return f"{namespace}.{consumer}.retry.{int(delay_seconds * 1000)}ms"


def dead_letter_queue(namespace: str, consumer: str) -> str:
    return f"{namespace}.{consumer}.dlq"


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is one word, ``#`` zero or more words."""
    return _words_match(pattern.split("."), routing_key.split("."))


def _words_match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return _words_match(rest, words) or (bool(words) and _words_match(pattern, words[1:]))
    if not words:
        return False
    return head in ("*", words[0]) and _words_match(rest, words[1:])


def task_queue(namespace: str, service: str) -> str:
    """The Celery (Redis) queue of one service's workers."""
    return f"{namespace}.{service}.tasks"
