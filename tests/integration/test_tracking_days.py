"""Days of tracking in seconds: the daemon, the simulator over loopback, a real store and vault,
all on one ManualClock. Videos are added when they are published, as discovery would."""

from __future__ import annotations

import asyncio
import bisect
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import SecretStr

from ghosttrack.clock import ManualClock
from ghosttrack.maintenance.runner import Maintenance
from ghosttrack.maintenance.tasks import default_tasks
from ghosttrack.operations import add_ids
from ghosttrack.runtime import open_runtime
from ghosttrack.settings import Settings
from ghosttrack.sim.world import World, from_ts, to_ts
from ghosttrack.tracker.daemon import Daemon
from ghosttrack.tracker.tracker import Tracker
from ghosttrack.watchlist.records import NewVideo, VideoMetadata
from tests.fixtures.sim import SIM_EPOCH, MakeSim

DAYS = 30
VIDEOS = 4


class EventClock(ManualClock):
    """A ManualClock whose sleeps stop at scheduled events (an upload), run them, and end the
    test run by setting ``stop`` once ``until`` is reached."""

    def __init__(self, start: datetime, until: datetime, stop: asyncio.Event) -> None:
        super().__init__(start)
        self.until = until
        self.stop = stop
        self.events: list[tuple[datetime, Callable[[], None]]] = []

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        bisect.insort(self.events, (moment, action), key=lambda e: e[0])

    async def sleep(self, seconds: float) -> None:
        target = min(self.now() + timedelta(seconds=max(0.0, seconds)), self.until)
        if self.events and self.events[0][0] <= target:
            moment, action = self.events.pop(0)
            self.set(max(moment, self.now()))
            action()
        else:
            self.set(target)
        if self.now() >= self.until:
            self.stop.set()
        await asyncio.sleep(0)


def long_lived_uploads(world: World, n: int) -> list[tuple[str, datetime]]:
    """``n`` videos published after the epoch that stay public for the whole run."""
    epoch = to_ts(SIM_EPOCH)
    traits = world.find_videos(
        n,
        lambda t: epoch < t.published < epoch + 5 * 86400 and t.gone_at > t.published + 40 * 86400,
    )
    return sorted((world.video_id(t.number), from_ts(t.published)) for t in traits)


def slot_counts(ages: list[timedelta]) -> Counter[str]:
    """Each sample's tier slot from its age rounded to the hour (visits wait up to batch_wait)."""
    counts: Counter[str] = Counter()
    for age in ages:
        hours = round(age / timedelta(hours=1))
        counts["hourly" if hours < 24 else "daily" if hours < 168 else "weekly"] += 1
    return counts


def test_thirty_days_follow_the_tier_schedule_and_outlive_the_metadata(
    store_url: str, make_sim: MakeSim, sim_world: World, tmp_path: Path
) -> None:
    uploads = long_lived_uploads(sim_world, VIDEOS)
    assert len(uploads) == VIDEOS
    stop = asyncio.Event()
    start = SIM_EPOCH
    until = max(p for _, p in uploads) + timedelta(days=DAYS, hours=1)
    clock = EventClock(start, until, stop)
    sim = make_sim(clock=clock)
    settings = Settings(
        home=tmp_path,
        database_url=store_url,
        youtube_api_url=sim.base_url,
        youtube_api_keys=[SecretStr("test-key")],
        idle_poll=timedelta(hours=1),
    )
    with open_runtime(settings, clock=clock) as rt:
        for video_id, published in uploads:

            def discover(video_id: str = video_id, published: datetime = published) -> None:
                add_ids(
                    rt.db.watchlist,
                    settings.tier_table(),
                    clock,
                    [NewVideo(video_id)],
                    revive_removed=False,
                )
                rt.db.discovery.upsert_metadata(
                    [VideoMetadata(video_id, None, "title", published, 60, ("tag",), clock.now())]
                )

            clock.at(published + timedelta(minutes=1), discover)

        async def run() -> None:
            async with rt.youtube() as youtube:
                tracker = Tracker(
                    rt.db.watchlist, rt.db.jobs, youtube, rt.vault, clock, settings, worker="t1"
                )
                tasks = default_tasks(rt.db, clock, settings, worker="t1")
                maintenance = Maintenance(tasks, clock)
                await Daemon(
                    tracker, rt.db.watchlist, clock, settings, maintenance=maintenance
                ).run(stop)

        asyncio.run(run())

        samples = rt.vault.read_samples().to_pylist()
        counts = rt.db.watchlist.counts(now=clock.now())
        metadata_rows = rt.db.discovery.count_metadata()
        janitor_deleted = sum(
            j.counts.get("deleted", 0)
            for j in rt.db.jobs.recent_jobs(10_000)
            if j.kind == "janitor"
        )

    assert counts.total == VIDEOS
    assert metadata_rows == 0, "the janitor deletes metadata after 7 days"
    assert janitor_deleted == VIDEOS
    for video_id, published in uploads:
        ages = sorted(s["timestamp"] - published for s in samples if s["video_id"] == video_id)
        hours = [round(a / timedelta(hours=1)) for a in ages]
        assert len(set(hours)) == len(hours), f"{video_id} visited twice in one slot: {hours}"
        assert slot_counts(ages) == {"hourly": 24, "daily": 6, "weekly": 4}, hours
        assert max(ages) >= timedelta(days=28), "tracking goes on after the metadata is gone"
