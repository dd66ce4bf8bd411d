#!/usr/bin/env bash
# Start CareCircle in distributed mode as plain processes on this machine
# (`make up`): the same processes and commands as docker-compose.yml, on the
# PostgreSQL, RabbitMQ and Redis already running here.
#
#   per service: API (serve), event consumer (consume), outbox relay (relay);
#   Celery workers for notifications and reporting.
#
# Logs and pid files go to var/local/ (log/, pids/). Stop with deploy/local/down.sh.
#
# Environment (defaults in brackets):
#   CARECIRCLE_BIN          the carecircle command [.venv/bin/carecircle]
#   CARECIRCLE_API_WORKERS  uvicorn worker processes per API [2]
#   CARECIRCLE_LOCAL_HOST   address the APIs listen on [127.0.0.1]: loopback by
#                           default, since the development JWT secret is in git
#   CARECIRCLE_*            any setting of shared/settings.py; the defaults below
#                           point at the local servers, development environment
#   PGHOST PGPORT PGUSER    where to create the databases [127.0.0.1 5432 postgres]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SERVICES=(intake scheduling notifications reporting)
WORKER_SERVICES=(notifications reporting)   # the services that have Celery tasks
declare -A API_PORT=([intake]=8001 [scheduling]=8002 [notifications]=8003 [reporting]=8004)
declare -A CONSUMER_PORT=([intake]=9101 [scheduling]=9102 [notifications]=9103 [reporting]=9104)
declare -A RELAY_PORT=([intake]=9105 [scheduling]=9106 [notifications]=9107 [reporting]=9108)

BIN="${CARECIRCLE_BIN:-.venv/bin/carecircle}"
API_WORKERS="${CARECIRCLE_API_WORKERS:-2}"
HOST="${CARECIRCLE_LOCAL_HOST:-127.0.0.1}"
VAR="var/local"
LOGS="$VAR/log"
PIDS="$VAR/pids"
READY_TIMEOUT=60   # seconds to wait for every process to answer

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
# Development is allowed the built-in JWT secret; everything else is as in production.
export CARECIRCLE_ENVIRONMENT="${CARECIRCLE_ENVIRONMENT:-development}"
export CARECIRCLE_DATABASE_URL="${CARECIRCLE_DATABASE_URL:-postgresql+psycopg://$PGUSER@$PGHOST:$PGPORT/carecircle_{service}}"
export CARECIRCLE_BROKER_URL="${CARECIRCLE_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"
export CARECIRCLE_REDIS_URL="${CARECIRCLE_REDIS_URL:-redis://127.0.0.1:6379/0}"
export CARECIRCLE_CELERY_EAGER="${CARECIRCLE_CELERY_EAGER:-false}"

say() { printf '%s\n' "$*"; }
die() { printf 'up.sh: %s\n' "$*" >&2; exit 1; }

# port_open HOST PORT: something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# host_port URL DEFAULT_PORT: "host port" of scheme://[user[:pw]@]host[:port]/...
host_port() {
  local rest="${1#*://}"
  rest="${rest%%/*}"
  rest="${rest##*@}"
  if [[ $rest == *:* ]]; then say "${rest%%:*} ${rest##*:}"; else say "$rest $2"; fi
}

require_server() {  # NAME URL DEFAULT_PORT
  local host port
  read -r host port < <(host_port "$2" "$3")
  port_open "$host" "$port" || die "$1 is not reachable at $host:$port"
}

fail() {  # NAME MESSAGE: show the process's log, stop everything, exit
  printf 'up.sh: %s: %s\n' "$1" "$2" >&2
  if [[ -f $LOGS/$1.log ]]; then
    printf -- '--- last lines of %s\n' "$LOGS/$1.log" >&2
    tail -n 30 "$LOGS/$1.log" >&2
  fi
  say "stopping what was started" >&2
  "$ROOT/deploy/local/down.sh" >&2 || true
  exit 1
}

