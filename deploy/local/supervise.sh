#!/usr/bin/env bash
# Keep one process running, as compose's `restart: unless-stopped` does:
#
#   deploy/local/supervise.sh CHILD_PIDFILE COMMAND [ARGS...]
#
# When COMMAND exits it is started again after a back-off that doubles from
# 1 s to 30 s and starts over once the process has run for 10 s (as Docker's
# restart policy does), so a process that cannot start does not spin. The current child's pid is kept in
# CHILD_PIDFILE (for an operator, or a fault test, to find it). SIGTERM or
# SIGINT stops the child and the supervisor; down.sh sends it to the whole
# process group, which this script leads (up.sh starts it with setsid).
set -uo pipefail

FIRST_PAUSE=1
MAX_PAUSE=30
STEADY=10   # seconds of running after which the back-off starts over

child_pidfile=$1
shift

stopping=false
child=""
stop() {
  stopping=true
  [[ -n $child ]] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

note() { printf '=== %s supervise: %s\n' "$(date -u +%FT%TZ)" "$*"; }

pause=$FIRST_PAUSE
while ! $stopping; do
  started=$SECONDS
  "$@" &
  child=$!
  echo "$child" >"$child_pidfile"
  # `wait` returns early when a trapped signal arrives: wait again for the child to finish.
  wait "$child"
  status=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
  rm -f "$child_pidfile"
  $stopping && break
  ((SECONDS - started >= STEADY)) && pause=$FIRST_PAUSE
  note "$(basename "$1") $2 ${3:-} exited with status $status; restarting in ${pause}s"
  sleep "$pause" & wait $!
  pause=$((pause * 2 > MAX_PAUSE ? MAX_PAUSE : pause * 2))
done
note "stopped"
