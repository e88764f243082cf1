"""The Hunter's runs against an in-memory YouTube and SQLite in memory: backfills, gaps, the
watchlist, channel statistics, searches, quota exhaustion and the job record. No I/O."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from ghosttrack.clock import ManualClock
from ghosttrack.errors import NotFoundError, QuotaExhaustedError, TransientError
from ghosttrack.hunter import Hunter
from ghosttrack.hunter.channels import add_channels
from ghosttrack.hunter.searches import add_search
from ghosttrack.quota import next_reset
from ghosttrack.settings import Settings
from ghosttrack.vault.records import ChannelSample
from ghosttrack.watchlist.database import Database
from ghosttrack.watchlist.records import ChannelStatus, JobKind, NewSearch, VideoStatus
from ghosttrack.youtube.models import (
    ChannelFeed,
    ChannelInfo,
    FeedEntry,
    PlaylistEntry,
    PlaylistPage,
    SearchHit,
    SearchPage,
    VideoDetails,
)

START = datetime(2026, 6, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
A = "UC" + "a" * 21 + "A"
B = "UC" + "b" * 21 + "A"


def vid(channel: str, n: int) -> str:
    return f"{channel[2]}{n:09d}A"


class FakeYouTube:
    """Channels with uploads at given times; a feed of the 15 newest, a paged uploads
    playlist, search, channels.list, videos.list — with per-bucket quota like the client's."""

    def __init__(self, clock: ManualClock, *, shared: int = 10_000, search: int = 100) -> None:
        self.clock = clock
        self.uploads: dict[str, list[tuple[str, datetime, str]]] = {}
        self.handles: dict[str, str] = {}
        self.limits = {"shared": shared, "search": search}
        self.calls: Counter[str] = Counter()
        self.units: Counter[str] = Counter()
        self.broken_feeds: set[str] = set()
        self.search_after: list[datetime | None] = []

    def channel(self, channel_id: str, handle: str, every: timedelta, count: int) -> list[str]:
        """``count`` uploads ``every`` apart, the newest an hour before START."""
        self.handles[handle.lower()] = channel_id
        self.uploads.setdefault(channel_id, [])
        return [
            self.upload(channel_id, START - HOUR - i * every, n=i) for i in reversed(range(count))
        ]

    def upload(self, channel_id: str, at: datetime, *, n: int | None = None) -> str:
        mine = self.uploads.setdefault(channel_id, [])
        video_id = vid(channel_id, len(mine) + 10_000 if n is None else n)
        mine.append((video_id, at, f"video {video_id} about cats"))
        return video_id

    def _public(self, channel_id: str) -> list[tuple[str, datetime, str]]:
        now = self.clock.now()
        return sorted(
            (u for u in self.uploads[channel_id] if u[1] <= now), key=lambda u: -u[1].timestamp()
        )

    def _spend(self, method: str, bucket: str) -> None:
        if self.units[bucket] + 1 > self.limits[bucket]:
            raise QuotaExhaustedError(bucket, next_reset(self.clock.now()))
        self.calls[method] += 1
        self.units[bucket] += 1

    async def channel_feed(self, channel_id: str) -> ChannelFeed:
        self.calls["channel.feed"] += 1
        if channel_id in self.broken_feeds:
            raise TransientError("feed down")
        if channel_id not in self.uploads:
            raise NotFoundError(f"no feed for {channel_id}")
        entries = [
            FeedEntry(v, channel_id, t, p, views=100, likes=5)
            for v, p, t in self._public(channel_id)[:15]
        ]
        return ChannelFeed(channel_id, f"Channel {channel_id[2]}", tuple(entries), self.clock.now())

    async def playlist_items(
        self, playlist_id: str, *, page_token: str | None = None, max_results: int = 50
    ) -> PlaylistPage:
        self._spend("playlistItems.list", "shared")
        channel_id = "UC" + playlist_id[2:]
        if channel_id not in self.uploads:
            raise NotFoundError(f"no playlist {playlist_id}")
        items = self._public(channel_id)
        start = int(page_token or 0)
        page = [PlaylistEntry(v, channel_id, p, t) for v, p, t in items[start : start + 50]]
        more = str(start + 50) if start + 50 < len(items) else None
        return PlaylistPage(tuple(page), more, len(items))

    async def search(
        self,
        query: str,
        *,
        published_after: datetime | None = None,
        channel_id: str | None = None,
        page_token: str | None = None,
        max_results: int = 50,
    ) -> SearchPage:
        self._spend("search.list", "search")
        self.search_after.append(published_after)
        hits = sorted(
            (
                SearchHit(v, c, p, t)
                for c in self.uploads
                for v, p, t in self._public(c)
                if query in t and (published_after is None or p > published_after)
            ),
            key=lambda h: -h.published_at.timestamp(),
        )
        start = int(page_token or 0)
        more = str(start + 50) if start + 50 < len(hits) else None
        return SearchPage(tuple(hits[start : start + 50]), more)

    async def channels(
        self, *, ids: Sequence[str] = (), handle: str | None = None
    ) -> list[ChannelInfo]:
        self._spend("channels.list", "shared")
        wanted = list(ids) if handle is None else [self.handles.get(handle.lower(), "")]
        now = self.clock.now()
        return [
            ChannelInfo(c, f"Channel {c[2]}", f"@ch{c[2]}", "UU" + c[2:], 10, 1000, 5, now)
            for c in wanted
            if c in self.uploads
        ]

    async def video_details(self, video_ids: Sequence[str]) -> list[VideoDetails]:
        self._spend("videos.list", "shared")
        known = {v: (c, p, t) for c, ups in self.uploads.items() for v, p, t in ups}
        return [
            VideoDetails(v, known[v][0], known[v][2], known[v][1], 61, ("cats",))
            for v in video_ids
            if v in known
        ]

    def calls_made(self) -> dict[str, int]:
        return dict(self.calls)

    def units_spent(self) -> dict[str, int]:
        return dict(self.units)

    async def give_back_quota(self) -> None:
        self.given_back = getattr(self, "given_back", 0) + 1


