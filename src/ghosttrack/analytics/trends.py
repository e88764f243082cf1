"""``video_trends``: one row per video with its milestones, velocities, score, forecast and
breakout verdict — built from its samples in two steps, both pure (Arrow tables in and out):

1. ``own_figures``: what a video's own samples say (milestones, velocities, the age grid);
2. ``compare``: what needs other videos too (scores against the channel's recent uploads, the
   30-day forecast fitted on every video that reached 30 days, the latest interval judged for a
   breakout), for the rows asked for, against all rows.

Every figure here is computed by ghosttrack from its samples; none is a YouTube statistic.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ghosttrack.analytics import ages, forecast, peers
from ghosttrack.analytics import watchlist as wl
from ghosttrack.analytics.breakouts import Rule, judge
from ghosttrack.analytics.methodology import MethodologyChange, overlapping
from ghosttrack.analytics.series import (
    HOUR,
    Floats,
    Intervals,
    Ints,
    Series,
    at_ages,
    intervals,
    velocity,
)
from ghosttrack.analytics.series import negative_steps as count_negative_steps

UTC_MICROS = pa.timestamp("us", tz="UTC")
GRID_TYPE = pa.list_(pa.float32())
FLOAT = pa.float64()
#: What a video_trends row says of the video itself, as the watchlist had it.
IDENTITY = ("video_id", "channel_id", "published_at", "tier", "status")
COUNTS = ("views", "likes", "comments")

#: Columns of video_trends, in order, with their types. ``interval_*``: the latest interval
#: between two samples (its start, views gained, and what the video's own pace before it would
#: have gained), which breakouts judge. ``grid`` holds the views at the age grid (``ages.GRID``)
#: and is for comparisons; the SQL view leaves it out.
SCHEMA = pa.schema(
    [
        *[wl.SCHEMA.field(name) for name in IDENTITY],
        ("samples", pa.int64()),
        ("first_sample_at", UTC_MICROS),
        ("last_sample_at", UTC_MICROS),
        ("age_hours", pa.float64()),
        ("views", pa.int64()),
        ("likes", pa.int64()),
        ("comments", pa.int64()),
        *[(f"{count}_{label}", pa.float64()) for count in COUNTS for label, _ in ages.MILESTONES],
        ("velocity", pa.float64()),
        ("velocity_hours", pa.float64()),
        ("velocity_24h", pa.float64()),
        ("lifetime_average", pa.float64()),
        ("negative_steps", pa.int64()),
        ("interval_from", UTC_MICROS),
        ("interval_gain", pa.float64()),
        ("interval_before", pa.float64()),
        ("score", pa.float64()),
        ("score_median", pa.float64()),
        ("score_peers", pa.int64()),
        *[(f"score_{label}", pa.float64()) for label, _ in ages.MILESTONES],
        ("forecast_30d", pa.float64()),
        ("forecast_low", pa.float64()),
        ("forecast_high", pa.float64()),
        ("forecast_from_hours", pa.float64()),
        ("forecast_error", pa.float64()),
        ("breakout", pa.bool_()),
        ("breakout_channel_ratio", pa.float64()),
        ("breakout_own_ratio", pa.float64()),
        ("breakout_peers", pa.int64()),
        ("grid", GRID_TYPE),
    ]
)
#: Columns ``compare`` fills in; ``own_figures`` leaves them null.
COMPARED = tuple(
    name for name in SCHEMA.names if name.startswith(("score", "forecast", "breakout"))
)


@dataclass(frozen=True)
class Settings:
    """What comparisons need to know (from ``ghosttrack.settings.Settings``)."""

    peers: int  # recent uploads a median uses
    min_peers: int  # fewer: no score
    peer_window_seconds: float  # how far back a peer may be published
    min_forecast_videos: int
    rule: Rule
    changes: Sequence[MethodologyChange]


def seconds(column: pa.ChunkedArray | pa.Array) -> Floats:
    """A timestamp column as Unix seconds (NaN for null)."""
    micros = pc.cast(column, pa.int64())
    return np.asarray(
        pc.divide(pc.cast(micros, pa.float64()), 1e6).to_numpy(zero_copy_only=False),
        dtype=np.float64,
    )


def moment_of(value: float) -> datetime:
    """Unix seconds as an aware UTC datetime (to the microsecond)."""
    return datetime.fromtimestamp(round(value * 1e6) / 1e6, UTC)


def floats(column: pa.ChunkedArray | pa.Array) -> Floats:
    """A numeric column as float64 (NaN for null)."""
    return np.asarray(
        pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
    )


def videos_of(samples: pa.Table, entries: pa.Table) -> pa.Table:
    """One row per video of ``samples`` (sorted by video_id, like them) with what its watchlist
    row in ``entries`` says of it (channel_id, published_at, tier, status); the publication
    time from the samples when the watchlist has none."""
    published = samples.group_by("video_id").aggregate([("published_at", "max")])
    joined = published.join(
        entries.select(list(IDENTITY)).rename_columns(
            ["video_id", "channel_id", "listed_at", "tier", "status"]
        ),
        "video_id",
        join_type="left outer",
    ).sort_by("video_id")
    when = pc.coalesce(joined.column("listed_at"), joined.column("published_at_max"))
    return pa.table(
        {
            "video_id": joined.column("video_id"),
            "channel_id": joined.column("channel_id"),
            "published_at": pc.cast(when, UTC_MICROS),
            "tier": joined.column("tier"),
            "status": joined.column("status"),
        }
    )


def series_of(videos: pa.Table, samples: pa.Table) -> Series:
    """``samples`` (video_id, timestamp, views, likes, comments; sorted by video and time) as a
    Series aligned with ``videos`` (video_id in the same order, published_at)."""
    ids = samples.column("video_id")
    if len(ids):
        runs = pc.run_end_encode(ids.combine_chunks())
        ends = np.asarray(runs.run_ends, dtype=np.int64)
        if len(ends) != videos.num_rows or not runs.values.equals(
            videos.column("video_id").combine_chunks()
        ):
            raise ValueError("samples and videos must list the same videos in the same order")
        counts = np.diff(np.concatenate([[0], ends]))
    else:
        counts = np.zeros(videos.num_rows, dtype=np.int64)
    keys = np.repeat(np.arange(videos.num_rows, dtype=np.int64), counts)
    return Series.from_sorted(
        keys,
        seconds(samples.column("timestamp")),
        floats(samples.column("views")),
        floats(samples.column("likes")),
        floats(samples.column("comments")),
        seconds(videos.column("published_at")),
    )


def own_figures(videos: pa.Table, samples: pa.Table) -> pa.Table:
    """Rows of ``SCHEMA`` from each video's own samples; comparison columns null. ``videos``:
    video_id, channel_id, published_at, tier, status, one row per video with samples."""
    s = series_of(videos, samples)
    last = np.maximum(s.last, 0)
    t_last = s.t[last] if len(s.t) else np.full(len(s), np.nan)
    v = velocity(s)
    milestone_ages = np.array([age for _, age in ages.MILESTONES])
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        name: videos.column(name) for name in IDENTITY
    }
    columns["samples"] = pa.array(s.counts)
    columns["first_sample_at"] = _timestamps(s.t[s.starts] if len(s.t) else t_last)
    columns["last_sample_at"] = _timestamps(t_last)
    columns["age_hours"] = _nullable((t_last - s.published) / HOUR)
    for count in COUNTS:
        values = getattr(s, count)
        latest = values[last] if len(values) else np.full(len(s), np.nan)
        columns[count] = _nullable(latest, pa.int64())
        at = at_ages(s, values, milestone_ages)
        for k, (label, _) in enumerate(ages.MILESTONES):
            columns[f"{count}_{label}"] = _nullable(at[:, k])
    columns["velocity"] = _nullable(v.last)
    columns["velocity_hours"] = _nullable(v.last_hours)
    columns["velocity_24h"] = _nullable(v.day)
    columns["lifetime_average"] = _nullable(v.lifetime_average)
    columns["negative_steps"] = pa.array(count_negative_steps(s))
    latest = _latest_interval(s)
    columns["interval_from"] = _timestamps(latest.t0)
    columns["interval_gain"] = _nullable(latest.gain)
    columns["interval_before"] = _nullable(latest.before)
    for name in COMPARED:
        columns[name] = pa.nulls(len(s), SCHEMA.field(name).type)
    columns["grid"] = grid_column(at_ages(s, s.views, ages.GRID))
    return pa.table(columns, schema=SCHEMA)


def grid_column(grid: Floats) -> pa.Array:
    """A (videos × grid) matrix as a list<float32> column (NaN: null, unknown)."""
    n, k = grid.shape
    values = grid.astype(np.float32).reshape(-1)
    flat = pa.array(values, mask=np.isnan(values))
    return pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32) * k), flat)


def grid_matrix(column: pa.ChunkedArray | pa.Array) -> Floats:
    """The ``grid`` column back as a (videos × grid) float64 matrix."""
    flat = pc.list_flatten(column)
    values = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.float64)
    return values.reshape(-1, len(ages.GRID)) if len(values) else np.empty((0, len(ages.GRID)))


def channel_codes(column: pa.ChunkedArray | pa.Array) -> Ints:
    """Channel ids as integer codes (-1 for unknown), for grouping."""
    encoded = pc.dictionary_encode(column).combine_chunks() if len(column) else None
    if encoded is None:
        return np.empty(0, dtype=np.int64)
    codes = pc.fill_null(encoded.indices, -1)
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)


def fold_of(video_ids: Sequence[str]) -> Ints:
    """A fixed fold per video (from a checksum of its id) for held-out forecast errors."""
    return np.array([zlib.crc32(v.encode()) % forecast.FOLDS for v in video_ids], dtype=np.int64)


def fit_forecast(table: pa.Table, settings: Settings) -> forecast.Model:
    """The 30-day model fitted on every row of ``table`` that reached 30 days."""
    grid = grid_matrix(table.column("grid"))
    reached = ~np.isnan(grid[:, ages.THIRTY_DAYS]) if len(grid) else np.zeros(0, dtype=bool)
    ids = table.column("video_id").filter(pa.array(reached)).to_pylist()
    return forecast.fit(grid[reached], fold_of(ids), settings.min_forecast_videos)


#: Rows compared at once (bounds the (rows × peers) matrices: ~30 MB each).
COMPARE_CHUNK = 100_000


def compare(
    table: pa.Table,
    model: forecast.Model,
    settings: Settings,
    rows: Ints | None = None,
) -> pa.Table:
    """``table`` with the comparison columns filled in for ``rows`` (default: all) — scores
    against each video's channel peers among all rows, forecasts from ``model``, and the verdict
    on each row's latest interval — the others kept as they are."""
    grid = grid_matrix(table.column("grid"))
    channel = channel_codes(table.column("channel_id"))
    published = seconds(table.column("published_at"))
    chosen = np.arange(table.num_rows, dtype=np.int64) if rows is None else rows
    context = _Context(
        grid,
        channel,
        published,
        floats(table.column("age_hours")) * HOUR,
        floats(table.column("views")),
        _Latest(
            seconds(table.column("interval_from")),
            seconds(table.column("last_sample_at")),
            floats(table.column("interval_gain")),
            floats(table.column("interval_before")),
        ),
    )
    parts = [
        _compare_rows(context, chosen[first : first + COMPARE_CHUNK], model, settings)
        for first in range(0, len(chosen), COMPARE_CHUNK)
    ]
    values = {
        name: np.concatenate([p[name] for p in parts]) if parts else np.empty(0)
        for name in COMPARED
    }
    return _replace_rows(table, chosen, values)


