"""The API's request and response bodies (pydantic: they also make the OpenAPI schema).

Responses are built from the domain records at the edge (``*.of(record)``); nothing here holds
logic beyond renaming and shaping.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ghosttrack.operations import StatusReport
from ghosttrack.vault.records import VaultStats
from ghosttrack.watchlist.records import Job, QuotaUsage, SavedSearch, WatchedChannel, WatchEntry
from ghosttrack.web.runs import RunKind

#: Largest page a list returns; a bigger ``limit`` is a 422 naming ``limit``.
MAX_PAGE = 1000
T = TypeVar("T")


class Problem(BaseModel):
    """Every error: what went wrong, and the request field at fault when there is one."""

    error: str
    field: str | None = None
    problems: list[str] = Field(default_factory=list)


class JobOut(BaseModel):
    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    worker: str | None
    counts: dict[str, int]
    error: str | None
    progress: float | None = Field(
        None, description="Share done of a running tracking run (from counts done/total)."
    )

    @classmethod
    def of(cls, job: Job) -> JobOut:
        counts = dict(job.counts)
        progress = None
        if "total" in counts and "done" in counts:
            progress = 1.0 if counts["total"] == 0 else min(1.0, counts["done"] / counts["total"])
        return cls(
            id=job.id,
            kind=job.kind.value,
            status=job.status.value,
            started_at=job.started_at,
            finished_at=job.finished_at,
            worker=job.worker,
            counts=counts,
            error=job.error,
            progress=progress,
        )


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next`` is the link to the following page (None on the last)."""

    items: list[T]
    next: str | None


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: RunKind
    limit: int | None = Field(None, ge=1, le=10_000_000, description="Track at most N videos.")


class RunOut(BaseModel):
    job: JobOut
    started: bool = Field(description="False: a run of this kind was going already (its job).")


class QuotaOut(BaseModel):
    key: str = Field(description="The key's fingerprint (never the key).")
    bucket: str
    used: int
    limit: int

    @classmethod
    def of(cls, usage: QuotaUsage) -> QuotaOut:
        return cls(
            key=usage.key_fingerprint, bucket=usage.bucket, used=usage.used, limit=usage.limit
        )


class VaultOut(BaseModel):
    files: int
    samples: int
    bytes: int

    @classmethod
    def of(cls, stats: VaultStats) -> VaultOut:
        return cls(files=stats.files, samples=stats.samples, bytes=stats.bytes)


class StatsOut(BaseModel):
    now: datetime
    tracked_today: int = Field(description="Videos visited since the Pacific midnight.")
    quota_day: str
    quota_resets_at: datetime
    quota: list[QuotaOut]
    watchlist_total: int
    by_tier: dict[str, int]
    by_status: dict[str, int]
    due_now: int
    backlog: int = Field(description="Active videos overdue by more than an hour.")
    on_schedule_share: float | None = Field(
        description="Share of active videos not in the backlog (None: no active video)."
    )
    metadata_rows: int
    vault: VaultOut
    recent_jobs: list[JobOut]

    @classmethod
    def of(cls, report: StatusReport) -> StatsOut:
        return cls(
            now=report.now,
            tracked_today=report.tracked_today,
            quota_day=report.quota_day,
            quota_resets_at=report.quota_resets_at,
            quota=[QuotaOut.of(u) for u in report.quota],
            watchlist_total=report.watchlist_total,
            by_tier=report.by_tier,
            by_status=report.by_status,
            due_now=report.due_now,
            backlog=report.backlog,
            on_schedule_share=report.on_schedule_share,
            metadata_rows=report.metadata_rows,
            vault=VaultOut.of(report.vault),
            recent_jobs=[JobOut.of(j) for j in report.jobs],
        )


class VideosIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    videos: list[str] = Field(
        min_length=1, max_length=10_000, description="Video ids or YouTube URLs."
    )
    skip_invalid: bool = Field(False, description="Add the valid ones even if some are invalid.")


class AddOut(BaseModel):
    added: int
    already_present: int
    rejected: list[str]


class ChangedOut(BaseModel):
    changed: int


class WatchEntryOut(BaseModel):
    video_id: str
    channel_id: str | None
    published_at: datetime | None
    tier: str
    status: str
    next_track_at: datetime
    last_tracked_at: datetime | None
    last_views: int | None
    misses: int
    added_at: datetime

    @classmethod
    def of(cls, e: WatchEntry) -> WatchEntryOut:
        return cls(
            video_id=e.video_id,
            channel_id=e.channel_id,
            published_at=e.published_at,
            tier=e.tier,
            status=e.status.value,
            next_track_at=e.next_track_at,
            last_tracked_at=e.last_tracked_at,
            last_views=e.last_views,
            misses=e.misses,
            added_at=e.added_at,
        )


class ChannelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(
        min_length=1, max_length=500, description="Channel ids (UC…), @handles or channel URLs."
    )


class ChannelOut(BaseModel):
    channel_id: str
    handle: str | None
    title: str | None
    status: str
    poll_every_seconds: int
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_upload_at: datetime | None
    added_at: datetime

    @classmethod
    def of(cls, c: WatchedChannel) -> ChannelOut:
        return cls(
            channel_id=c.channel_id,
            handle=c.handle,
            title=c.title,
            status=c.status.value,
            poll_every_seconds=round(c.poll_every.total_seconds()),
            next_poll_at=c.next_poll_at,
            last_polled_at=c.last_polled_at,
            last_upload_at=c.last_upload_at,
            added_at=c.added_at,
        )


class ChannelsAddOut(BaseModel):
    added: list[ChannelOut]
    already_present: int
    rejected: list[str]


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=500)
    every: str | None = Field(None, description="Interval, e.g. '6h' (default: the setting).")


class SearchOut(BaseModel):
    id: int
    query: str
    every_seconds: int
    next_run_at: datetime
    last_run_at: datetime | None
    added_at: datetime

    @classmethod
    def of(cls, s: SavedSearch) -> SearchOut:
        return cls(
            id=s.id,
            query=s.query,
            every_seconds=round(s.every.total_seconds()),
            next_run_at=s.next_run_at,
            last_run_at=s.last_run_at,
            added_at=s.added_at,
        )


class SearchAddOut(BaseModel):
    search: SearchOut
    added: bool


class SampleOut(BaseModel):
    timestamp: datetime
    views: int
    likes: int | None
    comments: int | None
    source: str


class MetadataOut(BaseModel):
    title: str | None
    channel_id: str | None
    published_at: datetime | None
    duration_seconds: int | None
    tags: list[str]
    fetched_at: datetime


Format = Literal["json", "csv", "parquet"]


CHANNEL_SAMPLE_FIELDS = ("timestamp", "subscribers", "views", "videos")


class ChannelSampleOut(BaseModel):
    timestamp: datetime
    subscribers: int | None
    views: int
    videos: int


class ChannelReportOut(BaseModel):
    channel: ChannelOut
    videos: Page[WatchEntryOut]
    statistics: list[ChannelSampleOut] = Field(description="Its statistics over time (YouTube's).")
    analytics: dict[str, Any] | None = Field(
        description="ghosttrack's figures: typical views by age, lifecycle, top videos."
    )
