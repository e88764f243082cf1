"""Breakouts: a video gaining views k times faster than comparable videos. Pure: no I/O.

An interval between two samples of a video (ages ``a0`` → ``a1``, ``gain`` views) is compared
two ways:

- with its channel: the median gain of its peers (the channel's recent uploads, see ``peers``)
  over the same ages — the *channel ratio*;
- with itself: what it gained over the same length of time just before ``a0`` (counting only
  increases, so a correction does not make the next interval look fast) — the *own ratio*.

It is a breakout when it gained at least ``min_views`` and the channel ratio is at least ``k``
while the video also sped up (own ratio at least ``acceleration``). The second test is what
tells a spike from a video that is simply bigger, or slower to fade, than its channel's usual:
those grow fast relative to the channel but not relative to themselves. With only one of the two
comparisons available (a first interval; a channel with too few tracked uploads), that one must
reach ``k``. An old video that suddenly climbs passes both; a new upload launching far above its
channel passes at its first interval. An interval that overlaps a change in how YouTube counts
views is never judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ghosttrack.analytics.peers import typical
from ghosttrack.analytics.series import Floats, Ints


@dataclass(frozen=True)
class Rule:
    """When an interval is a breakout."""

    ratio: float  # k: gain at least k × the baseline
    acceleration: float  # and at least this × its own gain just before (when both are known)
    min_views: int  # and at least this many views gained
    take: int  # peers used (the most recent with values)
    min_peers: int  # fewer: no channel ratio


@dataclass(frozen=True)
class Judged:
    """Per interval: the two ratios (NaN: unknown), the peers the channel one rests on, and
    the verdict."""

    channel_ratio: Floats
    own_ratio: Floats
    peers: Ints
    breakout: np.ndarray  # bool


def judge(
    gain: Floats,
    peer_start: Floats,
    peer_end: Floats,
    own_before: Floats,
    excluded: np.ndarray,
    rule: Rule,
) -> Judged:
    """Judge intervals. ``peer_start`` / ``peer_end``: (intervals × candidates) peer views at
    the interval's start and end ages (NaN unknown); ``own_before``: the video's increases over
    the same length of time before the interval (NaN unknown); ``excluded``: intervals not to
    judge (a methodology change)."""
    both = ~np.isnan(peer_start) & ~np.isnan(peer_end)
    moved = typical(np.where(both, peer_end - peer_start, np.nan), rule.take)
    channel_ratio = np.where(moved.count >= rule.min_peers, _ratio(gain, moved.median), np.nan)
    own_ratio = _ratio(gain, own_before)
    has_channel, has_own = ~np.isnan(channel_ratio), ~np.isnan(own_ratio)
    c = np.nan_to_num(channel_ratio, nan=0.0)
    o = np.nan_to_num(own_ratio, nan=0.0)
    fast = np.where(
        has_channel & has_own,
        (np.maximum(c, o) >= rule.ratio) & (np.minimum(c, o) >= rule.acceleration),
        np.where(has_channel, c >= rule.ratio, o >= rule.ratio),
    )
    breakout = fast & ~excluded & (gain >= rule.min_views)
    return Judged(channel_ratio, own_ratio, moved.count, breakout)


def _ratio(gain: Floats, baseline: Floats) -> Floats:
    """gain ÷ baseline, the baseline floored at one view (nothing gained before makes any real
    gain a large ratio, not an infinite one); NaN where the baseline is unknown."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(baseline), np.nan, gain / np.maximum(baseline, 1.0))
