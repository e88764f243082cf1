"""Many videos' samples at once, as numpy arrays, and the per-video figures read from them.

The samples of a set of videos lie in flat arrays sorted by (video, time); video ``i`` owns
``[starts[i], ends[i])``. Every figure is computed for all videos in a few array operations, so
one video and a million go through the same code. Pure: no I/O.

Interpolation is linear between the two samples that bracket the moment asked for, and only
then: a moment before a video's first sample or after its last gives NaN (no value), never an
extrapolation. Counts are not assumed monotonic; a negative step is kept as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

HOUR = 3600.0
DAY = 86400.0

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Series:
    """Samples of many videos. Times are Unix seconds; unknown counts and times are NaN."""

    starts: Ints
    ends: Ints
    t: Floats
    views: Floats
    likes: Floats
    comments: Floats
    published: Floats  # one per video

    @classmethod
    def from_sorted(
        cls,
        keys: NDArray[np.int64],
        t: Floats,
        views: Floats,
        likes: Floats,
        comments: Floats,
        published: Floats,
    ) -> Series:
        """Build from arrays sorted by (key, t); ``keys`` numbers the videos 0..n-1 in order,
        and ``published`` has one entry per video."""
        n = len(published)
        counts = np.bincount(keys, minlength=n).astype(np.int64)
        ends = np.cumsum(counts)
        return cls(ends - counts, ends, t, views, likes, comments, published)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def counts(self) -> Ints:
        return self.ends - self.starts

    @property
    def last(self) -> Ints:
        """Index of each video's last sample (-1 for a video without samples)."""
        return self.ends - 1


def locate(t: Floats, starts: Ints, ends: Ints, target: Floats) -> Ints:
    """For each query, the index of the first sample at or after ``target`` within
    ``[starts, ends)`` (``ends`` when there is none): a binary search run on all queries at
    once, as many rounds as the longest video has samples' bits."""
    lo = starts.copy()
    hi = ends.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        below = open_ & (t[np.where(open_, mid, 0)] < target)
        lo = np.where(below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)


def at(
    t: Floats,
    values: Floats,
    starts: Ints,
    ends: Ints,
    target: Floats,
) -> Floats:
    """Each query's value at ``target``, interpolated between the bracketing samples of its
    range ``[starts, ends)``; NaN when ``target`` is not bracketed (or a count is unknown)."""
    upper = locate(t, starts, ends, target)
    has_upper = upper < ends
    safe_upper = np.where(has_upper, upper, 0)
    exact = has_upper & (t[safe_upper] == target)
    lower = upper - 1
    bracketed = has_upper & (lower >= starts)
    safe_lower = np.where(bracketed, lower, 0)
    t0, t1 = t[safe_lower], t[safe_upper]
    v0, v1 = values[safe_lower], values[safe_upper]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (target - t0) / (t1 - t0)
        between = v0 + (v1 - v0) * share
    out = np.where(bracketed, between, np.nan)
    return np.where(exact, values[safe_upper], out)


def at_ages(series: Series, values: Floats, ages: Floats) -> Floats:
    """A (videos × ages) matrix: each video's ``values`` at each age (seconds after its
    publication), interpolated; NaN when not bracketed or the publication time is unknown."""
    n, k = len(series), len(ages)
    starts = np.repeat(series.starts, k)
    ends = np.repeat(series.ends, k)
    target = (series.published[:, None] + ages[None, :]).reshape(-1)
    return at(series.t, values, starts, ends, target).reshape(n, k)


@dataclass(frozen=True)
class Velocity:
    """Views per hour, per video (NaN when it cannot be known)."""

    last: Floats  # between the last two samples
    last_hours: Floats  # the length of that interval
    day: Floats  # over the 24 hours before the last sample (interpolated start)
    lifetime_average: Floats  # views at the last sample ÷ hours since publication