class FakeVault:
    def __init__(self) -> None:
        self.channel_samples: list[ChannelSample] = []

    def write_channel_samples(self, samples: Sequence[ChannelSample]) -> list[str]:
        self.channel_samples += samples
        return ["file"]


def settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "youtube_api_keys": [SecretStr("k")],
        "backfill_uploads": 50,
        "discovery_details": False,
    }
    return Settings(**{**base, **overrides})


class World:
    def __init__(self, **overrides: Any) -> None:
        self.clock = ManualClock(START)
        self.youtube = FakeYouTube(self.clock)
        self.db = Database.in_memory()
        self.vault = FakeVault()
        self.settings = settings(**overrides)
        self.hunter = Hunter(
            self.db.watchlist,
            self.db.discovery,
            self.db.jobs,
            self.youtube,
            self.vault,
            self.clock,
            self.settings,
        )

    def watch(self, *channel_ids: str) -> None:
        asyncio.run(
            add_channels(
                self.db.discovery,
                self.youtube,
                self.vault,
                self.clock,
                self.settings,
                list(channel_ids),
            )
        )
        self.youtube.calls.clear()
        self.youtube.units.clear()

    def run(self, **kwargs: Any) -> Any:
        return asyncio.run(self.hunter.run_once(**kwargs))


@pytest.fixture
def world() -> World:
    return World()


def test_first_sight_backfills_the_newest_uploads_with_one_page(world: World) -> None:
    videos = world.youtube.channel(A, "@cha", timedelta(hours=10), 120)
    world.watch(A)

    result = world.run()

    assert result.added == 50
    assert result.backfills == 1
    assert world.youtube.calls["playlistItems.list"] == 1
    assert result.units == 1
    on_list = world.db.watchlist.get(videos)
    assert {e.video_id for e in on_list} == set(videos[-50:])
    assert all(e.channel_id == A and e.published_at is not None for e in on_list)
    [channel] = world.db.discovery.get_channels([A])
    assert channel.backfilled
    assert channel.last_video_id == videos[-1]


def test_a_small_channel_is_backfilled_from_its_feed_alone(world: World) -> None:
    videos = world.youtube.channel(A, "@cha", timedelta(days=2), 9)
    world.watch(A)

    result = world.run()

    assert result.added == 9
    assert result.units == 0
    assert {e.video_id for e in world.db.watchlist.get(videos)} == set(videos)


