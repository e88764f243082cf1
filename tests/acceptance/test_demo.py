"""`make run` on a fresh machine: no key → the simulator demo, announced, tracking, stoppable."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.acceptance.conftest import Run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_demo_until_it_writes(tmp_path: Path) -> str:
    """``ghosttrack run`` with no key until it has written a new vault file and its dashboard
    answered; then SIGINT."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")}
    env |= {"GHOSTTRACK_HOME": str(tmp_path / "home"), "COLUMNS": "200", "NO_COLOR": "1"}
    env |= {"GHOSTTRACK_WEB_PORT": str(port)}
    vault = tmp_path / "home" / "demo" / "vault" / "metrics"
    before = set(vault.rglob("*.parquet"))
    with subprocess.Popen(
        [sys.executable, "-m", "ghosttrack", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as child:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not set(vault.rglob("*.parquet")) - before:
            time.sleep(0.2)
        stats = httpx.get(f"http://127.0.0.1:{port}/api/v1/stats", timeout=10)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=30)
    assert child.returncode == 0, output
    assert f"dashboard and API: http://127.0.0.1:{port}/" in output
    assert stats.status_code == 200
    assert stats.json()["watchlist_total"] > 0
    return output


def test_run_without_a_key_runs_the_announced_demo_and_resumes_it(
    ghosttrack: Run, tmp_path: Path
) -> None:
    demo = tmp_path / "home" / "demo"
    output = run_demo_until_it_writes(tmp_path)
    assert "No YouTube API key set" in output
    assert "running the demo" in output
    assert "tracked" in output
    added = re.search(r"demo watchlist: (\d+) videos added", output)
    assert added, output
    assert "demo channels:" in output

    def report() -> dict:  # type: ignore[type-arg]
        done = ghosttrack("status", "--json", env={"GHOSTTRACK_HOME": str(demo)})
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    first = report()
    last_job = max(job["finished_at"] or job["started_at"] for job in first["jobs"])
    assert first["now"] >= last_job, "status reads the demo's clock, not the wall clock"
    discovered = re.search(r"discovery: .*added (\d+) videos", output)
    assert discovered, output
    assert first["watchlist_total"] == int(added.group(1)) + int(discovered.group(1))
    assert int(added.group(1)) > 100
    assert first["vault"]["samples"] > 0
    assert not (tmp_path / "home" / "ghosttrack.db").exists(), "the demo keeps out of real data"

    again = run_demo_until_it_writes(tmp_path)
    assert "demo watchlist" not in again, "the second run keeps the first run's watchlist"
    assert "demo channels" not in again
    second = report()
    assert second["watchlist_total"] >= first["watchlist_total"]  # discovery may add uploads
    assert second["vault"]["samples"] > first["vault"]["samples"]
    starts = [job["started_at"] for job in second["jobs"]]
    assert starts == sorted(starts, reverse=True), "the simulated clock resumed, not restarted"


def test_serve_on_a_port_in_use_says_what_to_do(ghosttrack: Run) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = ghosttrack("serve", "--port", str(port))
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port" in done.stderr


def test_serve_beyond_loopback_without_a_token_refuses_to_start(ghosttrack: Run) -> None:
    done = ghosttrack("serve", "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2
    assert "GHOSTTRACK_API_TOKEN" in done.stderr
