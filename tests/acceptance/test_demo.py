"""`make run` on a fresh machine: no key → the simulator demo, announced, tracking, stoppable."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.acceptance.conftest import Run


def run_demo_until_it_writes(tmp_path: Path) -> str:
    """``ghosttrack run`` with no key until it has written a new vault file; then SIGINT."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")}
    env |= {"GHOSTTRACK_HOME": str(tmp_path / "home"), "COLUMNS": "200", "NO_COLOR": "1"}
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
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=30)
    assert child.returncode == 0, output
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
