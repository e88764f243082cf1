"""The feed cache, the feed sampler, and the tracker taking quota-free samples from feeds."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from ghosttrack.clock import ManualClock
from ghosttrack.errors import TransientError
from ghosttrack.hunter.feeds import FeedCache, FeedSampler
from ghosttrack.settings import Settings
from ghosttrack.tracker.tracker import Tracker
from ghosttrack.vault.records import Sample, SampleSource
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import ChannelStatus, VideoStatus, WatchedChannel, WatchEntry
from ghosttrack.youtube.models import ChannelFeed, FeedEntry, StatsBatch, VideoStats

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def cid(i: int) -> str:
    return f"UC{i:021d}A"


def vid(channel: int, n: int) -> str:
    return f"v{channel:03d}{n:06d}A"


class FakeFeeds:
    """Feeds of channels 0..9, each listing its uploads 0..14 with views = 1000 + n."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.reads: Counter[str] = Counter()
        self.broken: set[str] = set()
        self.gate: asyncio.Event | None = None

    async def channel_feed(self, channel_id: str) -> ChannelFeed:
        self.reads[channel_id] += 1
        if self.gate is not None:
            await self.gate.wait()
        if channel_id in self.broken:
            raise TransientError("feed down")
        index = int(channel_id[2:-1])
        entries = tuple(
            FeedEntry(vid(index, n), channel_id, "t", NOW - n * MINUTE, views=1000 + n, likes=n)
            for n in range(15)
        )
        return ChannelFeed(channel_id, "c", entries, self.clock.now())


def entry(channel: int, n: int, tier: str = "HOURLY", *, watched: bool = True) -> WatchEntry:
    return WatchEntry(
        video_id=vid(channel, n),
        channel_id=cid(channel),
        published_at=NOW - n * MINUTE,
        tier=tier,
        status=VideoStatus.ACTIVE,
        next_track_at=NOW,
        last_tracked_at=None,
        last_views=None,
        misses=0,
        added_at=NOW,
    )


