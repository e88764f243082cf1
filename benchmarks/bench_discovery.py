"""Discovery over a simulated 14 days with 200 channels (issue 4).

The simulator (in a thread, over loopback HTTP) and the hunter share a manual clock that jumps
from one due poll to the next, so 14 days take minutes, not weeks. Reported: discovery units
per Pacific day and their share of the daily budget, feed reads, and the share of uploads found
within one poll interval of their publication (the interval the channel was polled at then).
Goal: 100% found, at most 5% of the daily budget (10,000 units) spent on discovery.

With ``--track``, ``ghosttrack run``'s daemon runs instead: discovery beside tracking, with
quota-free feed samples for the hourly tier; the units they saved are reported too.

    python -m benchmarks.bench_discovery [--channels 200] [--days 14] [--track]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 21
EPOCH = datetime(2026, 6, 1, tzinfo=UTC)
VIDEOS_PER_CHANNEL = 200


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}"


async def run(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    from pydantic import SecretStr

    from ghosttrack.hunter import discovery
    from ghosttrack.hunter.channels import add_channels
    from ghosttrack.quota import pacific_day
    from ghosttrack.runtime import open_runtime
    from ghosttrack.settings import Settings
    from ghosttrack.sim.config import SimConfig
    from ghosttrack.sim.server import SimServer
    from ghosttrack.tracker.tracker import Tracker

    until = EPOCH + timedelta(days=args.days)
    stop = asyncio.Event()
    clock = JumpingClock(EPOCH, until, stop)
    config = SimConfig(
        seed=SEED,
        videos=args.channels * VIDEOS_PER_CHANNEL,
        channels=args.channels,
        epoch=EPOCH,
        horizon=timedelta(days=args.days + 5),
    )
    with SimServer(config, clock) as sim:
        settings = Settings(
            home=home,
            youtube_api_url=sim.base_url,
            youtube_feed_url=sim.feed_url,
            youtube_api_keys=[SecretStr("bench-discovery-key")],
        )
        with open_runtime(settings, clock=clock) as rt:
            async with rt.youtube() as youtube:
                ids = [c.channel_id for c in sim.world.channels]
                await add_channels(rt.db.discovery, youtube, rt.vault, clock, settings, ids)
                parts = discovery(rt.db, youtube, rt.vault, clock, settings, worker="bench")
                started = time.perf_counter()
                if args.track:
                    tracker = Tracker(
                        rt.db.watchlist, rt.db.jobs, youtube, rt.vault, clock, settings,
                        worker="bench",
                        feed_samples=parts.feed_samples,
                    )  # fmt: skip
                    runs = await _daemon(parts.hunter, tracker, rt, clock, stop)
                else:
                    runs = await _loop(parts.hunter, clock, until)
                wall = time.perf_counter() - started
            jobs = rt.db.jobs.recent_jobs(1_000_000)
            watched = rt.db.watchlist.counts(now=clock.now()).total
        feed_requests = sim.simulator.state.requests.get("feed", 0)

        units_by_day: dict[str, int] = defaultdict(int)
        for moment, result in runs:
            units_by_day[pacific_day(moment).isoformat()] += result.units_by_bucket.get("shared", 0)
        found = _found_within_interval(sim.world, runs, settings.channel_poll_max, until)
    tracking = [j for j in jobs if j.kind == "track"]
    return {
        "machine": machine(),
        "channels": args.channels,
        "days": args.days,
        "wall_seconds": round(wall, 1),
        "discovery_runs": len(runs),
        "feed_requests": feed_requests,
        "videos_on_watchlist": watched,
        "added": sum(r.added for _, r in runs),
        "backfilled": sum(d.via == "backfill" for _, r in runs for d in r.discovered),
        "units_by_pacific_day": dict(sorted(units_by_day.items())),
        "calls_by_method": dict(sum((Counter(r.calls_by_method) for _, r in runs), Counter())),
        **found,
        "tracking_units": sum(j.counts.get("calls", 0) for j in tracking),
        "feed_samples": sum(j.counts.get("feed_samples", 0) for j in tracking),
        "units_saved_by_feed_samples": sum(j.counts.get("units_saved", 0) for j in tracking),
    }


class JumpingClock:
    """Simulated time that jumps: sleeping moves it on at once; at ``until`` it sets ``stop``."""

    def __init__(self, start: datetime, until: datetime, stop: asyncio.Event) -> None:
        self._now, self.until, self.stop = start, until, stop

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = max(self._now, min(moment, self.until))
        if self._now >= self.until:
            self.stop.set()

    async def sleep(self, seconds: float) -> None:
        self.set(self._now + timedelta(seconds=max(0.0, seconds)))
        await asyncio.sleep(0)


async def _loop(hunter: Any, clock: JumpingClock, until: datetime) -> list[tuple[datetime, Any]]:
    """Discovery alone: jump to each moment a poll (statistics, search) is due and run it."""
    runs = []
    while True:
        due = hunter.next_due_at()
        if due is None or due >= until:
            return runs
        clock.set(due)
        runs.append((clock.now(), await hunter.run_once()))


async def _daemon(
    hunter: Any, tracker: Any, rt: Any, clock: JumpingClock, stop: asyncio.Event
) -> list[tuple[datetime, Any]]:
    """``ghosttrack run``: the daemon tracks and discovers until the clock reaches the end."""
    from ghosttrack.tracker.daemon import Daemon

    runs: list[tuple[datetime, Any]] = []

    def note(result: Any) -> None:
        runs.append((clock.now(), result))

    daemon = Daemon(
        tracker, rt.db.watchlist, clock, rt.settings, discoverer=hunter, on_discovery=note
    )
    await daemon.run(stop)
    return runs


def _found_within_interval(
    world: Any, runs: list[tuple[datetime, Any]], longest: timedelta, until: datetime
) -> dict[str, Any]:
    """Uploads published after the first run (every channel's first poll, its backfill) and
    public for at least the longest poll interval: the share discovered within the interval
    their channel was polled at when they appeared."""
    discovered = {d.video_id: d for _, result in runs for d in result.discovered}
    start = runs[0][0] if runs else EPOCH
    expected = [
        u
        for channel in world.channels
        for u in world.uploads(channel.channel_id, since=start, until=until - longest)
        if u.published_at > start and (u.gone_at is None or u.gone_at > u.published_at + longest)
    ]
    delays = []
    within = 0
    for upload in expected:
        found = discovered.get(upload.video_id)
        if found is None or found.poll_every is None:
            continue
        delay = found.seen_at - upload.published_at
        delays.append(delay.total_seconds() / 60)
        within += delay <= found.poll_every
    delays.sort()
    return {
        "uploads_expected": len(expected),
        "uploads_found": len(delays),
        "found_within_one_poll_interval": within,
        "share_found_within_interval": round(within / max(1, len(expected)), 4),
        "delay_minutes_median": round(delays[len(delays) // 2], 1) if delays else None,
        "delay_minutes_max": round(delays[-1], 1) if delays else None,
    }


def report(figures: dict[str, Any]) -> None:
    days = figures["units_by_pacific_day"]
    budget = 10_000
    print(f"discovery: {figures['channels']} channels, {figures['days']} simulated days")
    print(f"  machine: {figures['machine']}; wall {figures['wall_seconds']} s")
    print(f"  runs {figures['discovery_runs']}, feed requests {figures['feed_requests']}")
    print(
        f"  added {figures['added']} videos ({figures['backfilled']} by backfill); "
        f"watchlist {figures['videos_on_watchlist']}"
    )
    print("  discovery units per Pacific day (share of a 10,000-unit budget):")
    for day, units in days.items():
        print(f"    {day}: {units:5d}  ({units / budget:.2%})")
    steady = list(days.values())[1:] or list(days.values())
    print(
        f"  max {max(days.values())} units/day ({max(days.values()) / budget:.2%}); "
        f"after the first day, mean {sum(steady) / len(steady):.1f} units/day"
    )
    print(f"  calls by method: {figures['calls_by_method']}")
    print(
        f"  uploads found within one poll interval: {figures['found_within_one_poll_interval']}"
        f" of {figures['uploads_expected']} ({figures['share_found_within_interval']:.2%}); "
        f"delay median {figures['delay_minutes_median']} min, "
        f"max {figures['delay_minutes_max']} min"
    )
    if figures["tracking_units"]:
        saved, spent = figures["units_saved_by_feed_samples"], figures["tracking_units"]
        fed = figures["feed_samples"]
        print(
            f"  tracking: {spent} units; {fed} samples from feeds, ids kept off the API worth "
            f"{fed / 50:.0f} full calls; calls (units) they removed: {saved}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--track", action="store_true", help="track beside (feed samples)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-discovery-") as home:
        figures = asyncio.run(run(args, Path(home)))
    if args.json:
        print(json.dumps(figures, indent=2))
    report(figures)


if __name__ == "__main__":
    main()
