"""Assertions the intake API tests share."""
from __future__ import annotations


def created(answer) -> dict:
    """The JSON of a 200 or 201 answer."""
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def assert_problem(answer, status: int, field: str) -> None:
    """A problem+json answer with ``status`` that names ``field``."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in body.get("errors", [])] + [body.get("field")]
    assert field in fields, body