@dataclass(frozen=True)
class _Latest:
    """Each row's latest interval: start and end (Unix seconds), gain, own-pace baseline."""

    t0: Floats
    t1: Floats
    gain: Floats
    before: Floats


@dataclass(frozen=True)
class _Context:
    """What comparing needs of every row."""

    grid: Floats
    channel: Ints
    published: Floats
    age: Floats  # seconds, at the last sample
    views: Floats
    latest: _Latest


def _compare_rows(
    c: _Context, rows: Ints, model: forecast.Model, settings: Settings
) -> dict[str, np.ndarray]:
    candidates = peers.candidates(
        c.channel, c.published, rows, 2 * settings.peers, settings.peer_window_seconds
    )
    age = c.age[rows]
    values: dict[str, np.ndarray] = {}
    now = peers.typical(ages.grid_at(c.grid, candidates, age[:, None]), settings.peers)
    values["score"] = peers.score(c.views[rows], now, settings.min_peers)
    values["score_median"] = now.median
    values["score_peers"] = now.count
    for (label, _), column in zip(ages.MILESTONES, ages.MILESTONE_COLUMNS, strict=True):
        at = peers.typical(
            np.where(candidates >= 0, c.grid[candidates, column], np.nan), settings.peers
        )
        values[f"score_{label}"] = peers.score(c.grid[rows, column], at, settings.min_peers)
    predicted = forecast.predict(model, c.grid[rows], age)
    values["forecast_30d"] = predicted.views
    values["forecast_low"] = predicted.low
    values["forecast_high"] = predicted.high
    values["forecast_from_hours"] = predicted.from_age / HOUR
    values["forecast_error"] = predicted.median_error
    t0, t1 = c.latest.t0[rows], c.latest.t1[rows]
    gain = c.latest.gain[rows]
    published = c.published[rows]
    judged = judge(
        gain,
        ages.grid_at(c.grid, candidates, (t0 - published)[:, None]),
        ages.grid_at(c.grid, candidates, (t1 - published)[:, None]),
        c.latest.before[rows],
        overlapping(t0, t1, settings.changes),
        settings.rule,
    )
    known = ~np.isnan(gain)
    values["breakout"] = np.where(known, judged.breakout, False)
    values["breakout_channel_ratio"] = judged.channel_ratio
    values["breakout_own_ratio"] = judged.own_ratio
    values["breakout_peers"] = np.where(known, judged.peers, 0)
    return values


