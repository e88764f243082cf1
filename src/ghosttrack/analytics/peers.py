"""Comparable videos: a video's channel's recent uploads, read at the same age. Pure: no I/O.

A video's peers are the uploads of its channel published before it (so they are older and have
been through the age it is at now), the most recent first, within a window. At any age, the
median of the first ``take`` peers that have a value there is the channel's typical figure; a
score is the video's own figure divided by it (1.0 = typical), given only when at least
``min_peers`` peers had a value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ghosttrack.analytics.series import Floats, Ints


def candidates(channel: Ints, published: Floats, queries: Ints, count: int, window: float) -> Ints:
    """A (queries × count) matrix of peer rows for each query row, most recent first, -1 where
    there are fewer: same channel (code >= 0), published before the query's video and at most
    ``window`` seconds before it. Rows index ``channel`` / ``published``."""
    n = len(channel)
    known = (channel >= 0) & ~np.isnan(published)
    # Sort by (known, channel, published, row): a video's peers sit just before it.
    order = np.lexsort((np.arange(n), np.nan_to_num(published, nan=0.0), channel, ~known))
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    steps = np.arange(1, count + 1, dtype=np.int64)
    at = position[queries][:, None] - steps[None, :]
    rows = order[np.clip(at, 0, max(n - 1, 0))] if n else np.zeros_like(at)
    q_channel = channel[queries][:, None]
    q_published = published[queries][:, None]
    valid = (
        (at >= 0)
        & known[queries][:, None]
        & (channel[rows] == q_channel)
        & (published[rows] < q_published)
        & (published[rows] >= q_published - window)
    )
    return np.where(valid, rows, -1)


@dataclass(frozen=True)
class Typical:
    """Per query: the median of its peers' values and how many values it rests on."""

    median: Floats
    count: Ints
    taken: np.ndarray  # (queries × candidates) bool: the values the median used


def typical(values: Floats, take: int) -> Typical:
    """The median of the first ``take`` known values of each row (rows ordered most recent
    first); NaN with a count of 0 when a row has none."""
    known = ~np.isnan(values)
    rank = np.cumsum(known, axis=1)
    taken = known & (rank <= take)
    count = taken.sum(axis=1).astype(np.int64)
    masked = np.where(taken, values, np.nan)
    median = np.full(len(values), np.nan)
    has = count > 0
    if has.any():
        median[has] = np.nanmedian(masked[has], axis=1)
    return Typical(median, count, taken)


def score(own: Floats, peers: Typical, min_peers: int) -> Floats:
    """``own`` divided by the peers' median: 1.0 is typical. NaN with too few peers, an unknown
    own value, or a median of zero."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = own / peers.median
    ok = (peers.count >= min_peers) & (peers.median > 0) & ~np.isnan(own)
    return np.where(ok, ratio, np.nan)
