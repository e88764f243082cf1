"""What the YouTube client returns: frozen records parsed from the API's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class VideoStats:
    """One video's counts at ``fetched_at``. ``likes``/``comments`` are None when hidden/off."""

    video_id: str
    views: int
    likes: int | None
    comments: int | None
    published_at: datetime | None
    channel_id: str | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class StatsBatch:
    """The answer for one batch of ids: the videos found, and the ids YouTube did not return
    (deleted or private), and ids the API rejected as malformed."""

    found: Sequence[VideoStats]
    missing: Sequence[str] = ()
    invalid: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class VideoDetails:
    """Discovery metadata for the ephemeral ``videos`` table."""

    video_id: str
    channel_id: str
    title: str
    published_at: datetime
    duration_seconds: int | None = None
    tags: Sequence[str] = field(default_factory=tuple)
    description: str = ""
    category_id: str | None = None
    live: bool = False


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel and its statistics (``subscribers`` is None when hidden)."""

    channel_id: str
    title: str
    handle: str | None
    uploads_playlist_id: str
    subscribers: int | None
    views: int
    video_count: int
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    """One item of a playlist (an upload when it is a channel's uploads playlist)."""

    video_id: str
    channel_id: str
    published_at: datetime | None
    title: str


@dataclass(frozen=True, slots=True)
class PlaylistPage:
    items: Sequence[PlaylistEntry]
    next_page_token: str | None
    total_results: int | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    video_id: str
    channel_id: str
    published_at: datetime
    title: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: Sequence[SearchHit]
    next_page_token: str | None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One upload in a channel's RSS feed, with its quota-free view and like counts."""

    video_id: str
    channel_id: str
    title: str
    published_at: datetime
    views: int | None
    likes: int | None


@dataclass(frozen=True, slots=True)
class ChannelFeed:
    channel_id: str
    title: str
    entries: Sequence[FeedEntry]
    fetched_at: datetime
