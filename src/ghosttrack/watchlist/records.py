"""Frozen domain records of the SQL stores: rows become these at the stores' edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class VideoStatus(StrEnum):
    ACTIVE = "active"  # tracked on schedule
    UNAVAILABLE = "unavailable"  # missing from the API `miss_limit` visits in a row
    PAUSED = "paused"  # kept but not tracked (user choice)
    REMOVED = "removed"  # a tombstone: the user removed it; discovery must not re-add it


class JobKind(StrEnum):
    TRACK = "track"
    JANITOR = "janitor"
    DISCOVER = "discover"
    IMPORT = "import"
    MIGRATE = "migrate"
    MAINTENANCE = "maintenance"
    TRENDS = "trends"  # a refresh of analytics' video_trends


#: The error text of a job whose worker died without recording its end.
ABANDONED = "abandoned: no end was recorded (the worker was killed or lost)"


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class NewVideo:
    """A video to add to the watchlist; unknown fields are learnt on the first visit."""

    video_id: str
    channel_id: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watchlist row: all that scheduling needs, so tracking never reads ``videos``."""

    video_id: str
    channel_id: str | None
    published_at: datetime | None
    tier: str
    status: VideoStatus
    next_track_at: datetime
    last_tracked_at: datetime | None
    last_views: int | None
    misses: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Visit:
    """The outcome of visiting one claimed video: the new state of its watchlist row."""

    video_id: str
    tier: str
    status: VideoStatus
    next_track_at: datetime
    last_tracked_at: datetime | None
    last_views: int | None
    misses: int
    published_at: datetime | None
    channel_id: str | None


@dataclass(frozen=True, slots=True)
class AddResult:
    added: int
    already_present: int


@dataclass(frozen=True, slots=True)
class WatchlistCounts:
    """The numbers ``status`` shows."""

    total: int
    by_tier: Mapping[str, int]
    by_status: Mapping[str, int]
    due_now: int
    backlog: int  # overdue by more than an hour


@dataclass(frozen=True, slots=True)
class VideoMetadata:
    """A row of the ephemeral ``videos`` table."""

    video_id: str
    channel_id: str | None
    title: str | None
    published_at: datetime | None
    duration_seconds: int | None
    tags: tuple[str, ...]
    fetched_at: datetime
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Job:
    """One run of anything: tracking, janitor, discovery, import, maintenance."""

    id: int
    kind: JobKind
    status: JobStatus
    started_at: datetime
    finished_at: datetime | None
    worker: str | None
    counts: Mapping[str, int]
    error: str | None


@dataclass(frozen=True, slots=True)
class QuotaUsage:
    """One key's use of one bucket on one Pacific day. ``used`` counts units spent and units
    held in blocks by running workers (given back when they are done)."""

    key_fingerprint: str
    bucket: str
    day: str  # Pacific date, ISO
    used: int
    limit: int
    exhausted: bool = False  # YouTube said quotaExceeded: nothing more until the reset


@dataclass(frozen=True, slots=True)
class KeyRejection:
    """A key YouTube rejected: every worker lets it rest until ``retry_at``."""

    key_fingerprint: str
    reason: str
    rejected_at: datetime
    retry_at: datetime


# --- discovery (issue 4): channels and searches -----------------------------------------------


class ChannelStatus(StrEnum):
    ACTIVE = "active"  # polled for uploads on its schedule, statistics daily
    UNAVAILABLE = "unavailable"  # channels.list no longer returns it (terminated, hidden)


@dataclass(frozen=True, slots=True)
class WatchedChannel:
    """One row of ``channels``: a channel the hunter polls for uploads, and its schedule.

    ``last_upload_at`` is the publication time of the newest upload seen: a feed whose 15
    entries are all newer than it may have missed some, so the uploads playlist fills the gap.
    """

    channel_id: str
    handle: str | None
    title: str | None
    status: ChannelStatus
    poll_every: timedelta
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_upload_at: datetime | None
    last_video_id: str | None
    backfilled: bool
    stats_next_at: datetime
    added_at: datetime


@dataclass(frozen=True, slots=True)
class NewSearch:
    """A saved search to add; its first run is at ``next_run_at``."""

    query: str
    every: timedelta
    next_run_at: datetime
    added_at: datetime


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """One row of ``searches``: a query run every ``every`` for uploads since its last run."""

    id: int
    query: str
    every: timedelta
    next_run_at: datetime
    last_run_at: datetime | None
    added_at: datetime
