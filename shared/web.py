"""What every service's FastAPI app has: problem-details errors, trace and
metrics middleware, ``/healthz``, ``/readyz``, ``/metrics`` and a per-request session."""
from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from kombu.exceptions import OperationalError as TaskBrokerUnavailable
from prometheus_client.registry import Collector
from sqlalchemy.exc import DBAPIError, IntegrityError, TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import metrics
from shared.auth import TokenVerifier
from shared.db import Database, unavailable
from shared.errors import Problem
from shared.messaging import heartbeat
from shared.messaging.broker import BrokerUnavailable
from shared.openapi import document_errors
from shared.routes import allowed_methods, refuse_unknown_query
from shared.settings import Settings
from shared.tracing import traced

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
RETRY_AFTER = 5  # seconds a client waits before asking again when a dependency is away
READS = frozenset({"GET", "HEAD", "OPTIONS"})  # the methods that change nothing


def problem_response(status: int, title: str, detail: str | None = None, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, **({"detail": detail} if detail else {}), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def problem_answer(problem: Problem) -> JSONResponse:
    """The answer to a ``shared.errors`` problem (for a route that answers one instead of raising it)."""
    return problem_response(problem.status, problem.title, problem.detail, **problem.extra)


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
    app.add_exception_handler(Problem, lambda _r, e: problem_answer(e))
    app.exception_handler(IntegrityError)(_concurrent_change)
    app.exception_handler(DBAPIError)(_database_error)
    for away in (PoolTimeout, BrokerUnavailable, TaskBrokerUnavailable):
        app.add_exception_handler(away, _dependency_unavailable)
    app.exception_handler(StarletteHTTPException)(_http_problem)
    app.add_exception_handler(Exception, _unexpected)


def _http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (no route, a method the path does not take) with their headers;
    a 405's ``Allow`` names every method of the path, not only those of the first route."""
    answer = problem_response(exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc.detail))
    answer.headers.update(exc.headers or {})
    if exc.status_code == 405:
        answer.headers["Allow"] = ", ".join(allowed_methods(request))
    return answer


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
    """A 500, logged with the type of the exception and where it and every exception it chains
    were raised; shared.logging's formatters leave their messages out (personal data)."""
    log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)  # the formatter drops messages
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


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with a 413, before routing and authentication
    run: at once, reading nothing, when its Content-Length says so; else when the bytes streamed
    (chunked) pass the limit. (Starlette's own limit lets a route that reads no body run, commit
    and only then have its answer replaced.)"""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif _declared_length(scope) > self.limit:
            await _http_problem(Request(scope), self._too_large())(scope, receive, send)
        else:
            await self.app(scope, self._counting(receive), send)

    def _too_large(self) -> StarletteHTTPException:
        # The connection stays open: the server discards the rest of the body unread. Closing
        # it with bytes unread resets it, and a client still sending would lose the 413.
        return StarletteHTTPException(413, f"the request body is larger than {self.limit} bytes")

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:  # FastAPI passes this on from reading the body, to _http_problem
                raise self._too_large()
            return message
        return counted


def _declared_length(scope: Scope) -> int:
    value = Headers(scope=scope).get("content-length", "")
    return int(value) if value.isdecimal() else 0  # the server refused a malformed one already


def install_middleware(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def trace_and_measure(request: Request, call_next):
        started = time.perf_counter()
        with traced(request.headers.get("traceparent")) as traceparent:
            try:
                response = await call_next(request)
            except Exception as exc:  # noqa: BLE001 - answered here: past this point the server logs it, message and all
                response = _unexpected(request, exc)
            route = _route_template(request)
            elapsed = time.perf_counter() - started
            # The route template, never the path: paths carry ids, queries may carry names.
            log.info("request answered", extra={"method": request.method, "route": route,
                                                "status": response.status_code, "ms": round(elapsed * 1000, 1)})
        response.headers["traceparent"] = traceparent
        metrics.http_requests.labels(service, request.method, route, str(response.status_code)).inc()
        metrics.http_duration.labels(service, request.method, route).observe(elapsed)
        return response


def writes_when_reading() -> None:
    """Declares that a read route writes all the same (an access log of what it shows): a route that
    depends on this, itself or through one of its dependencies, is a write transaction (``writes``)."""


WritesWhenReading = Annotated[None, Depends(writes_when_reading)]


def writes(request: Request) -> bool:
    """Whether the request's transaction writes: every method but the reads, and a read whose route
    depends on ``writes_when_reading``."""
    if request.method not in READS:
        return True
    route = request.scope.get("route")
    return isinstance(route, APIRoute) and _depends_on(route.dependant, writes_when_reading)


def _depends_on(dependant: Dependant, call: Callable[..., object]) -> bool:
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


async def _writer_turn(request: Request) -> AsyncIterator[None]:
    """Where a write request waits while another writes, when the database takes one writer
    at a time (SQLite): here, on the event loop. Waiting for the write lock in a worker thread
    would hold that thread, while the writer holding the lock needs one more to shape its
    answer; 40 waiting writers would hold them all until the busy timeout."""
    turn = request.app.state.writer_turn
    if turn is None or not writes(request):
        yield
        return
    async with turn:
        yield


def db_session(request: Request,
               _turn: Annotated[None, Depends(_writer_turn, scope="function")]) -> Iterator[Session]:
    """The request's unit of work: committed when the route returned its answer (before
    it is sent, so a failed commit is the answer), rolled back when it raised. Only a
    request that may change something is a write (on SQLite, one writer at a time)."""
    with request.app.state.database.unit_of_work(write=writes(request)) as session:
        yield session
        session.commit()


# The request's session. Function scope: the commit runs before the response is sent.
Db = Annotated[Session, Depends(db_session, scope="function")]


def app_settings(request: Request) -> Settings:
    return request.app.state.settings


# The settings the service runs with (tests give each app its own).
AppSettings = Annotated[Settings, Depends(app_settings)]


@dataclass
class ServiceContext:
    """What one service's app needs at run time, wired in ``bootstrap``."""

    name: str
    settings: Settings
    database: Database
    broker_check: Callable[[], None]
    collectors: Sequence[Collector] = ()  # the service's own metrics, worked out when scraped


