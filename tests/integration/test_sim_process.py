"""The simulator as its own process (``python -m ghosttrack.sim`` = ``ghosttrack simulate``):
it serves, and it agrees with this process on simulated time when the settings agree."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx

from ghosttrack.clock import SystemClock
from ghosttrack.settings import Settings
from ghosttrack.sim.server import SimProcess

START = datetime(2026, 6, 1, tzinfo=UTC)


def simulated_now(sim: SimProcess) -> datetime:
    world = httpx.get(sim.info["root_url"] + "/_sim/world").json()
    return datetime.fromisoformat(world["now"])


def test_accelerated_clocks_in_two_processes_agree() -> None:
    anchor = SystemClock().now()
    env = {
        "GHOSTTRACK_CLOCK_SPEED": "3600",
        "GHOSTTRACK_CLOCK_START": START.isoformat(),
        "GHOSTTRACK_CLOCK_ANCHOR": anchor.isoformat(),
    }
    ours = Settings(clock_speed=3600, clock_start=START, clock_anchor=anchor).clock()
    with SimProcess(videos=500, admin=True, env=env) as sim:
        before = ours.now()
        theirs = simulated_now(sim)
        after = ours.now()
    # 5 simulated minutes = 83 real ms of slack for a loaded machine
    assert before - timedelta(minutes=5) <= theirs <= after + timedelta(minutes=5)
    assert theirs > START + timedelta(minutes=5)  # an hour per real second, running a while


def test_a_pinned_clock_is_the_simulators_now() -> None:
    pinned = datetime(2026, 7, 4, 12, 30, tzinfo=UTC)
    with SimProcess(videos=500, admin=True, env={"GHOSTTRACK_NOW": pinned.isoformat()}) as sim:
        assert simulated_now(sim) == pinned
        assert sim.info["epoch"] == "2026-07-04T00:00:00+00:00"
        ids = ",".join(sim.info["video_ids"])
        body = httpx.get(
            sim.base_url + "/videos", params={"part": "statistics", "id": ids, "key": "k"}
        ).json()
        assert [item["id"] for item in body["items"]] == sim.info["video_ids"]


def test_speed_flag_starts_an_accelerated_timeline_and_says_how_to_join_it() -> None:
    with SimProcess(videos=500, admin=True, extra_args=["--speed", "60"]) as sim:
        clock = sim.info["clock"]
        assert clock["GHOSTTRACK_CLOCK_SPEED"] == "60"
        joined = Settings(
            clock_speed=60,
            clock_start=clock["GHOSTTRACK_CLOCK_START"],
            clock_anchor=clock["GHOSTTRACK_CLOCK_ANCHOR"],
        ).clock()
        assert abs(simulated_now(sim) - joined.now()) < timedelta(seconds=30)


def test_the_command_prints_where_it_listens_and_what_to_try() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ghosttrack.sim", "--port", "0", "--videos", "300"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        lines = []
        for line in process.stderr:
            lines.append(line)
            if "Stop with Ctrl-C" in line:
                break
        text = "".join(lines)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
    assert "listening on http://127.0.0.1:" in text
    assert "GHOSTTRACK_YOUTUBE_API_URL=http://127.0.0.1:" in text
    assert "/feeds/videos.xml?channel_id=UC" in text
    assert "forHandle=@" in text
