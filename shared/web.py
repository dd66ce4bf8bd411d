"""What every service's FastAPI app has: problem-details errors, trace and
metrics middleware, ``/healthz``, ``/readyz``, ``/metrics`` and a per-request session."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from kombu.exceptions import OperationalError as TaskBrokerUnavailable
from sqlalchemy.exc import DBAPIError, IntegrityError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import metrics
from shared.auth import TokenVerifier
from shared.db import Database, unavailable
from shared.errors import Problem
from shared.messaging import heartbeat
from shared.messaging.broker import BrokerUnavailable
from shared.settings import Settings
from shared.tracing import traced

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER = 5  # seconds a client waits before asking again when a dependency is away


def problem_response(status: int, title: str, detail: str | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, **({"detail": detail} if detail else {}), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(location: tuple) -> str:
    """``("body", "address", "lat")`` -> ``address.lat``; query and path keep their prefix."""
    parts = [str(p) for p in location]
    return ".".join(parts[1:] if parts and parts[0] == "body" and len(parts) > 1 else parts)


def _validation_problem(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _field(e["loc"]), "message": e["msg"]} for e in exc.errors()]
    fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
    return problem_response(422, "Invalid request", f"invalid: {fields}", errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    app.exception_handler(RequestValidationError)(_validation_problem)
    app.add_exception_handler(Problem, lambda _r, e: problem_response(e.status, e.title, e.detail, **e.extra))
    app.exception_handler(IntegrityError)(_concurrent_change)
    app.exception_handler(DBAPIError)(_database_error)
    for away in (PoolTimeout, BrokerUnavailable, TaskBrokerUnavailable):
        app.add_exception_handler(away, _dependency_unavailable)
    app.add_exception_handler(
        StarletteHTTPException,
        lambda _r, e: problem_response(e.status_code, HTTPStatus(e.status_code).phrase, str(e.detail)))
    app.add_exception_handler(Exception, _unexpected)


def _concurrent_change(_request: Request, exc: IntegrityError) -> JSONResponse:
    """A constraint that the service's own checks passed but the commit broke: a
    concurrent request wrote the same thing first. The statement is not logged
    (its parameters may hold personal data)."""
    log.warning("a commit broke a constraint: %s", type(exc.orig).__name__)
    return problem_response(409, "Conflict", "a concurrent change conflicts with this request; try again")


def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    return _dependency_unavailable(request, exc) if unavailable(exc) else _unexpected(request, exc)


def _dependency_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    """The database or a broker is away: a 503 that says when to ask again. The
    exception text is not logged (a statement's parameters may hold personal data)."""
    log.warning("a dependency is unavailable: %s", type(exc).__name__)
    answer = problem_response(503, "Service Unavailable",
                              "a database or message broker this service needs is not answering; try again shortly")
    answer.headers["Retry-After"] = str(RETRY_AFTER)
    return answer


def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return problem_response(500, "Internal Server Error", "the error was logged")


def _route_template(request: Request) -> str:
    """The matched path with its parameters as ``{name}``: a bounded metric label.
    Rebuilt from the path, as routers included with a prefix keep only the suffix."""
    route = request.scope.get("route")
    if route is None:
        return "unmatched"
    # The leading segments the route itself does not declare are the router's prefix.
    path = request.scope["path"].removeprefix(request.scope.get("root_path", "")).strip("/").split("/")
    declared = route.path.strip("/").split("/")
    prefix = path[:len(path) - len(declared)]
    return "/" + "/".join([*prefix, *declared])


def install_middleware(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def trace_and_measure(request: Request, call_next):
        started = time.perf_counter()
        with traced(request.headers.get("traceparent")) as traceparent:
            response = await call_next(request)
            route = _route_template(request)
            elapsed = time.perf_counter() - started
            # The route template, never the path: paths carry ids, queries may carry names.
            log.info("request answered", extra={"method": request.method, "route": route,
                                                "status": response.status_code, "ms": round(elapsed * 1000, 1)})
        response.headers["traceparent"] = traceparent
        metrics.http_requests.labels(service, request.method, route, str(response.status_code)).inc()
        metrics.http_duration.labels(service, request.method, route).observe(elapsed)
        return response


def db_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the route returned its answer (before
    it is sent, so a failed commit is the answer), rolled back when it raised."""
    with request.app.state.database.unit_of_work() as session:
        yield session
        session.commit()


# The request's session. Function scope: the commit runs before the response is sent.
Db = Annotated[Session, Depends(db_session, scope="function")]


@dataclass
class ServiceContext:
    """What one service's app needs at run time, wired in ``bootstrap``."""

    name: str
    settings: Settings
    database: Database
    broker_check: Callable[[], None]


def create_service_app(context: ServiceContext, routers: list[APIRouter], *, title: str,
                       description: str = "") -> FastAPI:
    app = FastAPI(title=title, description=description, version="1.0")
    app.state.database = context.database
    app.state.settings = context.settings
    app.state.verifier = TokenVerifier(context.settings)
    install_problem_handlers(app)
    install_middleware(app, context.name)
    app.include_router(_operations_router(context))
    for router in routers:
        app.include_router(router, prefix="/v1")
    return app


def _operations_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    def healthz() -> dict:
        return {"status": "ok", "service": context.name}

    @router.get("/readyz", summary="The database and the broker answer; the relay and the consumer beat")
    def readyz() -> Response:
        checks = {"database": context.database.ping, "broker": context.broker_check}
        results = {name: _check(fn) for name, fn in checks.items()} | _processes(context.database)
        ready = all(r == "ok" for r in results.values())
        body = {"status": "ready" if ready else "not ready", "service": context.name, "checks": results}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    def prometheus() -> Response:
        payload, content_type = metrics.render_latest()
        return Response(payload, media_type=content_type)

    return router


def _check(fn: Callable[[], None]) -> str:
    try:
        fn()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        return f"failed: {type(exc).__name__}"


def _processes(database: Database) -> dict[str, str]:
    """The service's relay and consumer, from their heartbeats: a dead one leaves
    events unpublished or unconsumed while the API itself answers."""
    try:
        return heartbeat.liveness(database)
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        return dict.fromkeys(heartbeat.PROCESSES, f"failed: {type(exc).__name__}")


def mount_services(apps: dict[str, FastAPI], *, title: str = "CareCircle") -> FastAPI:
    """One root app with each service under its own prefix (``/intake`` ...)."""
    root = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)

    @root.get("/", include_in_schema=False)
    def index() -> dict:
        return {name: {"docs": f"/{name}/docs", "health": f"/{name}/healthz"} for name in apps}

    for name, app in apps.items():
        root.mount(f"/{name}", app)
    return root
