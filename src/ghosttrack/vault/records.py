"""The vault's records: one sample per video visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SampleSource(StrEnum):
    """Where a sample came from, so that analytics and retention can tell them apart.

    Key-fetched statistics (``api``) fall under YouTube's 30-day storage rule; ``feed`` samples
    come from the public RSS feed; ``import`` samples from a migrated database.
    """

    API = "api"
    FEED = "feed"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class Sample:
    """A video's counts at ``timestamp`` (UTC). None means hidden likes / comments off."""

    video_id: str
    timestamp: datetime
    views: int
    likes: int | None
    comments: int | None
    published_at: datetime | None
    source: SampleSource = SampleSource.API


@dataclass(frozen=True, slots=True)
class ChannelSample:
    """A channel's statistics at ``timestamp``."""

    channel_id: str
    timestamp: datetime
    subscribers: int | None
    views: int
    videos: int


@dataclass(frozen=True, slots=True)
class VaultStats:
    files: int
    samples: int
    bytes: int
