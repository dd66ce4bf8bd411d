# The configuration of `make up` and `make down`, in one place: sourced by
# up.sh and down.sh. Every value can be set by the operator beforehand.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file

SERVICES=(intake scheduling notifications reporting)
WORKER_SERVICES=(intake notifications reporting scheduling)   # Celery workers
BEAT_SERVICES=(intake notifications reporting scheduling)   # services with periodic tasks: one `carecircle beat` each

VAR="$(realpath -m "${CARECIRCLE_LOCAL_VAR:-var/local}")"  # relative to the checkout
LOGS="$VAR/log"
PIDS="$VAR/pids"          # supervisors: what down.sh stops
CHILDREN="$VAR/children"  # the process each supervisor runs now
HOST="${CARECIRCLE_LOCAL_HOST:-127.0.0.1}"

PORT_OFFSET="${CARECIRCLE_LOCAL_PORT_OFFSET:-0}"
declare -A API_PORT CONSUMER_PORT RELAY_PORT WORKER_PORT
for i in "${!SERVICES[@]}"; do
  API_PORT[${SERVICES[$i]}]=$((8001 + i + PORT_OFFSET))
  CONSUMER_PORT[${SERVICES[$i]}]=$((9101 + i + PORT_OFFSET))
  RELAY_PORT[${SERVICES[$i]}]=$((9105 + i + PORT_OFFSET))
  WORKER_PORT[${SERVICES[$i]}]=$((9109 + i + PORT_OFFSET))
done

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
# Development is allowed the built-in JWT secret; everything else is as in production.
export CARECIRCLE_ENVIRONMENT="${CARECIRCLE_ENVIRONMENT:-development}"
# "{service}" is the settings' template, not shell syntax: inside ${VAR:-default}
# its "}" would end the default, so the default is a variable of its own.
default_database_url="postgresql+psycopg://$PGUSER@$PGHOST:$PGPORT/carecircle_{service}"
export CARECIRCLE_DATABASE_URL="${CARECIRCLE_DATABASE_URL:-$default_database_url}"
export CARECIRCLE_BROKER_URL="${CARECIRCLE_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/%2F}"
export CARECIRCLE_REDIS_URL="${CARECIRCLE_REDIS_URL:-redis://127.0.0.1:6379/0}"
export CARECIRCLE_CELERY_EAGER="${CARECIRCLE_CELERY_EAGER:-false}"
# Where a service asks another by name: notifications asks intake for a contact at send time,
# a service that catches up reads the replay feeds of those it consumes.
export CARECIRCLE_INTAKE_URL="${CARECIRCLE_INTAKE_URL:-http://$HOST:${API_PORT[intake]}/intake/v1}"
export CARECIRCLE_SCHEDULING_URL="${CARECIRCLE_SCHEDULING_URL:-http://$HOST:${API_PORT[scheduling]}/scheduling/v1}"
export CARECIRCLE_NOTIFICATIONS_URL="${CARECIRCLE_NOTIFICATIONS_URL:-http://$HOST:${API_PORT[notifications]}/notifications/v1}"

# database_name SERVICE: the database of SERVICE named by the URL template.
database_name() {
  local url="${CARECIRCLE_DATABASE_URL//\{service\}/$1}" db
  db="${url##*/}"
  printf '%s\n' "${db%%\?*}"
}
