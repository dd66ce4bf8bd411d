#!/usr/bin/env bash
# Start CareCircle in distributed mode as plain processes on this machine
# (`make up`): the same processes and commands as docker-compose.yml, on the
# PostgreSQL, RabbitMQ and Redis already running here.
#
#   per service: API (serve), event consumer (consume), outbox relay (relay);
#   Celery workers, and a beat for each service with periodic tasks (settings.sh).
#
# Each process runs under deploy/local/supervise.sh, which starts it again when
# it exits (back-off 1 s doubling to 30 s), as compose's restart policy does.
# Logs and pid files go to $CARECIRCLE_LOCAL_VAR: log/NAME.log, pids/NAME.pid
# (the supervisor, what down.sh stops) and children/NAME.pid (the process it
# runs now). Stop with deploy/local/down.sh.
#
# Environment (defaults in brackets):
#   CARECIRCLE_BIN          the carecircle command [.venv/bin/carecircle]
#   CARECIRCLE_API_WORKERS  uvicorn worker processes per API [2]
#   CARECIRCLE_LOCAL_HOST   address the APIs and the metrics of consumers and relays
#                           listen on [127.0.0.1]: loopback by default, since the
#                           development JWT secret is in git
#   CARECIRCLE_LOCAL_VAR    logs and pid files [var/local]
#   CARECIRCLE_LOCAL_PORT_OFFSET  added to every port below [0], for a second copy
#   CARECIRCLE_*            any setting of shared/settings.py; the defaults below
#                           point at the local servers, development environment
#   PGHOST PGPORT PGUSER    where to create the databases [127.0.0.1 5432 postgres]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# shellcheck source=deploy/local/settings.sh
source "$ROOT/deploy/local/settings.sh"
BIN="${CARECIRCLE_BIN:-.venv/bin/carecircle}"
API_WORKERS="${CARECIRCLE_API_WORKERS:-2}"
READY_TIMEOUT=60   # seconds to wait for every process to answer

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
# The process runs under supervise.sh, which setsid makes the leader of its own
# process group, so that down.sh stops it together with the process it runs
# and that one's children (uvicorn workers, Celery pool).
start() {
  local name=$1 envs=()
  shift
  while [[ $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  say "  $name: carecircle $*"
  # Logs are appended across runs; this line marks where a run begins.
  printf '=== %s up.sh: carecircle %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOGS/$name.log"
  env ${envs[@]+"${envs[@]}"} setsid "$ROOT/deploy/local/supervise.sh" "$CHILDREN/$name.pid" "$BIN" "$@" \
    >>"$LOGS/$name.log" 2>&1 </dev/null &
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
    port_open "$HOST" "$port" && die "port $port is already in use"
  done
done

mkdir -p "$LOGS" "$PIDS" "$CHILDREN"
rm -f "$PIDS"/*.pid "$CHILDREN"/*.pid

# ------------------------------------------------------------------ databases
# One database per service, named by CARECIRCLE_DATABASE_URL's {service} template.
if [[ $CARECIRCLE_DATABASE_URL == postgresql* ]]; then
  psql -q -d postgres -c 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL as $PGUSER@$PGHOST:$PGPORT"
  for svc in "${SERVICES[@]}"; do
    db="$(database_name "$svc")"
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
  start "$svc-api" "PROMETHEUS_MULTIPROC_DIR=$metrics_dir" -- \
    serve "$svc" --host "$HOST" --port "${API_PORT[$svc]}" --workers "$API_WORKERS"
  start "$svc-consumer" -- consume "$svc" --metrics-host "$HOST" --metrics-port "${CONSUMER_PORT[$svc]}"
  start "$svc-relay" -- relay "$svc" --metrics-host "$HOST" --metrics-port "${RELAY_PORT[$svc]}"
done
for svc in "${WORKER_SERVICES[@]}"; do
  # A worker's pool processes share its /metrics the same way.
  metrics_dir="$VAR/prometheus/$svc-worker"
  rm -rf "$metrics_dir"
  mkdir -p "$metrics_dir"
  start "$svc-worker" "PROMETHEUS_MULTIPROC_DIR=$metrics_dir" -- \
    worker "$svc" --concurrency 2 --metrics-host "$HOST" --metrics-port "${WORKER_PORT[$svc]}"
done
for svc in "${BEAT_SERVICES[@]}"; do
  start "$svc-beat" -- beat "$svc" --schedule "$VAR/beat/$svc-schedule"
done

say "waiting for every process to answer"
for svc in "${SERVICES[@]}"; do
  wait_for "$svc-api" "http://$HOST:${API_PORT[$svc]}/$svc/readyz"
  wait_for "$svc-consumer" "http://$HOST:${CONSUMER_PORT[$svc]}/metrics"
  wait_for "$svc-relay" "http://$HOST:${RELAY_PORT[$svc]}/metrics"
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
  base="http://$HOST:${API_PORT[$svc]}/$svc"
  printf '  %-14s API %s/docs   health %s/healthz   metrics %s/metrics\n' "$svc" "$base" "$base" "$base"
  printf '  %-14s consumer metrics http://%s:%s/metrics   relay metrics http://%s:%s/metrics\n' \
    "" "$HOST" "${CONSUMER_PORT[$svc]}" "$HOST" "${RELAY_PORT[$svc]}"
done
say "  workers: ${WORKER_SERVICES[*]}; beat: ${BEAT_SERVICES[*]} (Celery on $CARECIRCLE_REDIS_URL)"
say "  token:   $BIN token --role network_admin --municipality '*'"
say "stop with deploy/local/down.sh"
