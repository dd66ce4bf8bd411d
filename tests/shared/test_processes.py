"""The ``carecircle`` processes as an operator starts them: what they log and
where they listen."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shared import testing
from shared.testing import until

TRACE_ID = "e" * 32
TRACEPARENT = f"00-{TRACE_ID}-{'f' * 16}-01"


def start(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "CARECIRCLE_ENVIRONMENT": "development", "CARECIRCLE_LOG_JSON": "true",
           "CARECIRCLE_LOG_LEVEL": "INFO", "CARECIRCLE_DATABASE_URL": f"sqlite:///{tmp_path}/{{service}}.db"}
    return subprocess.Popen([sys.executable, "-m", "services.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> list[str]:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output.decode().splitlines()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_api_worker_processes_log_json_lines_with_the_trace_id(tmp_path):
    port = testing.free_port()
    api = start(tmp_path, "serve", "intake", "--port", str(port), "--workers", "2")
    try:
        until(lambda: answers(f"http://127.0.0.1:{port}/intake/healthz"), timeout=60)
        httpx.get(f"http://127.0.0.1:{port}/intake/healthz", headers={"traceparent": TRACEPARENT})
    finally:
        lines = stop(api)

    logged = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    assert {entry["service"] for entry in logged} == {"intake"}
    # Written by a worker process, which uvicorn starts afresh: it configured its logging
    # (the second worker may still be starting on a busy machine when the test ends).
    assert any(entry["message"].startswith("Started server process") for entry in logged)
    [answered] = [e for e in logged if e["message"] == "request answered" and e["trace_id"] == TRACE_ID]
    assert (answered["level"], answered["route"], answered["status"]) == ("info", "/healthz", 200)


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on ``port`` (from /proc/net/tcp)."""
    addresses = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:
            addresses.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
    return addresses


@pytest.mark.parametrize("command", ["relay", "consume"])
def test_metrics_of_relays_and_consumers_listen_on_loopback_unless_told(tmp_path, command):
    port = testing.free_port()
    process = start(tmp_path, command, "intake", "--metrics-port", str(port))
    try:
        until(lambda: answers(f"http://127.0.0.1:{port}/metrics"), timeout=60)
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        stop(process)