def watch(db: Database, *channels: int, status: ChannelStatus = ChannelStatus.ACTIVE) -> None:
    db.discovery.add_channels(
        [
            WatchedChannel(
                cid(c),
                None,
                None,
                status,
                timedelta(hours=1),
                NOW,
                None,
                None,
                None,
                True,
                NOW,
                NOW,
            )
            for c in channels
        ]
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


async def test_a_feed_read_a_few_minutes_ago_is_used_again(clock: ManualClock) -> None:
    feeds = FakeFeeds(clock)
    cache = FeedCache(feeds, clock, max_age=timedelta(minutes=10))

    first = await cache.fresh(cid(1))
    clock.advance(timedelta(minutes=9))
    again = await cache.fresh(cid(1))
    clock.advance(timedelta(minutes=2))
    later = await cache.fresh(cid(1))

    assert again is first
    assert later.fetched_at == clock.now()
    assert feeds.reads[cid(1)] == 2
    assert cache.get(cid(1), newer_than=later.fetched_at) is None  # nothing newer than that


async def test_concurrent_reads_of_one_feed_are_one_request(clock: ManualClock) -> None:
    feeds = FakeFeeds(clock)
    feeds.gate = asyncio.Event()
    cache = FeedCache(feeds, clock, max_age=timedelta(minutes=10))

    reads = [asyncio.create_task(cache.read(cid(2))) for _ in range(5)]
    await asyncio.sleep(0)
    feeds.gate.set()
    done = await asyncio.gather(*reads)

    assert feeds.reads[cid(2)] == 1
    assert all(feed is done[0] for feed in done)


async def test_a_failed_read_is_not_kept(clock: ManualClock) -> None:
    feeds = FakeFeeds(clock)
    feeds.broken.add(cid(3))
    cache = FeedCache(feeds, clock, max_age=timedelta(minutes=10))

    with pytest.raises(TransientError):
        await cache.read(cid(3))
    assert cache.get(cid(3)) is None
    feeds.broken.clear()
    assert (await cache.fresh(cid(3))).channel_id == cid(3)


async def test_the_sampler_answers_for_watched_channels_in_its_tiers_only(
    clock: ManualClock,
) -> None:
    db = Database.in_memory()
    watch(db, 1, 2)
    watch(db, 3, status=ChannelStatus.UNAVAILABLE)
    feeds = FakeFeeds(clock)
    sampler = FeedSampler(db.discovery, FeedCache(feeds, clock, timedelta(minutes=10)), {"HOURLY"})
    entries = [
        entry(1, 0),
        entry(1, 14),
        entry(1, 20),  # older than the feed's 15
        entry(2, 3, tier="DAILY"),
        entry(3, 1),  # its channel is no longer watched
        entry(4, 1),  # an unwatched channel
        dataclasses.replace(entry(5, 1), channel_id=None),
    ]

    stats = await sampler.stats_for(entries)

    assert [(s.video_id, s.views, s.likes, s.comments) for s in stats] == [
        (vid(1, 0), 1000, None, None),  # likes "0" in a feed may be hidden likes: unknown
        (vid(1, 14), 1014, 14, None),
    ]
    assert all(s.fetched_at == NOW and s.channel_id == cid(1) for s in stats)
    assert set(feeds.reads) == {cid(1)}


async def test_an_unreadable_feed_leaves_its_videos_to_the_api(clock: ManualClock) -> None:
    db = Database.in_memory()
    watch(db, 1, 2)
    feeds = FakeFeeds(clock)
    feeds.broken.add(cid(2))
    sampler = FeedSampler(db.discovery, FeedCache(feeds, clock, timedelta(minutes=10)), {"HOURLY"})

    stats = await sampler.stats_for([entry(1, 0), entry(2, 0)])

    assert [s.video_id for s in stats] == [vid(1, 0)]
    assert sampler.errors == 1


class CountingApi:
    """The tracker's StatsSource: counts every call and id, answers every id."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.ids: list[str] = []
        self.calls: Counter[str] = Counter()

    async def fetch_stats(
        self, video_ids: Sequence[str], *, with_snippet: bool = False
    ) -> StatsBatch:
        self.calls["videos.batchGetStats"] += 1
        self.ids += video_ids
        now = self.clock.now()
        return StatsBatch(found=tuple(VideoStats(v, 5, 1, 1, NOW, None, now) for v in video_ids))

    def calls_made(self) -> dict[str, int]:
        return dict(self.calls)

    async def give_back_quota(self) -> None:
        self.given_back = getattr(self, "given_back", 0) + 1


class Sink:
    def __init__(self) -> None:
        self.samples: list[Sample] = []

    def write_samples(self, samples: Sequence[Sample]) -> list[str]:
        self.samples += samples
        return ["f"]


async def test_feed_samples_replace_api_visits_and_the_units_saved_are_counted(
    clock: ManualClock,
) -> None:
    db = Database.in_memory()
    watch(db, *range(4))
    hourly = [entry(c, n) for c in range(4) for n in range(15)]  # 60 videos, all in feeds
    weekly = [entry(c, n, tier="WEEKLY") for c in range(4) for n in range(15, 20)]  # 20
    db.watchlist.add(hourly + weekly, revive_removed=False)
    api, sink, feeds = CountingApi(clock), Sink(), FakeFeeds(clock)
    settings = Settings(youtube_api_keys=[SecretStr("k")])
    sampler = FeedSampler(db.discovery, FeedCache(feeds, clock, timedelta(minutes=10)), {"HOURLY"})
    tracker = Tracker(
        db.watchlist, db.jobs, api, sink, clock, settings, worker="w", feed_samples=sampler
    )

    result = await tracker.run_once()

    assert result.tracked == 80
    assert result.feed_samples == 60
    assert result.units_saved == 1  # 80 videos: 2 calls; the 20 left: 1
    assert sorted(api.ids) == sorted(e.video_id for e in weekly)
    by_source = Counter(s.source for s in sink.samples)
    assert by_source == {SampleSource.FEED: 60, SampleSource.API: 20}
    from_feed = next(s for s in sink.samples if s.video_id == vid(2, 7))
    assert (from_feed.views, from_feed.likes, from_feed.comments) == (1007, 7, None)
    assert db.watchlist.count_due(due_before=NOW + timedelta(minutes=30)) == 0  # all rescheduled
    [job] = db.jobs.recent_jobs(1)
    assert job.counts["feed_samples"] == 60
    assert job.counts["units_saved"] == 1
