#!/usr/bin/env bash
# Fuzzes each service's HTTP API with schemathesis, every check on, against the four
# services embedded in one process (`carecircle run --no-demo`: its relays and consumers
# run, so /readyz is ready) on fresh SQLite files, with a network admin's token.
# deploy/schemathesis.toml says which answers the checks accept. Exits non-zero when a
# check failed for any service.
#
#   deploy/fuzz.sh [SERVICE...] [-- SCHEMATHESIS OPTIONS...]
#   e.g. deploy/fuzz.sh intake -- --max-examples 20 --seed 1
#
# Environment: CARECIRCLE_PYTHON [.venv/bin/python], FUZZ_PORT [8790].
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
PYTHON="${CARECIRCLE_PYTHON:-$ROOT/.venv/bin/python}"
BIN="$(cd "$(dirname "$PYTHON")" && pwd)" || exit 1
PORT="${FUZZ_PORT:-8790}"

services=()
while [[ $# -gt 0 && "$1" != "--" ]]; do services+=("$1"); shift; done
[[ "${1:-}" == "--" ]] && shift
if [[ ${#services[@]} -eq 0 ]]; then
    listed="$("$PYTHON" -c 'from services.registry import SERVICES; print(*SERVICES)')" || exit 1
    read -r -a services <<< "$listed"
fi

WORK="$(mktemp -d)"
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# A configuration of its own: a throw-away database per service, a fresh secret.
export CARECIRCLE_ENVIRONMENT=test CARECIRCLE_BROKER_URL=memory:// CARECIRCLE_LOG_JSON=false
export CARECIRCLE_LOG_LEVEL=WARNING CARECIRCLE_DATABASE_URL="sqlite:///$WORK/{service}.db"
CARECIRCLE_JWT_SECRET="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(32))')"
export CARECIRCLE_JWT_SECRET
TOKEN="$("$BIN/carecircle" token --role network_admin --municipality '*')" || exit 1

"$BIN/carecircle" run --no-demo --port "$PORT" > "$WORK/run.log" 2>&1 &
server=$!

failed=()
for service in "${services[@]}"; do
    echo "== $service"
    # From the work folder: schemathesis keeps its replay files where it runs.
    (cd "$WORK" && "$BIN/schemathesis" --config-file "$ROOT/deploy/schemathesis.toml" run \
        "http://127.0.0.1:$PORT/$service/openapi.json" --wait-for-schema 60 --checks all \
        -H "Authorization: Bearer $TOKEN" "$@") || failed+=("$service")
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "schemathesis found failures in: ${failed[*]}" >&2
    exit 1
fi
