"""What a request's route declares, read from FastAPI's own route objects: the query
parameters it reads (any other is refused) and the methods its path takes (a 405's ``Allow``)."""
from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.routing import Match

UNKNOWN = "unknown query parameter"


def refuse_unknown_query(request: Request) -> None:
    """A dependency of every route: a query parameter the route does not read is a 422
    naming it, never silently ignored (a coordinator would believe a filter applied).
    Checked with the route match, before the caller, like a path or method no route has."""
    declared = set(query_names(request.scope["route"].dependant))
    unknown = [key for key in dict.fromkeys(request.query_params) if key not in declared]
    if unknown:
        raise RequestValidationError([{"loc": ("query", key), "msg": UNKNOWN, "type": "unknown_query_parameter"}
                                      for key in unknown])


def query_names(dependant: Dependant) -> Iterator[str]:
    """The query keys a route reads: its own parameters and its dependencies', and each
    field of a model declared as ``Query()`` (a list's filters, paging)."""
    for parameter in dependant.query_params:
        model = parameter.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            yield from (field.alias or name for name, field in model.model_fields.items())
        else:
            yield parameter.alias
    for dependency in dependant.dependencies:
        yield from query_names(dependency)


def allowed_methods(request: Request) -> list[str]:
    """Every method that some route of the app takes on the request's path. (Starlette's own
    405 names only the methods of the first route matching the path: GET /clients and
    POST /clients are two routes.)"""
    routes = iter_route_contexts(request.app.router.routes)
    return sorted({method for route in routes if route.matches(request.scope)[0] is not Match.NONE
                   for method in route.methods or ()})
