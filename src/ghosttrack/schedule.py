"""What a visit does to a watchlist row. Pure functions: the tracker's decisions, without I/O.

The tier comes from the video's age at each visit (``ghosttrack.tiers``); a video missing from
the API answer ``miss_limit`` visits in a row becomes UNAVAILABLE and stops costing quota.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ghosttrack.tiers import TierTable
from ghosttrack.vault.records import Sample, SampleSource
from ghosttrack.watchlist.records import NewVideo, VideoStatus, Visit, WatchEntry
from ghosttrack.youtube.models import VideoStats


def new_entry(video: NewVideo, tiers: TierTable, now: datetime) -> WatchEntry:
    """A watchlist row for a newly added video: its tier from its age (if known), due now."""
    tier = tiers.schedule(video.published_at, now).tier
    return WatchEntry(
        video_id=video.video_id,
        channel_id=video.channel_id,
        published_at=video.published_at,
        tier=tier,
        status=VideoStatus.ACTIVE,
        next_track_at=now,
        last_tracked_at=None,
        last_views=None,
        misses=0,
        added_at=now,
    )


def visit_found(entry: WatchEntry, stats: VideoStats, tiers: TierTable, now: datetime) -> Visit:
    """The video answered: reset misses, learn published_at/channel, schedule by age.

    A visit made early (to fill a call) schedules from the time it was due, so it never causes
    a second visit a few minutes later.
    """
    published_at = entry.published_at or stats.published_at
    schedule = tiers.schedule(published_at, max(now, entry.next_track_at))
    return Visit(
        video_id=entry.video_id,
        tier=schedule.tier,
        status=VideoStatus.ACTIVE,
        next_track_at=schedule.next_track_at,
        last_tracked_at=stats.fetched_at,  # the sample's own timestamp: the row points at it
        last_views=stats.views,
        misses=0,
        published_at=published_at,
        channel_id=entry.channel_id or stats.channel_id,
    )


def visit_missing(entry: WatchEntry, tiers: TierTable, now: datetime, miss_limit: int) -> Visit:
    """The video was absent from the answer (deleted or private): count a miss."""
    misses = entry.misses + 1
    schedule = tiers.schedule(entry.published_at, max(now, entry.next_track_at))
    status = VideoStatus.UNAVAILABLE if misses >= miss_limit else VideoStatus.ACTIVE
    return Visit(
        video_id=entry.video_id,
        tier=schedule.tier,
        status=status,
        next_track_at=schedule.next_track_at,
        last_tracked_at=entry.last_tracked_at,
        last_views=entry.last_views,
        misses=misses,
        published_at=entry.published_at,
        channel_id=entry.channel_id,
    )


def visit_invalid(entry: WatchEntry, tiers: TierTable, now: datetime) -> Visit:
    """The API rejected the id itself: it can never answer, so stop spending quota on it."""
    return visit_missing(entry, tiers, now, miss_limit=1)


def sample_of(stats: VideoStats, entry: WatchEntry, source: SampleSource) -> Sample:
    """The vault row for one answer."""
    return Sample(
        video_id=stats.video_id,
        timestamp=stats.fetched_at,
        views=stats.views,
        likes=stats.likes,
        comments=stats.comments,
        published_at=entry.published_at or stats.published_at,
        source=source,
    )


def pass_is_due(
    *, due_soon: int, oldest_due: datetime | None, now: datetime, batch_size: int, wait: timedelta
) -> bool:
    """Whether the daemon should track now: a full call's worth is due (counting videos due
    within the early-visit window), or the oldest due video has waited ``wait`` for company.
    Without this, videos whose grids are spread over the hour would cost one call each."""
    if oldest_due is None or oldest_due > now:
        return False
    return due_soon >= batch_size or now - oldest_due >= wait
