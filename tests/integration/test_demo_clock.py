"""The demo's commands share its clock: a home with a ``demo.json`` gives every command the
running demo's accelerated clock, or the moment it stopped; other homes keep theirs."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ghosttrack.cli.democlock import shared_clock
from ghosttrack.clock import AcceleratedClock, FixedClock, SystemClock
from ghosttrack.settings import Settings

START = datetime(2026, 6, 1, 12, tzinfo=UTC)


def state(home: Path, **fields: object) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "demo.json").write_text(json.dumps({"epoch": "2026-06-01T00:00:00+00:00", **fields}))


def test_a_running_demo_lends_its_accelerated_clock(tmp_path: Path) -> None:
    anchor = SystemClock().now()
    clock = {"speed": 600.0, "start": START.isoformat(), "anchor": anchor.isoformat()}
    state(tmp_path, clock=clock, pid=os.getpid())
    shared = shared_clock(Settings(home=tmp_path)).clock()
    assert isinstance(shared, AcceleratedClock)
    assert START <= shared.now() < START + timedelta(hours=1)


def test_a_stopped_demo_stands_at_the_moment_it_stopped(tmp_path: Path) -> None:
    state(tmp_path, stopped_at=START.isoformat())
    shared = shared_clock(Settings(home=tmp_path)).clock()
    assert isinstance(shared, FixedClock)
    assert shared.now() == START


def test_a_demo_whose_process_is_gone_is_taken_as_stopped(tmp_path: Path) -> None:
    clock = {"speed": 600.0, "start": START.isoformat(), "anchor": START.isoformat()}
    state(tmp_path, clock=clock, pid=2**22 + 12345)  # above pid_max: no such process
    from ghosttrack.watchlist.migrate import upgrade

    upgrade(f"sqlite:///{tmp_path / 'ghosttrack.db'}")
    shared = shared_clock(Settings(home=tmp_path))
    assert shared.clock_speed == 1.0  # not the dead demo's running clock
    assert isinstance(shared.clock(), SystemClock)  # no job yet: nothing to stand at


def test_other_homes_and_explicit_clocks_are_left_alone(tmp_path: Path) -> None:
    plain = Settings(home=tmp_path / "real")
    assert shared_clock(plain) == plain
    state(tmp_path, stopped_at=START.isoformat())
    pinned = Settings(home=tmp_path, now=START + timedelta(days=3))
    assert shared_clock(pinned).now == START + timedelta(days=3)