def test_without_backfill_only_later_uploads_are_taken() -> None:
    world = World(backfill_uploads=0)
    old = world.youtube.channel(A, "@cha", timedelta(hours=10), 30)
    world.watch(A)
    world.run()
    new = world.youtube.upload(A, START + timedelta(minutes=30))
    world.clock.set(START + HOUR)

    world.run()

    assert world.db.watchlist.get(old) == []
    assert [e.video_id for e in world.db.watchlist.get([new])] == [new]


def test_new_uploads_come_from_the_feed_at_no_quota(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    world.run()
    new = [world.youtube.upload(A, START + timedelta(minutes=m)) for m in (10, 20)]
    world.clock.set(START + HOUR)

    result = world.run()

    assert result.added == 2
    assert result.units == 0
    assert result.calls_by_method == {"channel.feed": 1}
    assert {d.video_id for d in result.discovered} == set(new)
    assert all(d.via == "feed" for d in result.discovered)
    entries = world.db.watchlist.get(new)
    assert all(e.tier == "HOURLY" and e.next_track_at == world.clock.now() for e in entries)


def test_new_uploads_get_their_details_together_within_the_hour() -> None:
    world = World(discovery_details=True)
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.youtube.channel(B, "@chb", timedelta(hours=10), 60)
    world.watch(A, B)
    world.run()
    assert world.youtube.calls["videos.list"] == 0, "backfills keep the playlist's metadata"
    for channel in (A, B):
        world.youtube.upload(channel, START + timedelta(minutes=5))
    world.clock.set(START + HOUR)

    found = world.run()
    world.clock.set(START + 2 * HOUR)
    later = world.run()

    assert found.added == 2
    assert found.details == 0, "they wait for company (up to 50) for an hour"
    assert later.details == 2
    assert world.youtube.calls["videos.list"] == 1
    assert world.db.discovery.count_metadata() == 102


def test_discover_fetches_waiting_details_at_once() -> None:
    world = World(discovery_details=True)
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    world.run()
    world.youtube.upload(A, START + timedelta(minutes=5))
    world.clock.set(START + timedelta(minutes=10))

    result = world.run(every_channel=True)

    assert (result.added, result.details) == (1, 1)


def test_a_gap_longer_than_the_feed_is_filled_from_the_playlist(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    world.run()
    missed = [world.youtube.upload(A, START + i * timedelta(minutes=30)) for i in range(1, 21)]
    world.clock.set(START + timedelta(hours=11))  # the feed shows 15 of the 20

    result = world.run()

    assert result.gaps == 1
    assert result.added == 20
    assert world.youtube.calls["playlistItems.list"] == 2  # 1 for the backfill, 1 for the gap
    assert {e.video_id for e in world.db.watchlist.get(missed)} == set(missed)
    assert {d.via for d in result.discovered} == {"feed", "playlist"}


def test_discovery_never_re_adds_nor_revives(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 10)
    world.watch(A)
    world.run()
    gone = vid(A, 3)
    world.db.watchlist.set_status([gone], VideoStatus.REMOVED, next_track_at=world.clock.now())

    result = world.run(every_channel=True)

    assert result.added == 0
    assert result.known == 10
    assert world.db.watchlist.get([gone])[0].status is VideoStatus.REMOVED
    late = world.youtube.upload(A, START - timedelta(minutes=20))  # listed late in the feed
    world.clock.set(START + HOUR)
    again = world.run()
    assert again.added == 1
    assert [e.video_id for e in world.db.watchlist.get([late])] == [late]


def test_quota_exhaustion_keeps_the_feed_and_retries_the_backfill_after_the_reset() -> None:
    world = World()
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    world.youtube.limits["shared"] = 0
    world.clock.set(datetime(2026, 6, 2, 0, 5, tzinfo=UTC))  # statistics are due too

    result = world.run()

    assert result.added == 15  # what the free feed shows
    assert result.quota_exhausted == 1
    [channel] = world.db.discovery.get_channels([A])
    assert not channel.backfilled
    assert channel.stats_next_at == next_reset(world.clock.now())  # 07:00 UTC, not a busy loop
    assert world.hunter.next_due_at() == channel.next_poll_at
    [job] = world.db.jobs.recent_jobs(1)
    assert job.kind is JobKind.DISCOVER
    assert "quota exhausted" in (job.error or "")
    world.youtube.limits["shared"] = 100
    world.clock.set(channel.next_poll_at)

    retried = world.run()

    assert retried.backfills == 1
    assert retried.added == 35


def test_a_broken_feed_is_an_error_and_the_channel_is_polled_again_later(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    world.run()
    [before] = world.db.discovery.get_channels([A])
    world.youtube.broken_feeds.add(A)
    world.clock.set(before.next_poll_at)

    result = world.run()

    assert result.errors == 1
    [after] = world.db.discovery.get_channels([A])
    assert after.last_upload_at == before.last_upload_at
    assert after.next_poll_at == world.clock.now() + before.poll_every


def test_channel_statistics_are_fetched_together_daily_and_a_lost_channel_stops(
    world: World,
) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 5)
    world.youtube.channel(B, "@chb", timedelta(hours=10), 5)
    world.watch(A, B)
    assert len(world.vault.channel_samples) == 2  # the answer to `channels add`
    del world.youtube.uploads[B]  # terminated
    world.clock.set(datetime(2026, 6, 2, 0, 1, tzinfo=UTC))

    result = world.run()

    assert result.channel_stats == 1
    assert result.channels_unavailable == 1
    assert world.youtube.calls["channels.list"] == 1
    assert [s.channel_id for s in world.vault.channel_samples[2:]] == [A]
    [a, b] = world.db.discovery.get_channels([A, B])
    assert a.stats_next_at == datetime(2026, 6, 3, tzinfo=UTC)
    assert b.status is ChannelStatus.UNAVAILABLE
    assert world.db.discovery.due_channels(now=world.clock.now() + timedelta(days=9), limit=9) == [
        world.db.discovery.get_channels([A])[0]
    ]


def test_a_search_looks_back_to_its_last_run_and_adds_what_it_finds(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 3)
    add_search(world.db.discovery, world.clock, world.settings, "cats", timedelta(hours=6))
    first = world.run()
    world.youtube.upload(A, START + HOUR)
    world.clock.set(START + timedelta(hours=6))

    second = world.run()

    assert first.searches_run == second.searches_run == 1
    assert first.added == 1  # the one upload of the last 6 hours
    assert second.added == 1
    assert world.youtube.search_after == [
        START - timedelta(hours=6, minutes=15),
        START - timedelta(minutes=15),
    ]
    [saved] = world.db.discovery.list_searches()
    assert saved.next_run_at == START + timedelta(hours=12)
    assert world.youtube.units["search"] == 2


def test_searches_never_pass_the_search_bucket_and_wait_for_the_reset() -> None:
    world = World()
    world.youtube.limits["search"] = 3
    for i in range(5):  # stored directly: more than add_search would admit
        world.db.discovery.add_search(NewSearch(f"cats {i}", timedelta(minutes=15), START, START))

    result = world.run()

    assert world.youtube.units["search"] == 3
    assert result.searches_run == 3
    assert result.quota_exhausted == 1
    reset = next_reset(START)
    waiting = [s for s in world.db.discovery.list_searches() if s.last_run_at is None]
    assert len(waiting) == 2
    assert all(s.next_run_at == reset for s in waiting)
    assert world.hunter.next_due_at() > START


def test_a_run_is_a_job_with_counts_and_units(world: World) -> None:
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)

    result = world.run()

    [job] = world.db.jobs.recent_jobs(1)
    assert job.kind is JobKind.DISCOVER
    assert job.status == "succeeded"
    assert job.counts["added"] == result.added == 50
    assert job.counts["units"] == 1
    assert job.counts["units:shared"] == 1
    assert job.counts["calls:playlistItems.list"] == 1
    assert job.counts["calls:channel.feed"] == 1


def test_next_due_is_the_earliest_poll_statistics_or_search(world: World) -> None:
    assert world.hunter.next_due_at() is None
    world.youtube.channel(A, "@cha", timedelta(hours=10), 60)
    world.watch(A)
    assert world.hunter.next_due_at() == START

    world.run()

    [channel] = world.db.discovery.get_channels([A])
    assert world.hunter.next_due_at() == channel.next_poll_at
    assert channel.next_poll_at - START == channel.poll_every
