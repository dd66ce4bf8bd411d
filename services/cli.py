"""The ``carecircle`` command line."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from services.apps import SERVE_VARIABLE
from services.registry import SERVICES
from shared.settings import Settings, get_settings


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as exc:
        print(f"carecircle: {exc}", file=sys.stderr)
        return 2
    return args.command(args, settings) or 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="carecircle", description="CareCircle services")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler, help: str, service: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(command=handler)
        if service:
            sub.add_argument("service", choices=SERVICES)
        return sub

    run = command("run", _run, "Run all four services in one process (embedded mode)", service=False)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-demo", action="store_true", help="do not load demo data")
    serve = command("serve", _serve, "Serve one service's HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    for name, handler, what in (("consume", _consume, "Consume one service's events"),
                                ("relay", _relay, "Publish one service's outbox"),
                                ("worker", _worker, "Run one service's Celery worker")):
        background = command(name, handler, what)
        background.add_argument("--metrics-port", type=int, help="serve /metrics here")
        background.add_argument("--metrics-host", default="127.0.0.1",
                                help="address of /metrics (0.0.0.0 inside a container)")
        if name == "worker":
            background.add_argument("--concurrency", type=int, default=2)
    beat = command("beat", _beat, "Run one service's periodic task schedule (one copy per service)")
    beat.add_argument("--schedule", type=Path, help="file of when each task last ran [var/beat/SERVICE-schedule]")
    migrate = command("migrate", _migrate, "Migrate a service's database and declare its queues", service=False)
    migrate.add_argument("service", choices=(*SERVICES, "all"))
    revision = command("revision", _revision, "Autogenerate a migration from the models (developers)")
    revision.add_argument("-m", "--message", required=True)
    token = command("token", _token, "Print a signed token for the running configuration", service=False)
    token.add_argument("--role", action="append", required=True, help="repeat for several roles")
    token.add_argument("--municipality", action="append", default=[], help="repeat; '*' for all")
    token.add_argument("--subject")
    token.add_argument("--ttl-minutes", type=int)
    command("catch-up", _catch_up, "Apply the events a service missed, from the replay feeds of the services "
                                  "it consumes (each event once)")
    command("rebuild", _rebuild, "Rebuild reporting's read models from every service's replay feed", service=False)
    dlq = command("dlq", _dlq, "List or replay a service's dead letters", service=False)
    dlq.add_argument("action", choices=("list", "replay"))
    dlq.add_argument("service", choices=SERVICES)
    dlq.add_argument("--event-id", action="append", help="only these events (replay)")
    return parser


def _runtime(name: str, settings: Settings):
    from services.registry import service_spec
    from shared.bootstrap import Runtime, broker_factory
    from shared.logging import configure_logging

    configure_logging(name, settings.log_level, settings.log_json)
    return Runtime(service_spec(name), settings, broker_factory(settings))


def _run(args, settings: Settings) -> None:
    from services.embedded import run_embedded

    run_embedded(settings, host=args.host, port=args.port, demo=not args.no_demo)


def _serve(args, settings: Settings) -> None:
    import os

    import uvicorn

    _runtime(args.service, settings)  # configures logging
    os.environ[SERVE_VARIABLE] = args.service  # read again by each uvicorn worker process
    uvicorn.run("services.apps:create_served_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=None, access_log=False)


def _run_until_signalled(loop) -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    loop(stop)


def _consume(args, settings: Settings) -> None:
    from shared.feed import until_caught_up
    from shared.metrics import serve_metrics

    runtime = _runtime(args.service, settings)
    serve_metrics(args.metrics_port, args.metrics_host)

    def consume(stop: threading.Event) -> None:  # and catch up with what was published before this queue
        threading.Thread(target=until_caught_up, args=(runtime.catch_up, stop), daemon=True).start()
        runtime.consumer().run(stop)
    _run_until_signalled(consume)


def _relay(args, settings: Settings) -> None:
    from shared.metrics import serve_metrics

    relay = _runtime(args.service, settings).relay()
    serve_metrics(args.metrics_port, args.metrics_host)
    _run_until_signalled(relay.run)


def _worker(args, settings: Settings) -> None:
    from shared.metrics import serve_metrics

    runtime = _runtime(args.service, settings)
    celery = runtime.celery()
    serve_metrics(args.metrics_port, args.metrics_host)
    celery.worker_main(["worker", "--loglevel=INFO", f"--concurrency={args.concurrency}",
                        f"--hostname={args.service}@%h"])


def _beat(args, settings: Settings) -> None:
    celery = _runtime(args.service, settings).celery()
    schedule = args.schedule or Path("var/beat") / f"{args.service}-schedule"  # when each task last ran
    schedule.parent.mkdir(parents=True, exist_ok=True)
    celery.start(["beat", "--loglevel=INFO", f"--schedule={schedule}"])


def _migrate(args, settings: Settings) -> None:
    from shared.migrations import upgrade

    for name in SERVICES if args.service == "all" else (args.service,):
        runtime = _runtime(name, settings)
        upgrade(str(runtime.spec.migrations), runtime.database, runtime.spec.metadata)
        if not settings.embedded:
            runtime.consumer().declare()
        print(f"{name}: migrated")


def _revision(args, settings: Settings) -> None:
    from shared.migrations import autogenerate

    runtime = _runtime(args.service, settings)
    autogenerate(str(runtime.spec.migrations), runtime.database, runtime.spec.metadata, args.message)


def _token(args, settings: Settings) -> None:
    from shared.auth import issue_token

    print(issue_token(settings, roles=args.role, municipalities=args.municipality,
                      subject=args.subject, ttl_minutes=args.ttl_minutes))


def _catch_up(args, settings: Settings) -> None:
    for producer, position in _runtime(args.service, settings).catch_up().items():
        print(f"{args.service}: caught up with {producer} (position {position})")


def _rebuild(args, settings: Settings) -> None:
    from services.reporting.rebuild import forget_everything

    runtime = _runtime("reporting", settings)
    with runtime.database.transaction() as session:
        forget_everything(session=session)
    for producer, position in runtime.catch_up().items():
        print(f"reporting: rebuilt from {producer} (position {position})")


def _dlq(args, settings: Settings) -> int:
    broker = _runtime(args.service, settings).brokers()
    if settings.embedded:
        print("the in-process bus keeps dead letters in the running process only", file=sys.stderr)
        return 1
    if args.action == "list":
        for letter in broker.dead_letters(args.service):
            print(json.dumps({"event_id": letter.message.event_id, "type": letter.message.type,
                              "attempts": letter.attempts, "reason": letter.reason}, ensure_ascii=False))
    else:
        print(f"replayed {broker.replay(args.service, args.event_id)} dead letters")
    broker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