# start NAME [VAR=value ...] -- CARECIRCLE ARGS...
# setsid makes the process the leader of its own process group, so that
# down.sh can stop it together with its children (uvicorn workers, Celery pool).
start() {
  local name=$1 envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  say "  $name: carecircle $*"
  # Logs are appended across runs; this line marks where a run begins.
  printf '=== %s up.sh: carecircle %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOGS/$name.log"
  env ${envs[@]+"${envs[@]}"} setsid "$BIN" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

alive() { kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

# wait_for NAME URL: until URL answers 2xx, the process dies, or time runs out.
wait_for() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fs -o /dev/null --max-time 2 "$2"; do
    alive "$1" || fail "$1" "exited"
    ((SECONDS < deadline)) || fail "$1" "$2 did not answer within ${READY_TIMEOUT}s"
    sleep 0.5
  done
}

# ------------------------------------------------------------------ preflight
command -v "$BIN" >/dev/null || die "$BIN not found (set CARECIRCLE_BIN or create .venv)"
for tool in psql curl setsid; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done
for pidfile in "$PIDS"/*.pid; do
  [[ -e $pidfile ]] || continue
  kill -0 "$(cat "$pidfile")" 2>/dev/null &&
    die "$(basename "$pidfile" .pid) is already running: run deploy/local/down.sh first"
done
require_server RabbitMQ "$CARECIRCLE_BROKER_URL" 5672
require_server Redis "$CARECIRCLE_REDIS_URL" 6379
for svc in "${SERVICES[@]}"; do
  for port in "${API_PORT[$svc]}" "${CONSUMER_PORT[$svc]}" "${RELAY_PORT[$svc]}"; do
    port_open 127.0.0.1 "$port" && die "port $port is already in use"
  done
done

mkdir -p "$LOGS" "$PIDS"
rm -f "$PIDS"/*.pid

# ------------------------------------------------------------------ databases
# One database per service, named by CARECIRCLE_DATABASE_URL's {service} template.
if [[ $CARECIRCLE_DATABASE_URL == postgresql* ]]; then
  psql -q -d postgres -c 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL as $PGUSER@$PGHOST:$PGPORT"
  for svc in "${SERVICES[@]}"; do
    url="${CARECIRCLE_DATABASE_URL//\{service\}/$svc}"
    db="${url##*/}"
    db="${db%%\?*}"
    # psql quotes :'db' and :"db" itself, but only in input it reads, not in -c.
    exists="$(psql -Atq -d postgres -v db="$db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")"
    if [[ -z $exists ]]; then
      psql -q -d postgres -v ON_ERROR_STOP=1 -v db="$db" <<<'CREATE DATABASE :"db"' >/dev/null
      say "created database $db"
    fi
  done
fi

# ------------------------------------------------------------------ migrate
say "migrating (log: $LOGS/migrate.log)"
"$BIN" migrate all >"$LOGS/migrate.log" 2>&1 || fail migrate "carecircle migrate all failed"

# ------------------------------------------------------------------ processes
say "starting processes"
for svc in "${SERVICES[@]}"; do
  # Several uvicorn workers share /metrics through prometheus_client's
  # multiprocess mode; its files must start empty and belong to one API only.
  metrics_dir="$VAR/prometheus/$svc-api"
  rm -rf "$metrics_dir"
  mkdir -p "$metrics_dir"
  start "$svc-api" "PROMETHEUS_MULTIPROC_DIR=$ROOT/$metrics_dir" -- \
    serve "$svc" --host "$HOST" --port "${API_PORT[$svc]}" --workers "$API_WORKERS"
  start "$svc-consumer" -- consume "$svc" --metrics-port "${CONSUMER_PORT[$svc]}"
  start "$svc-relay" -- relay "$svc" --metrics-port "${RELAY_PORT[$svc]}"
done
for svc in "${WORKER_SERVICES[@]}"; do
  start "$svc-worker" -- worker "$svc" --concurrency 2
done

say "waiting for every process to answer"
for svc in "${SERVICES[@]}"; do
  wait_for "$svc-api" "http://127.0.0.1:${API_PORT[$svc]}/$svc/readyz"
  wait_for "$svc-consumer" "http://127.0.0.1:${CONSUMER_PORT[$svc]}/metrics"
  wait_for "$svc-relay" "http://127.0.0.1:${RELAY_PORT[$svc]}/metrics"
done
# A Celery worker serves nothing to ask; it logs "<hostname> ready." once it
# consumes. Only this run's part of the log counts (after its "===" line).
this_run() { tac "$1" | sed '/^=== /q'; }
for svc in "${WORKER_SERVICES[@]}"; do
  deadline=$((SECONDS + READY_TIMEOUT))
  until this_run "$LOGS/$svc-worker.log" | grep -q ' ready\.'; do
    alive "$svc-worker" || fail "$svc-worker" "exited"
    ((SECONDS < deadline)) || fail "$svc-worker" "not ready within ${READY_TIMEOUT}s"
    sleep 0.5
  done
done

# ------------------------------------------------------------------ summary
say ""
say "CareCircle is running (distributed mode, $CARECIRCLE_ENVIRONMENT); logs in $LOGS/"
for svc in "${SERVICES[@]}"; do
  base="http://127.0.0.1:${API_PORT[$svc]}/$svc"
  printf '  %-14s API %s/docs   health %s/healthz   metrics %s/metrics\n' "$svc" "$base" "$base" "$base"
  printf '  %-14s consumer metrics http://127.0.0.1:%s/metrics   relay metrics http://127.0.0.1:%s/metrics\n' \
    "" "${CONSUMER_PORT[$svc]}" "${RELAY_PORT[$svc]}"
done
say "  workers: ${WORKER_SERVICES[*]} (Celery on $CARECIRCLE_REDIS_URL)"
say "  token:   $BIN token --role network_admin --municipality '*'"
say "stop with deploy/local/down.sh"
