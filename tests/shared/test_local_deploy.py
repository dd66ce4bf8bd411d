"""The local runner of distributed mode (deploy/local/): its configuration and
its supervision of processes that exit."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from shared.testing import until

LOCAL = Path(__file__).resolve().parents[2] / "deploy" / "local"


def configured(*commands: str, **env: str) -> list[str]:
    """What ``commands`` print after sourcing settings.sh with only ``env`` set."""
    script = f"source {LOCAL / 'settings.sh'}; " + "; ".join(commands)
    base = {"PATH": os.environ["PATH"]}
    done = subprocess.run(["bash", "-c", script], env={**base, **env}, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_a_database_url_set_by_the_operator_is_kept_as_given():
    url = "postgresql+psycopg://ops@db.example:6432/care_{service}?sslmode=require"
    assert configured('echo "$CARECIRCLE_DATABASE_URL"', "database_name intake",
                      CARECIRCLE_DATABASE_URL=url) == [url, "care_intake"]


def test_the_default_database_url_names_one_database_per_service():
    assert configured('echo "$CARECIRCLE_DATABASE_URL"', "database_name reporting") == [
        "postgresql+psycopg://postgres@127.0.0.1:5432/carecircle_{service}", "carecircle_reporting"]


def test_ports_move_together_with_the_offset():
    assert configured('echo "${API_PORT[intake]} ${CONSUMER_PORT[reporting]} ${RELAY_PORT[reporting]} '
                      '${WORKER_PORT[notifications]}"', CARECIRCLE_LOCAL_PORT_OFFSET="100") == ["8101 9204 9208 9211"]


def test_services_find_each_other_at_their_api_ports():
    assert configured('echo "$CARECIRCLE_INTAKE_URL $CARECIRCLE_SCHEDULING_URL $CARECIRCLE_NOTIFICATIONS_URL"',
                      CARECIRCLE_LOCAL_PORT_OFFSET="100") == [
        "http://127.0.0.1:8101/intake/v1 http://127.0.0.1:8102/scheduling/v1 http://127.0.0.1:8103/notifications/v1"]


def supervise(tmp_path: Path, command: str) -> tuple[subprocess.Popen, Path]:
    child = tmp_path / "child.pid"
    supervisor = subprocess.Popen([str(LOCAL / "supervise.sh"), str(child), "bash", "-c", command],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return supervisor, child


def test_a_process_that_exits_is_started_again_after_a_pause(tmp_path):
    runs = tmp_path / "runs"
    supervisor, _ = supervise(tmp_path, f"echo run >> {runs}; exit 3")
    try:
        until(lambda: runs.exists() and len(runs.read_text().splitlines()) >= 3, timeout=10)
    finally:
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=10)
    pauses = [line.rsplit(" ", 1)[1] for line in output.splitlines() if "exited with status 3" in line]
    assert pauses[:2] == ["1s", "2s"]  # the back-off doubles


def test_a_killed_process_comes_back_and_a_stopped_supervisor_stops_it(tmp_path):
    supervisor, child = supervise(tmp_path, "sleep 60")
    until(child.exists)
    first = int(child.read_text())
    os.kill(first, signal.SIGKILL)
    until(lambda: child.exists() and int(child.read_text()) != first, timeout=10)
    second = int(child.read_text())

    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)
    assert not Path(f"/proc/{second}").exists() or "zombie" in Path(f"/proc/{second}/status").read_text()
    assert not child.exists()