def _latest_interval(series: Series) -> Intervals:
    """Each video's latest interval, as ``intervals`` gives it, aligned with the videos (NaN
    for a video with a single sample)."""
    has = series.counts >= 2
    mask = np.zeros(len(series.t), dtype=bool)
    mask[series.last[has]] = True
    found = intervals(series, mask)
    n = len(series)
    aligned: dict[str, np.ndarray] = {}
    for name in ("t0", "t1", "a0", "a1", "gain", "before"):
        column = np.full(n, np.nan)
        column[found.video] = getattr(found, name)
        aligned[name] = column
    empty = np.full(n, -1, dtype=np.int64)
    return Intervals(video=np.arange(n, dtype=np.int64), end=empty, **aligned)


def _replace_rows(table: pa.Table, rows: Ints, values: dict[str, np.ndarray]) -> pa.Table:
    """``table`` with ``values`` written into ``rows`` of the comparison columns."""
    for name, new in values.items():
        field = SCHEMA.field(name)
        old = table.column(name)
        if pa.types.is_boolean(field.type):
            merged = np.asarray(pc.fill_null(old, False).to_numpy(zero_copy_only=False), bool)
            merged[rows] = new
            column = pa.array(merged)
        else:
            merged = floats(old)
            merged[rows] = new
            column = _nullable(merged, field.type)
        table = table.set_column(table.schema.get_field_index(name), field, column)
    return table


def _nullable(values: Floats, kind: pa.DataType = FLOAT) -> pa.Array:
    """NaN as null; integers rounded when the column is an integer one."""
    mask = np.isnan(values)
    if pa.types.is_integer(kind):
        return pa.array(np.where(mask, 0, np.round(values)).astype(np.int64), kind, mask=mask)
    return pa.array(values, kind, mask=mask)


def _timestamps(values: Floats) -> pa.Array:
    mask = np.isnan(values)
    micros = np.where(mask, 0, np.round(values * 1e6)).astype(np.int64)
    return pa.array(micros, pa.int64(), mask=mask).cast(UTC_MICROS)
