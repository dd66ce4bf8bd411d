"""What can go wrong, in domain words. No web framework here: service functions,
event handlers and tasks raise these, and ``shared.web`` answers them as RFC 9457
problem details (the only place that knows about HTTP)."""
from __future__ import annotations

from collections.abc import Sequence

FieldError = tuple[str, str]  # (field, message)


class Problem(Exception):
    """An error answered as problem details: ``status``, ``title``, ``detail`` and extra members."""

    def __init__(self, status: int, title: str, detail: str | None = None, **extra) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def within(prefix: str, problem: Problem) -> Problem:
    """``problem`` of one entry of a request's list, its fields named from the request
    (``within("visits.2", ...)``: ``staff_id`` becomes ``visits.2.staff_id``)."""
    extra = dict(problem.extra)
    if "field" in extra:
        extra["field"] = f"{prefix}.{extra['field']}"
    if "errors" in extra:
        extra["errors"] = [{**error, "field": f"{prefix}.{error['field']}"} for error in extra["errors"]]
    return Problem(problem.status, problem.title, problem.detail, **extra)


class Unauthorized(Problem):
    """401: no token, or one that does not verify."""

    def __init__(self, detail: str) -> None:
        super().__init__(401, "Unauthorized", detail)


class Forbidden(Problem):
    """403: a valid token without the right to do this (``field=``: the request's field that asks for it)."""

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(403, "Forbidden", detail, **extra)


class NotFound(Problem):
    """404: unknown, or outside the caller's municipalities (the answer reveals nothing)."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(404, "Not found", f"{what} {key} was not found")


class Invalid(Problem):
    """422 for rules the request schema cannot express (an unknown code, dates out of
    order), naming each field like a schema error does."""

    def __init__(self, field: str, message: str, *more: FieldError) -> None:
        errors = [(field, message), *more]
        named = ", ".join(dict.fromkeys(name for name, _ in errors))
        detail = f"invalid: {field}: {message}" if not more else f"invalid: {named}"
        super().__init__(422, "Invalid request", detail, field=field,
                         errors=[{"field": name, "message": text} for name, text in errors])

    @classmethod
    def fields(cls, errors: Sequence[FieldError]) -> Invalid:
        """One 422 naming several fields, in the order given."""
        (field, message), *more = errors
        return cls(field, message, *more)


class Conflict(Problem):
    """409: the request clashes with the state of a record (a duplicate, a lifecycle move)."""

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(409, "Conflict", detail, **extra)
