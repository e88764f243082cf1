"""Channel feeds, read once and used twice: for discovery and for quota-free samples.

A channel's RSS feed costs no quota and carries the view count (``media:statistics``) and like
count (``media:starRating``) of its 15 newest uploads. ``FeedCache`` keeps the feeds read in the
last few minutes, so that one read serves the hunter's poll and the tracker's samples alike.

``FeedSampler`` is what the tracker consults before spending quota on a batch: for due videos of
watched channels in the feed tiers (HOURLY by default) it reads their channel's feed (or takes
one read a few minutes ago) and answers with their counts. Comments are not in the feed: those
samples have none. The tracker stays the one place that acknowledges samples and reschedules.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from ghosttrack.clock import Clock
from ghosttrack.errors import YouTubeError
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.records import ChannelStatus, WatchEntry
from ghosttrack.youtube.models import ChannelFeed, VideoStats

log = logging.getLogger("ghosttrack.hunter")


class FeedReader(Protocol):
    """The part of the YouTube client that reads feeds."""

    async def channel_feed(self, channel_id: str) -> ChannelFeed: ...


class FeedCache:
    """Feeds read within ``max_age``, by channel; concurrent reads of one channel share one
    request. Lives in one process, on one event loop."""

    def __init__(self, reader: FeedReader, clock: Clock, max_age: timedelta) -> None:
        self.reader = reader
        self.clock = clock
        self.max_age = max_age
        self.reads = 0
        self._feeds: dict[str, ChannelFeed] = {}
        self._reading: dict[str, asyncio.Future[ChannelFeed]] = {}

    def get(self, channel_id: str, *, newer_than: datetime | None = None) -> ChannelFeed | None:
        """The channel's feed if read within ``max_age`` (and after ``newer_than``)."""
        feed = self._feeds.get(channel_id)
        if feed is None or self.clock.now() - feed.fetched_at > self.max_age:
            return None
        if newer_than is not None and feed.fetched_at <= newer_than:
            return None
        return feed

    async def read(self, channel_id: str) -> ChannelFeed:
        """Read the feed now (joining a read already under way) and keep it."""
        pending = self._reading.get(channel_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[ChannelFeed] = asyncio.get_running_loop().create_future()
        self._reading[channel_id] = future
        try:
            feed = await self.reader.channel_feed(channel_id)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody joined
            raise
        finally:
            del self._reading[channel_id]
        self.reads += 1
        self._feeds[channel_id] = feed
        self._prune()
        future.set_result(feed)
        return feed

    async def fresh(self, channel_id: str) -> ChannelFeed:
        """A feed read within ``max_age``: the kept one, else one read now."""
        return self.get(channel_id) or await self.read(channel_id)

    def _prune(self) -> None:
        now = self.clock.now()
        stale = [c for c, f in self._feeds.items() if now - f.fetched_at > self.max_age]
        for channel_id in stale:
            del self._feeds[channel_id]


class FeedSampler:
    """Quota-free counts for due videos of watched channels whose tier is in ``tiers``."""

    def __init__(
        self, discovery: DiscoveryStore, feeds: FeedCache, tiers: frozenset[str] | set[str]
    ) -> None:
        self.discovery = discovery
        self.feeds = feeds
        self.tiers = frozenset(tiers)
        self.errors = 0

    async def stats_for(self, entries: Sequence[WatchEntry]) -> list[VideoStats]:
        """Counts from feeds for those of ``entries`` their channel's feed lists; the others
        (older uploads, other tiers, unwatched channels, unreadable feeds) are left out."""
        by_channel = self._eligible(entries)
        if not by_channel:
            return []
        feeds = await asyncio.gather(*(self._feed(c) for c in by_channel))
        stats: list[VideoStats] = []
        for (channel_id, wanted), feed in zip(by_channel.items(), feeds, strict=True):
            if feed is not None:
                stats.extend(_stats_from(feed, wanted, channel_id))
        return stats

    def _eligible(self, entries: Sequence[WatchEntry]) -> dict[str, list[WatchEntry]]:
        candidates = [e for e in entries if e.tier in self.tiers and e.channel_id]
        if not candidates:
            return {}
        channel_ids = sorted({e.channel_id for e in candidates if e.channel_id})
        watched = {
            c.channel_id
            for c in self.discovery.get_channels(channel_ids)
            if c.status is ChannelStatus.ACTIVE
        }
        by_channel: dict[str, list[WatchEntry]] = {}
        for entry in candidates:
            if entry.channel_id in watched:
                by_channel.setdefault(entry.channel_id, []).append(entry)
        return by_channel

    async def _feed(self, channel_id: str) -> ChannelFeed | None:
        try:
            return await self.feeds.fresh(channel_id)
        except YouTubeError as exc:
            self.errors += 1
            log.info(
                "feed of %s unreadable (%s); its videos are tracked through the API",
                channel_id,
                exc,
            )
            return None


def _stats_from(feed: ChannelFeed, wanted: list[WatchEntry], channel_id: str) -> list[VideoStats]:
    listed = {entry.video_id: entry for entry in feed.entries}
    stats = []
    for entry in wanted:
        seen = listed.get(entry.video_id)
        if seen is None or seen.views is None:
            continue
        stats.append(
            VideoStats(
                video_id=entry.video_id,
                views=seen.views,
                # The feed writes hidden likes as 0: a 0 there is "unknown", never a count.
                likes=seen.likes or None,
                comments=None,  # not in the feed
                published_at=seen.published_at,
                channel_id=channel_id,
                fetched_at=feed.fetched_at,
            )
        )
    return stats
