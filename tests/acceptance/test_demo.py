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


def test_run_without_a_key_runs_the_announced_demo_and_stops_on_sigint(
    ghosttrack: Run, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")}
    env |= {"GHOSTTRACK_HOME": str(tmp_path / "home"), "COLUMNS": "200", "NO_COLOR": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "ghosttrack", "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as child:
        deadline = time.monotonic() + 60
        demo = tmp_path / "home" / "demo"
        while time.monotonic() < deadline and not list((demo / "vault").rglob("*.parquet")):
            time.sleep(0.2)
        child.send_signal(signal.SIGINT)
        output, _ = child.communicate(timeout=30)
    assert child.returncode == 0, output
    assert "No YouTube API key set" in output
    assert "running the demo" in output
    assert "tracked" in output
    report = json.loads(ghosttrack("status", "--json", env={"GHOSTTRACK_HOME": str(demo)}).stdout)
    added = re.search(r"demo watchlist: (\d+) videos added", output)
    assert added, output
    assert report["watchlist_total"] == int(added.group(1)) > 100
    assert report["vault"]["samples"] > 0
    assert not (tmp_path / "home" / "ghosttrack.db").exists(), "the demo keeps out of real data"
