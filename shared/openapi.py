"""The error answers of every operation in a service's OpenAPI document: problem details
(RFC 9457) under the statuses that can happen to that operation, so that a client (and a
fuzzer such as schemathesis) knows them as well as the success."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERRORS = {
    400: "The body could not be parsed (it is not text in UTF-8)",
    401: "No bearer token, or one that does not verify",
    403: "The token has none of the roles this needs, or the municipality is outside its scope",
    404: "No such record, or it is in a municipality outside the token's scope",
    409: "The request clashes with the state of a record (`field` names it): a duplicate, a move its "
         "lifecycle refuses, or a concurrent change (try again)",
    413: "The body is too large",
    422: "Invalid input: `errors` names each field (`query.<name>` or `path.<name>` for parameters), "
         "including a query parameter the operation does not take",
    503: "A database or message broker this service needs is not answering; ask again after `Retry-After` seconds",
}
WRITES = frozenset({"post", "put", "patch", "delete"})

PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "Problem details (RFC 9457); some answers add members, such as a 409's `candidates`",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "examples": ["about:blank"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "The field at fault, where one is"},
        "errors": {"type": "array", "description": "Each field at fault, with what is wrong with it",
                   "items": {"type": "object", "required": ["field", "message"],
                             "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": True,
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before asking again", "schema": {"type": "integer"}}}


def document_errors(app: FastAPI, media_type: str) -> None:
    """``app``'s OpenAPI document lists each operation's error answers, as ``media_type``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_errors(generate(), media_type)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_errors(document: dict[str, Any], media_type: str) -> dict[str, Any]:
    """The document with the error answers of each operation, which share one Problem schema
    in place of FastAPI's own validation error (of another shape and media type)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    problem = {media_type: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            for status in error_statuses(method, operation):
                _document(operation["responses"], status, problem)
    return document


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The errors that can answer this operation, by what it has: a body (400, 413), a token
    (401, 403), an id in its path (404), a write (409). Any may be 422 (every operation refuses
    unknown query parameters) or 503."""
    body = "requestBody" in operation
    applies = {400: body, 401: "security" in operation, 403: "security" in operation,
               404: any(p["in"] == "path" for p in operation.get("parameters", [])),
               409: method in WRITES, 413: body, 422: True, 503: True}
    return [status for status, applying in applies.items() if applying]


def _document(responses: dict[str, Any], status: int, problem: dict[str, Any]) -> None:
    """A status the route declares keeps its description and any content of its own (/readyz's
    503 is its report); FastAPI's own 422 is replaced."""
    answer = responses.setdefault(str(status), {"description": ERRORS[status]})
    if status == 422:
        answer.update(description=ERRORS[status], content=problem)
    elif "content" not in answer:
        answer["content"] = problem
        if status == 503:
            answer["headers"] = RETRY_AFTER
