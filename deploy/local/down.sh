#!/usr/bin/env bash
# Stop what deploy/local/up.sh started (`make down`): every process group named
# by a pid file in var/local/pids/, with SIGTERM, then SIGKILL after a grace period.
#
#   deploy/local/down.sh           stop the processes, keep the data
#   deploy/local/down.sh --purge   also drop the four databases, delete the RabbitMQ
#                                  exchange and queues that migrate declared and the
#                                  Celery queues of the namespace in Redis
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

# shellcheck source=deploy/local/settings.sh
source "$ROOT/deploy/local/settings.sh"
GRACE=20   # seconds: a consumer finishes its batch, a Celery worker its tasks

purge=false
case "${1:-}" in
  "") ;;
  --purge) purge=true ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

# Each supervisor was started by setsid as the leader of its own process group,
# so "-PID" reaches it, the process it runs and that one's children (uvicorn
# workers, Celery pool); the supervisor does not restart a process it was told to stop.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stopping=()
for pidfile in "$PIDS"/*.pid; do
  [[ -e $pidfile ]] || continue
  name="$(basename "$pidfile" .pid)"
  pid="$(cat "$pidfile")"
  # A stale pid file must not make us signal an unrelated process that reused the pid.
  if group_alive "$pid" && ps -o args= -p "$pid" | grep -q carecircle; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    stopping+=("$name:$pid")
  else
    rm -f "$pidfile"
  fi
done

deadline=$((SECONDS + GRACE))
for entry in ${stopping[@]+"${stopping[@]}"}; do
  name="${entry%%:*}"
  pid="${entry##*:}"
  while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if group_alive "$pid"; then
    kill -KILL -- "-$pid" 2>/dev/null || true
    echo "  $name: killed (did not stop within ${GRACE}s)"
  else
    echo "  $name: stopped"
  fi
  rm -f "$PIDS/$name.pid" "$CHILDREN/$name.pid"
done
rm -rf "$VAR/prometheus"
echo "stopped ${#stopping[@]} processes"

if $purge; then
  # Same names as up.sh and `carecircle migrate all`: the settings and the
  # project's own topology naming decide them, so nothing is guessed here.
  for svc in "${SERVICES[@]}"; do
    db="$(database_name "$svc")"
    psql -q -d postgres -v ON_ERROR_STOP=1 -v db="$db" \
      <<<'SET client_min_messages = warning; DROP DATABASE IF EXISTS :"db" WITH (FORCE)' >/dev/null
    echo "  dropped database $db"
  done
  "${CARECIRCLE_PYTHON:-.venv/bin/python}" - <<'PY'
import pika
import redis

from shared.messaging import topology
from services.registry import SERVICES
from shared.settings import Settings

settings = Settings(environment="development")
ns = settings.namespace
connection = pika.BlockingConnection(pika.URLParameters(settings.broker_url))
channel = connection.channel()
for service in SERVICES:
    for queue in (topology.queue(ns, service), topology.dead_letter_queue(ns, service),
                  *(topology.retry_queue(ns, service, d) for d in settings.retry_delays)):
        channel.queue_delete(queue)  # deleting a queue that is not there is not an error
channel.exchange_delete(topology.exchange(ns))
connection.close()
print(f"  deleted exchange {topology.exchange(ns)} and the queues {ns}.<service>[.retry.*|.dlq]")

# Celery's queues are Redis lists named by topology.task_queue, plus kombu's bindings of them.
client = redis.Redis.from_url(settings.redis_url)
queues = [topology.task_queue(ns, service) for service in SERVICES]
keys = queues + [f"_kombu.binding{kind}.{queue}" for queue in queues for kind in ("", "_permanent")]
print(f"  deleted {client.delete(*keys)} Redis keys of {ns}'s Celery queues")
PY
fi