def create_service_app(context: ServiceContext, routers: list[APIRouter], *, title: str,
                       description: str = "") -> FastAPI:
    app = FastAPI(title=title, description=description, version="1.0",
                  dependencies=[Depends(refuse_unknown_query)])
    document_errors(app, PROBLEM)
    app.state.database = context.database
    app.state.writer_turn = anyio.Lock() if context.database.one_writer else None
    app.state.settings = context.settings
    app.state.verifier = TokenVerifier(context.settings)
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, limit=context.settings.max_body_bytes)  # inside the trace: a 413 is logged
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

    @router.get("/readyz", summary="The database and the broker answer; the relay and the consumer beat",
                responses={503: {"description": "Not ready: `checks` names what failed",
                                 "content": {"application/json": {}}}})
    def readyz() -> Response:
        checks = {"database": context.database.ping, "broker": context.broker_check}
        results = {name: _check(fn) for name, fn in checks.items()} | _processes(context.database)
        ready = all(r == "ok" for r in results.values())
        body = {"status": "ready" if ready else "not ready", "service": context.name, "checks": results}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    def prometheus() -> Response:
        payload, content_type = metrics.render_latest(context.collectors)
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
    install_problem_handlers(root)  # a path outside every service is a problem too

    @root.get("/", include_in_schema=False)
    def index() -> dict:
        return {name: {"docs": f"/{name}/docs", "health": f"/{name}/healthz"} for name in apps}

    for name, app in apps.items():
        root.mount(f"/{name}", app)
    return root
