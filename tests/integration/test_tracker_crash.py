"""SIGKILL a tracker at random moments: every vault file still reads, every acknowledged sample
(a watchlist row advanced to it) is in the vault, and every video is tracked again after."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
from pydantic import SecretStr

from ghosttrack.clock import FixedClock
from ghosttrack.operations import add_ids
from ghosttrack.runtime import open_runtime
from ghosttrack.settings import Settings
from ghosttrack.watchlist.records import NewVideo
from tests.fixtures.sim import SIM_EPOCH, MakeSim, sim_config

ROUNDS = 6
VIDEOS = 1500
WEEK = timedelta(days=7)


def wait_for_new_file(vault: Path, child: subprocess.Popen[bytes], limit: float = 30) -> bool:
    """Wait until the child has written one more vault file (it is mid-pass), or has exited."""
    before = set(vault.rglob("*.parquet"))
    deadline = time.monotonic() + limit
    while child.poll() is None and time.monotonic() < deadline:
        if set(vault.rglob("*.parquet")) - before:
            return True
        time.sleep(0.01)
    return False


def test_sigkilled_tracker_loses_no_acknowledged_sample(
    store_url: str, make_sim: MakeSim, tmp_path: Path
) -> None:
    sim = make_sim(config=sim_config(latency=0.05, latency_jitter=0.05))
    start = SIM_EPOCH + timedelta(days=30)
    ids = sim.world.video_ids(VIDEOS, published_before=SIM_EPOCH)  # all weekly: due every week
    env_settings = {
        "GHOSTTRACK_HOME": str(tmp_path),
        "GHOSTTRACK_DATABASE_URL": store_url,
        "GHOSTTRACK_YOUTUBE_API_URL": sim.base_url,
        "GHOSTTRACK_YOUTUBE_API_KEYS": "crash-test-key",
        "GHOSTTRACK_CLAIM_SIZE": "100",
        "GHOSTTRACK_API_CONCURRENCY": "2",
    }
    settings = Settings(
        home=tmp_path, database_url=store_url, youtube_api_keys=[SecretStr("crash-test-key")]
    )
    with open_runtime(settings, clock=FixedClock(start)) as rt:
        add_ids(
            rt.db.watchlist,
            settings.tier_table(),
            rt.clock,
            [NewVideo(v) for v in ids],
            revive_removed=False,
        )

    rng = random.Random(1234)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GHOSTTRACK_")} | env_settings
    killed = 0
    for round_ in range(ROUNDS):
        now = start + round_ * WEEK
        child = subprocess.Popen(
            [sys.executable, "-m", "ghosttrack", "track", "--once"],
            env=env | {"GHOSTTRACK_NOW": now.isoformat()},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started_writing = wait_for_new_file(tmp_path / "vault", child)
        time.sleep(rng.uniform(0.0, 0.6))  # somewhere in the middle of the pass
        if started_writing and child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            killed += 1
        child.wait(timeout=30)
    assert killed >= ROUNDS // 2, "the tracker finished too fast to be killed mid-pass"

    vault_files = sorted((tmp_path / "vault").rglob("*.parquet"))
    assert vault_files, "no samples were written before the kills"
    for path in vault_files:
        pq.read_table(path)  # every visible file is whole

    final = start + ROUNDS * WEEK  # all leases have expired by then
    with open_runtime(settings, clock=FixedClock(final)) as rt:
        in_vault = {(r["video_id"], r["timestamp"]) for r in rt.vault.read_samples().to_pylist()}
        acknowledged = [e for e in rt.db.watchlist.get(ids) if e.last_tracked_at is not None]
        assert acknowledged, "no visit was acknowledged before the kills"
        lost = [e.video_id for e in acknowledged if (e.video_id, e.last_tracked_at) not in in_vault]
        assert lost == []

    done = subprocess.run(
        [sys.executable, "-m", "ghosttrack", "track", "--once"],
        env=env | {"GHOSTTRACK_NOW": final.isoformat()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with open_runtime(settings, clock=FixedClock(final)) as rt:
        entries = rt.db.watchlist.get(ids)
        assert len(entries) == VIDEOS
        assert all(e.last_tracked_at == final for e in entries)
        tracked_at_final = {r["video_id"] for r in rt.vault.read_samples(since=final).to_pylist()}
        assert tracked_at_final == set(ids)
