"""Checks of docker-compose.yml and the files it mounts, run by deploy/check.sh.

1. The Compose Specification JSON schema (vendored in deploy/compose-spec.json),
   on the file as Compose sees it: YAML anchors and merge keys resolved, and
   the ${VAR:-default} / ${VAR:?message} forms interpolated with their defaults
   (not from this shell's environment, so the result does not depend on it).
2. What the schema cannot know: every `command:` of a CareCircle container is a
   valid `carecircle` invocation (parsed by the CLI's own argparse parser), the
   expected processes exist for every service, dependencies and mounts point at
   things that exist, every CARECIRCLE_* variable is a real setting and the
   shared environment passes the production checks of shared/settings.py, and
   Prometheus scrapes each process where it really serves /metrics.

Prints one line per group of checks, and every failure; exits 1 if any failed. Run from the repository root
with the project's Python (it imports shared/ and services/).
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import jsonschema
import yaml

from services.cli import build_parser  # the real parser, so a command checked here is one the CLI accepts
from services.registry import SERVICES, beat_services, worker_services
from shared.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = ROOT / "deploy" / "compose-spec.json"
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
INIT_SQL = ROOT / "deploy" / "postgres" / "init-databases.sql"
PLUGINS = ROOT / "deploy" / "rabbitmq" / "enabled_plugins"

# Values for the variables the compose file requires (${VAR:?message}).
REQUIRED_VARIABLES = {"CARECIRCLE_JWT_SECRET": "check-only-secret-not-the-development-one"}

problems: list[str] = []


class Checks:
    """A group of like checks, printed as one line, with every failure below it."""

    def __init__(self, what: str) -> None:
        self.what, self.count, self.failures = what, 0, []

    def __call__(self, ok: bool, item: str, detail: str = "") -> bool:
        self.count += 1
        if not ok:
            self.failures.append(item + (f": {detail}" if detail else ""))
        return ok

    def __enter__(self) -> Checks:
        return self

    def __exit__(self, *_exc) -> None:
        counted = f" ({self.count} checked)" if self.count > 1 else ""
        print(f"  {'FAIL' if self.failures else 'ok  '} {self.what}{counted}")
        for failure in self.failures:
            print(f"       {failure}")
        problems.extend(self.failures)


# -- interpolation, as Compose does it -------------------------------------
_VARIABLE = re.compile(r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})")


def interpolate(value, env: dict[str, str]):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        if name in env and (env[name] or not (op or "").startswith(":")):
            return env[name]
        if op and op.endswith("?"):
            raise KeyError(f"${{{name}}} is required: {arg}")
        return arg if op and op.endswith("-") else ""

    return _VARIABLE.sub(replace, value)


# -- the checks ---------------------------------------------------------------
def schema_check(compose: dict) -> None:
    schema = json.loads(SCHEMA.read_text())
    # The schema says draft-07 in a spelling ("https://...draft-07/schema", no "#")
    # that jsonschema does not recognise, so name the draft here.
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(compose), key=lambda e: list(e.absolute_path))
    with Checks(f"valid against the Compose Specification schema ({len(compose['services'])} services)") as c:
        for error in errors:
            c(False, "/".join(map(str, error.absolute_path)) or "(top level)", error.message)


def carecircle_services(compose: dict) -> dict[str, dict]:
    """The containers that run the CareCircle image (the image that is built here)."""
    images = {s.get("image") for s in compose["services"].values() if "build" in s}
    return {name: s for name, s in compose["services"].items() if s.get("image") in images}


def parse_command(command) -> tuple[object | None, str]:
    if not isinstance(command, list) or not command or command[0] != "carecircle":
        return None, "must be a list starting with 'carecircle'"
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            return build_parser().parse_args(command[1:]), ""
    except SystemExit:
        lines = stderr.getvalue().strip().splitlines()
        return None, lines[-1] if lines else "rejected"


def command_checks(compose: dict) -> dict[str, object]:
    parsed = {}
    with Checks("every command is a valid `carecircle` invocation") as c:
        for name, service in carecircle_services(compose).items():
            args, error = parse_command(service.get("command"))
            if c(args is not None, f"{name}: {' '.join(map(str, service.get('command') or []))}", error):
                parsed[name] = args
    return parsed


def process_checks(compose: dict, parsed: dict[str, object]) -> None:
    def runs(name: str, subcommand: str, service: str) -> bool:
        args = parsed.get(name)
        return (args is not None and args.command.__name__ == f"_{subcommand}"
                and getattr(args, "service", None) == service)

    with Checks("migrate, api/consumer/relay per service, a worker per service with tasks, one beat "
                "per service with periodic tasks") as c:
        c(runs("migrate", "migrate", "all"), "migrate must run `carecircle migrate all`")
        for svc in SERVICES:
            for name, subcommand in ((f"{svc}-api", "serve"), (f"{svc}-consumer", "consume"),
                                     (f"{svc}-relay", "relay")):
                c(runs(name, subcommand, svc), f"{name} must run `carecircle {subcommand} {svc}`")
        for svc in worker_services():
            c(runs(f"{svc}-worker", "worker", svc), f"{svc}-worker must run `carecircle worker {svc}`")
        for svc in beat_services():
            c(runs(f"{svc}-beat", "beat", svc), f"{svc}-beat must run `carecircle beat {svc}`")
    with Checks("every CareCircle process starts after migrate completed successfully") as c:
        for name, service in carecircle_services(compose).items():
            if name != "migrate":
                condition = (service.get("depends_on") or {}).get("migrate", {}).get("condition")
                c(condition == "service_completed_successfully", name, f"condition is {condition}")


def reference_checks(compose: dict) -> None:
    services, volumes = compose["services"], compose.get("volumes") or {}
    with Checks("depends_on names defined services; mounts exist or are declared volumes") as c:
        for name, service in services.items():
            for dependency in service.get("depends_on") or {}:
                c(dependency in services, f"{name} depends on undefined {dependency}")
            for mount in service.get("volumes") or []:
                source = mount.split(":", 1)[0]
                if source.startswith((".", "/")):
                    c((ROOT / source).exists(), f"{name} mounts missing {source}")
                else:
                    c(source in volumes, f"{name} uses undeclared volume {source}")


# Go's time.ParseDuration, which Compose applies to healthcheck timings; the
# schema only says "string".
_GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")


def healthcheck_checks(compose: dict, parsed: dict[str, object]) -> None:
    services = compose["services"]
    with Checks("healthcheck timings are durations Compose can parse (10s, 1m30s)") as c:
        for name, service in services.items():
            for key in ("interval", "timeout", "start_period", "start_interval"):
                value = (service.get("healthcheck") or {}).get(key)
                if value is not None:
                    c(bool(_GO_DURATION.match(str(value))), f"{name}: healthcheck {key} {value!r}")
    with Checks("healthchecks on postgres, rabbitmq, redis and /SERVICE/healthz of each API") as c:
        for name in ("postgres", "rabbitmq", "redis"):
            c(bool(services[name].get("healthcheck", {}).get("test")), f"{name} has no healthcheck")
        for svc in SERVICES:
            name, args = f"{svc}-api", parsed.get(f"{svc}-api")
            test = " ".join(services.get(name, {}).get("healthcheck", {}).get("test") or [])
            url = f"http://127.0.0.1:{getattr(args, 'port', '?')}/{svc}/healthz"
            c(url in test and "urllib" in test, f"{name} healthcheck should fetch {url}", test or "none")


def environment_checks(compose: dict) -> None:
    fields = set(Settings.model_fields)
    with Checks("every CARECIRCLE_ variable is a setting of shared/settings.py") as c:
        for name, service in carecircle_services(compose).items():
            for key in service.get("environment") or {}:
                if key.startswith("CARECIRCLE_"):
                    c(key[len("CARECIRCLE_"):].lower() in fields, f"{name}: {key} is no setting")
    env = {k[len("CARECIRCLE_"):].lower(): v for k, v in compose["services"]["migrate"]["environment"].items()
           if k.startswith("CARECIRCLE_")}
    with Checks("the shared environment passes production's checks, one database per service, each API found") as c:
        try:
            settings = Settings(_env_file=None, **env)
        except ValueError as exc:  # pydantic's ValidationError: keep its first message
            c(False, "shared/settings.py refuses it", exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc))
            return
        c(settings.environment == "production", "CARECIRCLE_ENVIRONMENT is not production")
        c("{service}" in settings.database_url, "CARECIRCLE_DATABASE_URL has no {service}")
        for svc in ("intake", "scheduling", "notifications"):
            c(settings.url_of(svc) == f"http://{svc}-api:8000/{svc}/v1",
              f"CARECIRCLE_{svc.upper()}_URL is not {svc}-api's")
        sql = INIT_SQL.read_text()
        for svc in SERVICES:
            database = settings.database_url_for(svc).rsplit("/", 1)[-1].split("?")[0]
            c(re.search(rf"CREATE DATABASE {re.escape(database)}\b", sql) is not None,
              f"{INIT_SQL.relative_to(ROOT)} does not create {database}")


def prometheus_checks(compose: dict, parsed: dict[str, object]) -> None:
    config = yaml.safe_load(PROMETHEUS.read_text())
    scraped: dict[str, str] = {}  # "host:port" -> metrics path
    for job in config["scrape_configs"]:
        default_path = job.get("metrics_path", "/metrics")
        for group in job.get("static_configs", []):
            path = group.get("labels", {}).get("__metrics_path__", default_path)
            scraped.update(dict.fromkeys(group["targets"], path))
        for group in job.get("dns_sd_configs", []):  # names are compose services here
            scraped.update({f"{name}:{group['port']}": default_path for name in group["names"]})
    with Checks(f"{PROMETHEUS.relative_to(ROOT)} scrapes every API, consumer, relay, worker and rabbitmq:15692") as c:
        for svc in SERVICES:
            args = parsed.get(f"{svc}-api")
            target, path = f"{svc}-api:{getattr(args, 'port', '?')}", f"/{svc}/metrics"
            c(scraped.get(target) == path, f"{target}{path} is not scraped")
            for kind in ("consumer", "relay", *(("worker",) if svc in worker_services() else ())):
                args = parsed.get(f"{svc}-{kind}")
                target = f"{svc}-{kind}:{getattr(args, 'metrics_port', '?')}"
                c(scraped.get(target) == "/metrics", f"{target}/metrics is not scraped")
        c(scraped.get("rabbitmq:15692") == "/metrics", "rabbitmq:15692/metrics is not scraped")
        for target in scraped:
            host = target.rsplit(":", 1)[0]
            c(host == "localhost" or host in compose["services"], f"{target} is no compose service")
    with Checks("rabbitmq starts with rabbitmq_prometheus") as c:
        plugins = re.sub(r"%.*", "", PLUGINS.read_text())
        c("rabbitmq_prometheus" in plugins, f"{PLUGINS.relative_to(ROOT)} does not enable it")
        mounts = compose["services"]["rabbitmq"].get("volumes") or []
        c(any(m.endswith(":/etc/rabbitmq/enabled_plugins:ro") for m in mounts), "enabled_plugins is not mounted")


def main() -> int:
    raw = yaml.safe_load(COMPOSE.read_text())  # anchors and << merge keys resolved here
    print(f"{COMPOSE.relative_to(ROOT)}:")
    try:
        compose = interpolate(raw, REQUIRED_VARIABLES)
    except KeyError as exc:
        with Checks("interpolation") as c:
            c(False, str(exc))
        return 1
    schema_check(compose)
    parsed = command_checks(compose)
    process_checks(compose, parsed)
    reference_checks(compose)
    healthcheck_checks(compose, parsed)
    environment_checks(compose)
    prometheus_checks(compose, parsed)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
