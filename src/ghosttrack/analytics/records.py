"""What analytics hand out: frozen records (and Arrow tables) with a JSON form for the CLI and
the REST API. A record's JSON keeps YouTube's counts (``sampled``) apart from the figures
ghosttrack computes from them (``derived``), and says so."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from ghosttrack.analytics.methodology import MethodologyChange

COMPUTED_BY = "ghosttrack"
DERIVED_NOTE = "computed by ghosttrack from the samples it stored; these are not YouTube statistics"
FORECAST_NOTE = (
    "estimate: Szabo–Huberman log-linear model fitted on this vault's videos that reached 30 "
    "days; error measured on videos left out of the fit"
)

Json = dict[str, Any]


def number(value: float | None) -> float | None:
    """A float for JSON: None for unknown (NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def derived(body: Json) -> Json:
    """A block of derived figures, labelled as ghosttrack's."""
    return {"computed_by": COMPUTED_BY, "note": DERIVED_NOTE, **body}


def table_json(table: pa.Table) -> list[Json]:
    """Rows of an Arrow table as JSON objects (timestamps ISO-8601, NaN as null)."""
    rows = table.to_pylist()
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    if isinstance(value, float):
        return number(value)
    return value


@dataclass(frozen=True, slots=True)
class Milestone:
    """Counts at an exact age, interpolated between the two samples around it; None when no
    pair of samples brackets the age (never extrapolated). ``score``: views ÷ the channel's
    typical views at this age (1.0 = typical)."""

    label: str
    age_hours: float
    views: float | None
    likes: float | None
    comments: float | None
    score: float | None

    def to_json(self) -> Json:
        return {
            "label": self.label,
            "age_hours": self.age_hours,
            "views": number(self.views),
            "likes": number(self.likes),
            "comments": number(self.comments),
            "score": number(self.score),
        }


@dataclass(frozen=True, slots=True)
class Velocity:
    """Views per hour. ``lifetime_average`` is views ÷ hours since publication (what many tools
    call velocity), named for what it is."""

    views_per_hour: float | None  # between the last two samples
    over_hours: float | None  # how long that interval was
    last_24h: float | None  # over the 24 hours before the last sample
    lifetime_average: float | None

    def to_json(self) -> Json:
        return {
            "views_per_hour": number(self.views_per_hour),
            "over_hours": number(self.over_hours),
            "last_24h_views_per_hour": number(self.last_24h),
            "lifetime_average_views_per_hour": number(self.lifetime_average),
        }


@dataclass(frozen=True, slots=True)
class Score:
    """Age-adjusted performance: views now ÷ the median of the channel's recent uploads at the
    same age (1.0 = typical). None when fewer than ``min_peers`` uploads had a value there."""

    value: float | None
    median_views: float | None
    peers: int
    min_peers: int
    age_hours: float | None

    def to_json(self) -> Json:
        return {
            "value": number(self.value),
            "median_views_of_peers": number(self.median_views),
            "peers": self.peers,
            "min_peers": self.min_peers,
            "at_age_hours": number(self.age_hours),
        }


@dataclass(frozen=True, slots=True)
class Forecast:
    """An estimate of the views at 30 days (None when the video is older, has no early count,
    or the vault has too few videos that reached 30 days to fit the model)."""

    views_30d: float | None
    low: float | None  # 10th percentile of held-out outcomes
    high: float | None  # 90th percentile
    from_age_hours: float | None
    median_error: float | None  # median relative error on held-out videos
    trained_on: int

    def to_json(self) -> Json:
        return {
            "estimate": True,
            "note": FORECAST_NOTE,
            "views_30d": number(self.views_30d),
            "low": number(self.low),
            "high": number(self.high),
            "from_age_hours": number(self.from_age_hours),
            "median_error_held_out": number(self.median_error),
            "trained_on_videos": self.trained_on,
        }


@dataclass(frozen=True, slots=True)
class Breakout:
    """An interval in which a video gained views far faster than its baselines."""

    video_id: str
    channel_id: str | None
    published_at: datetime | None
    start: datetime
    end: datetime
    age_hours: float | None  # at ``end``
    views: int | None  # at ``end``
    gain: float
    views_per_hour: float
    channel_ratio: float | None  # gain ÷ the channel's recent uploads' median gain, same ages
    own_ratio: float | None  # gain ÷ its own gain at its pace just before
    peers: int

    def to_json(self) -> Json:
        return {
            "video_id": self.video_id,
            "channel_id": self.channel_id,
            "published_at": moment(self.published_at),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "age_hours": number(self.age_hours),
            "views": self.views,
            "gain": self.gain,
            "views_per_hour": number(self.views_per_hour),
            "channel_ratio": number(self.channel_ratio),
            "own_ratio": number(self.own_ratio),
            "peers": self.peers,
        }


@dataclass(frozen=True, slots=True)
class VideoReport:
    """Everything analytics know of one video."""

    video_id: str
    channel_id: str | None
    published_at: datetime | None
    tier: str | None
    status: str | None
    as_of: datetime
    samples: int
    first_sample_at: datetime | None
    last_sample_at: datetime | None
    views: int | None
    likes: int | None
    comments: int | None
    age_hours: float | None
    milestones: tuple[Milestone, ...]
    velocity: Velocity
    score: Score
    forecast: Forecast
    negative_steps: int
    breakout: Breakout | None
    methodology_changes: tuple[MethodologyChange, ...]  # during the samples' span
    trends_refreshed_at: datetime | None  # peers and forecast model as of
    #: The samples (timestamp, views, likes, comments, source) and, computed by ghosttrack,
    #: age_hours, views_change, views_per_hour, methodology_change (``Analytics.series``).
    series: pa.Table

    def to_json(self) -> Json:
        return {
            "video_id": self.video_id,
            "channel_id": self.channel_id,
            "published_at": moment(self.published_at),
            "tier": self.tier,
            "status": self.status,
            "as_of": self.as_of.isoformat(),
            "sampled": {
                "source": "YouTube Data API counts stored by ghosttrack",
                "samples": self.samples,
                "first_sample_at": moment(self.first_sample_at),
                "last_sample_at": moment(self.last_sample_at),
                "views": self.views,
                "likes": self.likes,
                "comments": self.comments,
            },
            "derived": derived(
                {
                    "age_hours": number(self.age_hours),
                    "milestones": [m.to_json() for m in self.milestones],
                    "velocity": self.velocity.to_json(),
                    "score": self.score.to_json(),
                    "forecast": self.forecast.to_json(),
                    "negative_steps": self.negative_steps,
                    "breakout": self.breakout.to_json() if self.breakout else None,
                    "trends_refreshed_at": moment(self.trends_refreshed_at),
                }
            ),
            "methodology_changes": [change_json(c) for c in self.methodology_changes],
            "series": series_json(self.series),
        }


def series_json(series: pa.Table) -> Json:
    """A video's series: the sampled counts, and ghosttrack's columns labelled apart."""
    derived_columns = ["age_hours", "views_change", "views_per_hour", "methodology_change"]
    return {
        "samples": table_json(series.select(["timestamp", "views", "likes", "comments", "source"])),
        "derived": derived({"rows": table_json(series.select(derived_columns))}),
    }


def change_json(change: MethodologyChange) -> Json:
    return {
        "start": change.start.isoformat(),
        "end": change.end.isoformat(),
        "scope": change.scope,
        "note": change.note,
    }


@dataclass(frozen=True, slots=True)
class Ranking:
    """Rows of ``video_trends`` (see ``trends.SCHEMA``, without ``grid``), best first."""

    by: str
    refreshed_at: datetime | None
    rows: pa.Table

    def to_json(self) -> Json:
        return derived(
            {
                "by": self.by,
                "refreshed_at": moment(self.refreshed_at),
                "videos": table_json(self.rows),
            }
        )


@dataclass(frozen=True, slots=True)
class Breakouts:
    """Breakouts found in ``[since, until)`` (by the end of their interval)."""

    since: datetime
    until: datetime
    refreshed_at: datetime | None
    items: tuple[Breakout, ...]

    def to_json(self) -> Json:
        return derived(
            {
                "since": self.since.isoformat(),
                "until": self.until.isoformat(),
                "refreshed_at": moment(self.refreshed_at),
                "breakouts": [b.to_json() for b in self.items],
            }
        )


@dataclass(frozen=True, slots=True)
class LifecyclePoint:
    """The median share of its 30-day views a channel's video has reached by ``age_hours``."""

    age_hours: float
    median_share: float | None
    videos: int


@dataclass(frozen=True, slots=True)
class TypicalMilestone:
    """The median views of the channel's recent uploads at a milestone age."""

    label: str
    median_views: float | None
    videos: int


@dataclass(frozen=True, slots=True)
class ChannelReport:
    """A channel's daily statistics and how its videos typically do."""

    channel_id: str
    as_of: datetime
    days: pa.Table  # day, subscribers, views, videos and their day-to-day changes
    videos_tracked: int
    typical: tuple[TypicalMilestone, ...]
    lifecycle: tuple[LifecyclePoint, ...]
    top: pa.Table  # the channel's videos by velocity (video_trends columns)
    refreshed_at: datetime | None

    def to_json(self) -> Json:
        return {
            "channel_id": self.channel_id,
            "as_of": self.as_of.isoformat(),
            "sampled": {
                "source": "YouTube Data API channel statistics stored by ghosttrack",
                "note": "the *_change columns are day-to-day differences computed by ghosttrack",
                "days": table_json(self.days),
            },
            "derived": derived(
                {
                    "refreshed_at": moment(self.refreshed_at),
                    "videos_tracked": self.videos_tracked,
                    "typical_views": [
                        {
                            "label": t.label,
                            "median_views": number(t.median_views),
                            "videos": t.videos,
                        }
                        for t in self.typical
                    ],
                    "lifecycle": [
                        {
                            "age_hours": p.age_hours,
                            "median_share_of_30d_views": number(p.median_share),
                            "videos": p.videos,
                        }
                        for p in self.lifecycle
                    ],
                    "top_videos": table_json(self.top),
                }
            ),
        }
