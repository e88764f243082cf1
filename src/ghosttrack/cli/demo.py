"""The demo behind ``make run`` with no API key: the simulator on loopback, an accelerated
clock and a seeded demo watchlist, in ``<home>/demo`` so it never mixes with real data.

The demo's world and timeline persist between runs (``demo.json`` keeps the world's epoch; the
clock resumes from the last job), so a second ``make run`` carries on where the first stopped.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from rich.console import Console

from ghosttrack.cli.democlock import last_job_time, read_state, write_state
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
TOKEN_FILE = "api-token"


@contextmanager
def demo_session(settings: Settings, console: Console) -> Iterator[Settings]:
    """Start the simulator and yield settings pointing at it, with a demo watchlist.

    The demo's clock is written to ``demo.json`` while it runs, and its last moment when it
    stops, so that other commands on the demo's home share its time (``shared_clock``).
    """
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
                "api_token": settings.api_token or demo_token(home),
            }
        )
        clock = demo.clock()
        write_state(
            home, epoch, clock={"speed": DEMO_SPEED, "start": start, "anchor": demo.clock_anchor}
        )
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
            try:
                yield demo
            finally:
                write_state(home, epoch, stopped_at=clock.now())
    finally:
        db.close()


def demo_timeline(home: Path, db: Database) -> tuple[datetime, datetime]:
    """The world's epoch (fixed at the first run) and where the simulated clock resumes."""
    state = read_state(home)
    real_now = SystemClock().now().replace(microsecond=0)
    if "epoch" in state:
        epoch = datetime.fromisoformat(state["epoch"])
    else:
        epoch = datetime(real_now.year, real_now.month, real_now.day, tzinfo=UTC)
        write_state(home, epoch)
    resume = [real_now]
    if (last := last_job_time(db)) is not None:
        resume.append(last)
    if "stopped_at" in state:
        resume.append(datetime.fromisoformat(state["stopped_at"]))
    return epoch, max(resume)


def demo_token(home: Path) -> SecretStr:
    """The demo's API token: made once, kept readable by its owner only, never printed."""
    path = home / TOKEN_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(24) + "\n")
    return SecretStr(path.read_text().strip())


def login_hint(settings: Settings) -> str:
    """What the dashboard's login page tells a demo user (where the token is, not the token)."""
    return f"The demo's token is in {settings.home / TOKEN_FILE}."


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
