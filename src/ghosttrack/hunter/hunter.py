"""The hunter: finds new uploads of watched channels and saved searches and puts them on the
watchlist; keeps channel statistics in the vault. One run reads as a story:

1. poll the channels that are due (``discover``: all of them): read each feed (free), and the
   uploads playlist only on first sight (backfill) or when the feed may have missed uploads;
2. add the uploads the watchlist does not have (never reviving a removed one), each with its
   ``videos`` metadata row, due now; then write the channels' new schedules;
3. fetch the statistics of channels whose day has come, 50 channels a call, into the vault;
4. run the saved searches that are due, within the search bucket;
5. fetch the details (duration, tags) of new uploads once 50 wait or the first waited an hour.

Every run is a job with its counts and the units it spent. Quota exhaustion never stops the
free part (the feeds): the paid steps wait for the Pacific reset, and what they left undone
(a backfill, a gap, the statistics, a search) is retried after it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from ghosttrack.clock import Clock
from ghosttrack.errors import (
    KeyRejectedError,
    NotFoundError,
    QuotaExhaustedError,
    YouTubeError,
)
from ghosttrack.hunter import policy
from ghosttrack.hunter.feeds import FeedCache
from ghosttrack.hunter.searches import planned_calls, search_budget
from ghosttrack.operations import add_ids
from ghosttrack.quota import SEARCH as SEARCH_BUCKET
from ghosttrack.quota import SHARED
from ghosttrack.settings import Settings
from ghosttrack.vault.records import ChannelSample
from ghosttrack.watchlist.discovery import DiscoveryStore
from ghosttrack.watchlist.jobs import JobStore
from ghosttrack.watchlist.records import (
    ChannelStatus,
    Job,
    JobKind,
    JobStatus,
    NewVideo,
    SavedSearch,
    VideoMetadata,
    WatchedChannel,
)
from ghosttrack.watchlist.watchlist import WatchlistStore
from ghosttrack.youtube.models import (
    ChannelFeed,
    ChannelInfo,
    PlaylistPage,
    SearchPage,
    VideoDetails,
)

log = logging.getLogger("ghosttrack.hunter")
T = TypeVar("T")

#: Channels polled at once (their feeds are read concurrently, within api_concurrency).
POLL_CHUNK = 100
#: A run also polls the channels due this soon after it: a feed read a few minutes early costs
#: nothing, and one run instead of several means fewer jobs and new uploads' details fetched
#: together (one videos.list call for up to 50).
EARLY_POLL = timedelta(minutes=5)
#: Channels whose statistics are fetched in one step (50 a call).
STATS_CHUNK = 5000
#: How long new uploads may wait for company before their details are fetched (50 a call).
DETAILS_WAIT = timedelta(hours=1)
#: Playlist pages read to fill one gap (1,000 uploads): a channel silent on the watchlist for
#: longer than that is backfilled no further.
GAP_MAX_PAGES = 20

FEED, PLAYLIST, BACKFILL, SEARCH = "feed", "playlist", "backfill", "search"


class DiscoverySource(Protocol):
    """The part of the YouTube client the hunter uses."""

    async def channel_feed(self, channel_id: str) -> ChannelFeed: ...

    async def playlist_items(
        self, playlist_id: str, *, page_token: str | None = None, max_results: int = 50
    ) -> PlaylistPage: ...

    async def search(
        self,
        query: str,
        *,
        published_after: datetime | None = None,
        channel_id: str | None = None,
        page_token: str | None = None,
        max_results: int = 50,
    ) -> SearchPage: ...

    async def channels(
        self, *, ids: Sequence[str] = (), handle: str | None = None
    ) -> list[ChannelInfo]: ...

    async def video_details(self, video_ids: Sequence[str]) -> list[VideoDetails]: ...

    def calls_made(self) -> Mapping[str, int]: ...

    def units_spent(self) -> Mapping[str, int]: ...

    async def give_back_quota(self) -> None: ...


class ChannelSampleSink(Protocol):
    """The part of the vault the hunter uses."""

    def write_channel_samples(self, samples: Sequence[ChannelSample]) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Upload:
    """An upload the hunter saw, and where: ``feed``, ``playlist`` (a gap), ``backfill`` or
    ``search``. ``seen_at``: when the source was read."""

    video_id: str
    channel_id: str
    published_at: datetime
    title: str
    via: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class Discovered:
    """A video the hunter added to the watchlist; ``poll_every`` is the interval its channel
    was polled at when it appeared (None for searches)."""

    video_id: str
    channel_id: str
    published_at: datetime
    via: str
    seen_at: datetime
    poll_every: timedelta | None


@dataclass
class DiscoveryResult:
    """What one run did; becomes the job's counts."""

    channels_polled: int = 0
    feeds_read: int = 0
    feeds_reused: int = 0
    playlist_pages: int = 0
    backfills: int = 0
    gaps: int = 0
    added: int = 0
    known: int = 0  # uploads seen that the watchlist already had (or the user removed)
    details: int = 0  # videos whose duration and tags were fetched
    channel_stats: int = 0
    channels_unavailable: int = 0
    searches_run: int = 0
    search_truncated: int = 0
    errors: int = 0
    quota_exhausted: int = 0
    discovered: list[Discovered] = field(default_factory=list)
    calls_by_method: dict[str, int] = field(default_factory=dict)
    units_by_bucket: dict[str, int] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(self.units_by_bucket.values())

    def counts(self) -> dict[str, int]:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        counts = {name: value for name, value in values.items() if isinstance(value, int)}
        counts["units"] = self.units
        counts.update({f"units:{b}": n for b, n in sorted(self.units_by_bucket.items())})
        counts.update({f"calls:{m}": n for m, n in sorted(self.calls_by_method.items())})
        return counts


