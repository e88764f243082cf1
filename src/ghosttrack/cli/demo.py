"""The demo behind ``make run`` with no API key: the simulator on loopback, an accelerated
clock and a seeded demo watchlist, in ``<home>/demo`` so it never mixes with real data.

The demo's world and timeline persist between runs (``demo.json`` keeps the world's epoch; the
clock resumes from the last job), so a second ``make run`` carries on where the first stopped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console

from ghosttrack.clock import Clock, SystemClock
from ghosttrack.hunter.channels import add_channels
from ghosttrack.operations import add_ids
from ghosttrack.settings import Settings
from ghosttrack.sim.config import SimConfig
from ghosttrack.sim.server import SimServer
from ghosttrack.sim.world import World, to_ts
from ghosttrack.vault.vault import Vault
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.migrate import upgrade
from ghosttrack.watchlist.records import NewVideo
from ghosttrack.youtube.client import YouTubeClient

DEMO_SPEED = 600.0  # ten simulated minutes per real second: an hourly tier ticks every 6 s
DEMO_VIDEOS = 20_000
DEMO_SEED = 7
WATCH_RECENT = 150  # uploads of the last three days: hourly and daily tiers
WATCH_OLDER = 350  # the back catalogue: weekly tier
WATCH_CHANNELS = 3  # the busiest uploaders: discovery at work


@contextmanager
def demo_session(settings: Settings, console: Console) -> Iterator[Settings]:
    """Start the simulator and yield settings pointing at it, with a demo watchlist."""
    home = settings.home / "demo"
    home.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{home / 'ghosttrack.db'}"
    upgrade(database_url)
    db = Database.from_url(database_url)
    try:
        epoch, start = demo_timeline(home, db)
        demo = settings.model_copy(
            update={
                "home": home,
                "database_url": database_url,
                "vault_url": None,
                "clock_speed": DEMO_SPEED,
                "clock_start": start,
                "clock_anchor": SystemClock().now(),  # the edge: real time at the start
                "now": None,
            }
        )
        clock = demo.clock()
        config = SimConfig(seed=DEMO_SEED, videos=DEMO_VIDEOS, epoch=epoch, latency=0.02)
        with SimServer(config, clock) as sim:
            demo = demo.model_copy(
                update={
                    "youtube_api_url": sim.base_url,
                    "youtube_feed_url": sim.feed_url,
                    "youtube_api_keys": [SecretStr("simulator-demo-key")],
                }
            )
            console.print(
                "[bold yellow]No YouTube API key set (GHOSTTRACK_YOUTUBE_API_KEYS): "
                "running the demo[/]\n"
                f"  simulator: {sim.base_url} ({DEMO_VIDEOS:,} videos, seed {DEMO_SEED})\n"
                f"  clock: {DEMO_SPEED:g}x real time, from {start:%Y-%m-%d %H:%M} UTC\n"
                f"  data: {home} (inspect: GHOSTTRACK_HOME={home} ghosttrack status)",
                highlight=False,
            )
            seed_watchlist(db, demo, clock, sim.world, console)
            if not db.discovery.list_channels():
                asyncio.run(watch_busy_channels(db, demo, clock, sim.world, console))
            yield demo
    finally:
        db.close()


def demo_timeline(home: Path, db: Database) -> tuple[datetime, datetime]:
    """The world's epoch (fixed at the first run) and where the simulated clock resumes."""
    state = home / "demo.json"
    real_now = SystemClock().now().replace(microsecond=0)
    if state.exists():
        epoch = datetime.fromisoformat(json.loads(state.read_text())["epoch"])
    else:
        epoch = datetime(real_now.year, real_now.month, real_now.day, tzinfo=UTC)
        state.write_text(json.dumps({"epoch": epoch.isoformat()}))
    jobs = db.jobs.recent_jobs(1)
    last = (jobs[0].finished_at or jobs[0].started_at) if jobs else None
    return epoch, max(real_now, last) if last else real_now


def seed_watchlist(
    db: Database, settings: Settings, clock: Clock, world: World, console: Console
) -> None:
    """Add recent uploads and a back catalogue once; later runs keep the existing watchlist."""
    now = clock.now()
    if db.watchlist.counts(now=now).total:
        return
    recent_since = to_ts(now - timedelta(days=3))
    now_ts = to_ts(now)
    recent = world.find_videos(
        WATCH_RECENT, lambda t: recent_since <= t.published < now_ts < t.gone_at
    )
    older = world.find_videos(
        WATCH_OLDER, lambda t: t.published < recent_since and now_ts < t.gone_at
    )
    videos = [NewVideo(world.video_id(t.number)) for t in recent + older]
    result = add_ids(db.watchlist, settings.tier_table(), clock, videos, revive_removed=False)
    console.print(f"  demo watchlist: {result.added} videos added")


async def watch_busy_channels(
    db: Database, settings: Settings, clock: Clock, world: World, console: Console
) -> None:
    """Watch the busiest channels once, so the demo shows discovery of new uploads too."""
    busiest = sorted(world.channels, key=lambda c: c.interval)[:WATCH_CHANNELS]
    vault = Vault(settings.resolved_vault_url, clock=clock)
    async with YouTubeClient(settings, clock, db.ledger) as youtube:
        added = await add_channels(
            db.discovery, youtube, vault, clock, settings, [c.channel_id for c in busiest]
        )
    titles = ", ".join(c.title or c.channel_id for c in added.added)
    console.print(f"  demo channels: {titles} (new uploads are discovered and tracked)")