def velocity(series: Series) -> Velocity:
    """Views per hour between the last two samples, over the last 24 h, and the lifetime
    average (what many tools call velocity, named for what it is)."""
    last = series.last
    has_two = series.counts >= 2
    i1 = np.where(series.counts >= 1, last, 0)
    i0 = np.where(has_two, last - 1, 0)
    t1, t0 = series.t[i1], series.t[i0]
    v1 = series.views[i1]
    hours = np.where(has_two, (t1 - t0) / HOUR, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        last_rate = np.where(has_two & (hours > 0), (v1 - series.views[i0]) / hours, np.nan)
        day_ago = at(series.t, series.views, series.starts, series.ends, t1 - DAY)
        day_rate = np.where(series.counts >= 2, (v1 - day_ago) / 24.0, np.nan)
        age_hours = (t1 - series.published) / HOUR
        lifetime = np.where((series.counts >= 1) & (age_hours > 0), v1 / age_hours, np.nan)
    return Velocity(last_rate, hours, day_rate, lifetime)


def deltas(series: Series) -> tuple[Floats, NDArray[np.bool_]]:
    """Each sample's change in views since the video's previous sample (NaN for a first
    sample), and which samples start a video."""
    first = np.zeros(len(series.t), dtype=bool)
    first[series.starts[series.counts > 0]] = True
    step = np.empty_like(series.views)
    if len(step):
        step[0] = np.nan
        step[1:] = np.diff(series.views)
    return np.where(first, np.nan, step), first


def negative_steps(series: Series) -> Ints:
    """How many times each video's view count went down between two samples."""
    step, _ = deltas(series)
    down = np.nan_to_num(step, nan=0.0) < 0
    cumulative = np.concatenate([[0], np.cumsum(down)]).astype(np.int64)
    return cumulative[series.ends] - cumulative[series.starts]


def increases(series: Series) -> Floats:
    """Each video's running total of its view increases: what it gained with corrections taken
    out. A step down (views removed) is bridged at the pace of the step before it, so neither
    the removal nor the normal growth it hides makes a later interval look fast or slow."""
    step, first = deltas(series)
    gap = np.empty_like(series.t)
    if len(gap):
        gap[0] = np.nan
        gap[1:] = np.diff(series.t)
    up_ok = first | (np.nan_to_num(step, nan=0.0) >= 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(first, 0.0, np.where(up_ok, step / gap, 0.0))
    # The pace of the latest step that went up (or 0 from a video's first sample), carried on.
    source = np.where(up_ok, np.arange(len(rate)), 0)
    np.maximum.accumulate(source, out=source)
    bridged = np.where(up_ok, np.nan_to_num(step, nan=0.0), rate[source] * gap)
    # Summed in whole thousandths of a view: exact, so a video's totals do not depend on which
    # other videos share the arrays (a float running sum would carry their rounding).
    milli = np.round(np.where(first, 0.0, bridged) * 1000.0).astype(np.int64)
    total = np.cumsum(milli)
    started = total - np.repeat(
        total[series.starts[series.counts > 0]], series.counts[series.counts > 0]
    )
    return np.asarray(started, dtype=np.float64) / 1000.0


@dataclass(frozen=True)
class Intervals:
    """Consecutive sample pairs of every video: ``end`` indexes the later sample."""

    video: Ints
    end: Ints
    t0: Floats
    t1: Floats
    a0: Floats  # ages, seconds (NaN: publication unknown)
    a1: Floats
    gain: Floats
    before: Floats  # increases at the pace of just before t0, over as long (NaN: unknown)


def intervals(series: Series, mask: NDArray[np.bool_] | None = None) -> Intervals:
    """Every interval between consecutive samples (only those whose later sample is in
    ``mask``, when given).

    ``before`` reads the running total of increases at ``t0`` and one interval length earlier.
    When that is before the video's first sample, its publication counts as a sample of zero
    views (true by definition), so a young video's second hour is compared with its first; when
    it is before the publication, the pace since publication is scaled to the interval length.
    """
    _, first = deltas(series)
    chosen = ~first if mask is None else ~first & mask
    end = np.flatnonzero(chosen).astype(np.int64)
    video = (np.searchsorted(series.starts, end, side="right") - 1).astype(np.int64)
    t0, t1 = series.t[end - 1], series.t[end]
    published = series.published[video]
    # Increases counted from publication: the first sample's views, then every rise.
    start = series.starts[video]
    up = increases(series)
    first_views, first_t = series.views[start], series.t[start]
    back = np.maximum(t0 - (t1 - t0), published)
    sampled = at(series.t, up, start, series.ends[video], back)
    with np.errstate(invalid="ignore", divide="ignore"):
        launch = first_views * (back - published) / (first_t - published)
        earlier = np.where(np.isnan(sampled) & (back < first_t), launch - first_views, sampled)
        length = t1 - t0
        before = (up[end - 1] - earlier) * length / (t0 - back)
    return Intervals(
        video=video,
        end=end,
        t0=t0,
        t1=t1,
        a0=t0 - published,
        a1=t1 - published,
        gain=series.views[end] - series.views[end - 1],
        before=np.where(t0 > back, before, np.nan),
    )