@dataclass
class _Poll:
    """One channel's poll: its row as it will be written, and the uploads seen."""

    channel: WatchedChannel
    uploads: list[Upload]


class Hunter:
    """Discovers uploads. Constructor injection as for the Tracker; ``feeds`` is shared with
    the tracker's FeedSampler so that one feed read serves both."""

    def __init__(
        self,
        watchlist: WatchlistStore,
        discovery: DiscoveryStore,
        jobs: JobStore,
        youtube: DiscoverySource,
        vault: ChannelSampleSink,
        clock: Clock,
        settings: Settings,
        *,
        feeds: FeedCache | None = None,
        worker: str | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.discovery = discovery
        self.jobs = jobs
        self.youtube = youtube
        self.vault = vault
        self.clock = clock
        self.settings = settings
        self.tiers = settings.tier_table()
        self.feeds = feeds or FeedCache(youtube, clock, settings.feed_sample_max_age)
        self.worker = worker
        self.polls = policy.PollPolicy(
            settings.channel_poll_min, settings.channel_poll_max, settings.channel_polls_per_upload
        )
        self._exhausted: dict[str, datetime] = {}  # bucket → its reset, within a run
        self._awaiting_details: dict[str, VideoMetadata] = {}
        self._awaiting_since: datetime | None = None

    def next_due_at(self) -> datetime | None:
        """When there is next something to do: a poll, statistics or a search."""
        times = (self.discovery.next_channel_work_at(), self.discovery.next_search_at())
        return min((t for t in times if t is not None), default=None)

    async def run_once(
        self,
        *,
        every_channel: bool = False,
        stop: asyncio.Event | None = None,
        job: Job | None = None,
    ) -> DiscoveryResult:
        """One run, recorded as a job (``job``: one recorded already, by the web API).
        ``every_channel``: poll all channels now."""
        now = self.clock.now()
        job = job or self.jobs.start_job(JobKind.DISCOVER, now=now, worker=self.worker)
        result = DiscoveryResult()
        calls, units = dict(self.youtube.calls_made()), dict(self.youtube.units_spent())
        self._exhausted.clear()
        status, error = JobStatus.SUCCEEDED, None
        try:
            await self._poll_channels(result, every_channel, stop or asyncio.Event())
            await self._channel_statistics(result)
            await self._run_searches(result)
            await self._fetch_details(result, now_or_never=every_channel)
        except BaseException as exc:
            cancelled = isinstance(exc, asyncio.CancelledError | KeyboardInterrupt)
            status = JobStatus.INTERRUPTED if cancelled else JobStatus.FAILED
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            await self.youtube.give_back_quota()  # what this run reserved and did not spend
            self._spent(result, calls, units)
            if error is None and self._exhausted:
                error = "quota exhausted: " + ", ".join(sorted(self._exhausted))
            self.jobs.finish_job(
                job.id, status=status, now=self.clock.now(), counts=result.counts(), error=error
            )
        return result

    # --- 1. polls ------------------------------------------------------------------------------

    async def _poll_channels(
        self, result: DiscoveryResult, every_channel: bool, stop: asyncio.Event
    ) -> None:
        now = self.clock.now()
        if every_channel:
            due = [c for c in self.discovery.list_channels() if c.status is ChannelStatus.ACTIVE]
        else:
            due = self.discovery.due_channels(now=now + EARLY_POLL, limit=POLL_CHUNK * 100)
        for start in range(0, len(due), POLL_CHUNK):
            if stop.is_set():
                break
            chunk = due[start : start + POLL_CHUNK]
            polls = await asyncio.gather(*(self._poll(c, result) for c in chunk))
            uploads = [u for p in polls for u in p.uploads]
            intervals = {c.channel_id: c.poll_every for c in chunk}
            self._add_uploads(uploads, intervals, result)
            self.discovery.update_channels([p.channel for p in polls])
            result.channels_polled += len(chunk)

    async def _poll(self, channel: WatchedChannel, result: DiscoveryResult) -> _Poll:
        feed = await self._feed(channel, result)
        first_sight = not channel.backfilled
        feed_times = [e.published_at for e in feed.entries] if feed else []
        pages, stop_at = 0, None
        if first_sight:
            entries = len(feed.entries) if feed is not None else None
            if policy.backfill_needs_playlist(entries, self.settings.backfill_uploads):
                pages = policy.pages_for(self.settings.backfill_uploads)
        elif feed is not None and policy.feed_may_have_missed(feed_times, channel.last_upload_at):
            pages, stop_at = GAP_MAX_PAGES, channel.last_upload_at
        uploads = _feed_uploads(feed)
        read_ok = True
        if pages:
            more, read_ok = await self._playlist(channel, pages, stop_at, first_sight, result)
            uploads += more
        return _Poll(self._polled(channel, feed, uploads, read_ok), self._wanted(channel, uploads))

    async def _feed(self, channel: WatchedChannel, result: DiscoveryResult) -> ChannelFeed | None:
        kept = self.feeds.get(channel.channel_id, newer_than=channel.last_polled_at)
        if kept is not None:
            result.feeds_reused += 1
            return kept
        try:
            feed = await self.feeds.read(channel.channel_id)
        except YouTubeError as exc:
            result.errors += 1
            log.warning("cannot read the feed of %s: %s", channel.channel_id, exc)
            return None
        result.feeds_read += 1
        return feed

    async def _playlist(
        self,
        channel: WatchedChannel,
        pages: int,
        stop_at: datetime | None,
        first_sight: bool,
        result: DiscoveryResult,
    ) -> tuple[list[Upload], bool]:
        """Uploads from the uploads playlist, newest first: ``pages`` pages at most, or until
        one published at or before ``stop_at``. Returns them and whether the read completed."""
        uploads: list[Upload] = []
        token: str | None = None
        via = BACKFILL if first_sight else PLAYLIST
        playlist = "UU" + channel.channel_id[2:]
        for _ in range(pages):
            try:
                read = functools.partial(self.youtube.playlist_items, playlist, page_token=token)
                page = await self._paid(read, result)
            except NotFoundError:
                break  # no uploads playlist: the channel has never uploaded
            if page is None:
                return uploads, False
            result.playlist_pages += 1
            now = self.clock.now()
            for item in page.items:
                if item.published_at is None:
                    continue  # deleted and private items have no publication time
                uploads.append(
                    Upload(
                        item.video_id, channel.channel_id, item.published_at, item.title, via, now
                    )
                )
            token = page.next_page_token
            reached = stop_at is not None and any(u.published_at <= stop_at for u in uploads)
            if token is None or reached:
                break
        result.backfills += first_sight
        result.gaps += not first_sight
        return uploads, True

    def _polled(
        self,
        channel: WatchedChannel,
        feed: ChannelFeed | None,
        uploads: list[Upload],
        read_ok: bool,
    ) -> WatchedChannel:
        """The channel's row after a poll. A poll that could not see all it needed (no feed,
        a playlist read cut short) leaves ``last_upload_at`` as it was, so that the next poll
        looks for the same gap again, and a first sight stays a first sight."""
        now = self.clock.now()
        complete = read_ok and (feed is not None or bool(uploads))
        seen_at = feed.fetched_at if feed is not None else now
        newest = max(uploads, key=lambda u: u.published_at, default=None)
        last_upload_at, last_video_id = channel.last_upload_at, channel.last_video_id
        newer = newest is not None and (
            last_upload_at is None or newest.published_at > last_upload_at
        )
        if complete and newest is not None and newer:
            last_upload_at, last_video_id = newest.published_at, newest.video_id
        every = channel.poll_every
        if feed is not None or uploads:
            every = policy.poll_interval([u.published_at for u in uploads], now, self.polls)
        return dataclasses.replace(
            channel,
            title=(feed.title[:200] if feed is not None and feed.title else channel.title),
            poll_every=every,
            next_poll_at=max(seen_at + every, now + timedelta(seconds=1)),
            last_polled_at=seen_at if feed is not None else channel.last_polled_at,
            last_upload_at=last_upload_at,
            last_video_id=last_video_id,
            backfilled=channel.backfilled or complete,
        )

    def _wanted(self, channel: WatchedChannel, uploads: list[Upload]) -> list[Upload]:
        """The uploads to offer the watchlist: on first sight the newest ``backfill_uploads``
        (the channel's recent past); later, what ``policy.is_new_enough`` lets through (the
        watchlist then says which it lacks)."""
        unique = list({u.video_id: u for u in reversed(uploads)}.values())  # first seen wins
        if channel.backfilled:
            backfill, last = self.settings.backfill_uploads, channel.last_upload_at
            return [u for u in unique if policy.is_new_enough(u.published_at, last, backfill)]
        newest = sorted(unique, key=lambda u: u.published_at, reverse=True)
        return [
            dataclasses.replace(u, via=BACKFILL) for u in newest[: self.settings.backfill_uploads]
        ]

    # --- 2. the watchlist ----------------------------------------------------------------------

    def _add_uploads(
        self, uploads: list[Upload], intervals: Mapping[str, timedelta], result: DiscoveryResult
    ) -> None:
        """Add the uploads the watchlist lacks (a removed video stays removed), with their
        metadata rows."""
        unique = list({u.video_id: u for u in reversed(uploads)}.values())
        if not unique:
            return
        present = {e.video_id for e in self.watchlist.get([u.video_id for u in unique])}
        new = [u for u in unique if u.video_id not in present]
        result.known += len(unique) - len(new)
        if not new:
            return
        videos = [NewVideo(u.video_id, u.channel_id, u.published_at) for u in new]
        added = add_ids(self.watchlist, self.tiers, self.clock, videos, revive_removed=False)
        result.added += added.added
        result.known += added.already_present
        self._metadata(new)
        result.discovered += [
            Discovered(
                u.video_id,
                u.channel_id,
                u.published_at,
                u.via,
                u.seen_at,
                intervals.get(u.channel_id),
            )
            for u in new
        ]

    def _metadata(self, uploads: list[Upload]) -> None:
        """Metadata rows from what the feed, playlist or search told (free), written now. With
        ``discovery_details``, new uploads (not backfills) also wait for their duration and
        tags: fetched 50 a call once 50 wait or the first has waited ``DETAILS_WAIT``."""
        now = self.clock.now()
        rows = [_metadata_of(u, now) for u in uploads]
        self.discovery.upsert_metadata(rows)
        if not self.settings.discovery_details:
            return
        for row in rows:
            if row.extra.get("via") != BACKFILL:
                self._awaiting_details.setdefault(row.video_id, row)
        if self._awaiting_details and self._awaiting_since is None:
            self._awaiting_since = now

    async def _fetch_details(self, result: DiscoveryResult, *, now_or_never: bool) -> None:
        waiting = self._awaiting_details
        if not waiting:
            return
        since = self._awaiting_since or self.clock.now()
        due = len(waiting) >= 50 or self.clock.now() - since >= DETAILS_WAIT
        if not (due or now_or_never):
            return
        self._awaiting_details, self._awaiting_since = {}, None
        ids = list(waiting)
        details = await self._paid(lambda: self.youtube.video_details(ids), result)
        if details:  # on failure the rows keep their free fields: details are a nicety
            self.discovery.upsert_metadata([_details_row(d, waiting[d.video_id]) for d in details])
            result.details += len(details)

    # --- 3. channel statistics -----------------------------------------------------------------

    async def _channel_statistics(self, result: DiscoveryResult) -> None:
        now = self.clock.now()
        due = self.discovery.stats_due_channels(now=now, limit=STATS_CHUNK)
        if not due:
            return
        ids = [c.channel_id for c in due]
        infos = await self._paid(lambda: self.youtube.channels(ids=ids), result)
        if infos is None:  # retried after the reset, or soon after a failure
            retry = self._exhausted.get(SHARED, now + self.settings.channel_poll_max)
            self.discovery.update_channels(
                [dataclasses.replace(c, stats_next_at=retry) for c in due]
            )
            return
        samples = [channel_sample(i) for i in infos]
        if samples:
            await asyncio.to_thread(self.vault.write_channel_samples, samples)
        found = {i.channel_id: i for i in infos}
        next_at = policy.next_grid_point(now, self.settings.channel_stats_every)
        rows = [_with_statistics(c, found.get(c.channel_id), next_at) for c in due]
        result.channel_stats += len(samples)
        result.channels_unavailable += len(due) - len(found)
        for channel in due:
            if channel.channel_id not in found:
                log.warning(
                    "channel %s is no longer found: it is not polled any more", channel.channel_id
                )
        self.discovery.update_channels(rows)

    # --- 4. searches ---------------------------------------------------------------------------

    async def _run_searches(self, result: DiscoveryResult) -> None:
        due = self.discovery.due_searches(now=self.clock.now())
        if not due:
            return
        stretch = policy.search_stretch(
            planned_calls(self.discovery.list_searches(), self.settings),
            search_budget(self.settings),
        )
        for search in due:
            await self._search(search, stretch, result)

    async def _search(self, search: SavedSearch, stretch: float, result: DiscoveryResult) -> None:
        """One run of a saved search: uploads since its last run (a little before: the index
        lags), up to ``search_max_pages`` calls. A run that fails keeps its window."""
        now = self.clock.now()
        since = (search.last_run_at or now - search.every) - policy.SEARCH_OVERLAP
        uploads: list[Upload] = []
        token: str | None = None
        complete = True
        for _ in range(self.settings.search_max_pages):
            search_page = functools.partial(
                self.youtube.search, search.query, published_after=since, page_token=token
            )
            page = await self._paid(search_page, result, SEARCH_BUCKET)
            if page is None:
                complete = False
                break
            uploads += [
                Upload(h.video_id, h.channel_id, h.published_at, h.title, SEARCH, now)
                for h in page.items
            ]
            token = page.next_page_token
            if token is None:
                break
        else:
            result.search_truncated += 1
            log.warning(
                "search %r found more than %d pages of new uploads; the oldest are left out: "
                "run it more often (--every) or raise GHOSTTRACK_SEARCH_MAX_PAGES",
                search.query,
                self.settings.search_max_pages,
            )
        self._add_uploads(uploads, {}, result)
        if complete:
            result.searches_run += 1
            every = search.every * stretch if stretch != float("inf") else search.every
            self.discovery.record_search_run(search.id, ran_at=now, next_run_at=now + every)
        else:
            retry = self._exhausted.get(SEARCH_BUCKET, now + search.every)
            self.discovery.record_search_run(search.id, ran_at=None, next_run_at=retry)

    # --- quota ---------------------------------------------------------------------------------

    async def _paid(
        self,
        call: Callable[[], Awaitable[T]],
        result: DiscoveryResult,
        bucket: str = SHARED,
    ) -> T | None:
        """A call that spends quota; None when its bucket is exhausted (noted, so this run
        asks no more) or it failed (counted, logged). A rejected key is fatal."""
        if bucket in self._exhausted:
            return None
        try:
            return await call()
        except QuotaExhaustedError as exc:
            self._exhausted[exc.bucket] = exc.resets_at
            result.quota_exhausted += 1
            log.warning("discovery waits for the quota reset: %s", exc)
            return None
        except (KeyRejectedError, NotFoundError):
            raise
        except YouTubeError as exc:
            result.errors += 1
            log.warning("a discovery call failed: %s", exc)
            return None

    def _spent(
        self, result: DiscoveryResult, calls: Mapping[str, int], units: Mapping[str, int]
    ) -> None:
        result.calls_by_method = _delta(calls, self.youtube.calls_made())
        result.units_by_bucket = _delta(units, self.youtube.units_spent())


def _feed_uploads(feed: ChannelFeed | None) -> list[Upload]:
    if feed is None:
        return []
    return [
        Upload(e.video_id, feed.channel_id, e.published_at, e.title, FEED, feed.fetched_at)
        for e in feed.entries
    ]


def _metadata_of(upload: Upload, now: datetime) -> VideoMetadata:
    return VideoMetadata(
        video_id=upload.video_id,
        channel_id=upload.channel_id,
        title=upload.title or None,
        published_at=upload.published_at,
        duration_seconds=None,
        tags=(),
        fetched_at=now,
        extra={"via": upload.via},
    )


def _details_row(details: VideoDetails, free: VideoMetadata) -> VideoMetadata:
    return dataclasses.replace(
        free,
        title=details.title or free.title,
        published_at=details.published_at,
        duration_seconds=details.duration_seconds,
        tags=tuple(details.tags),
        extra={**free.extra, "category_id": details.category_id, "live": details.live},
    )


def channel_sample(info: ChannelInfo) -> ChannelSample:
    """The vault row for a channel's statistics."""
    return ChannelSample(
        channel_id=info.channel_id,
        timestamp=info.fetched_at,
        subscribers=info.subscribers,
        views=info.views,
        videos=info.video_count,
    )


def _with_statistics(
    channel: WatchedChannel, info: ChannelInfo | None, next_at: datetime
) -> WatchedChannel:
    if info is None:
        return dataclasses.replace(channel, status=ChannelStatus.UNAVAILABLE, stats_next_at=next_at)
    return dataclasses.replace(
        channel,
        title=info.title[:200] or channel.title,
        handle=(info.handle or channel.handle or "")[:64] or None,
        stats_next_at=next_at,
    )


def _delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n - before.get(k, 0)}
