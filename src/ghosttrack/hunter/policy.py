"""The hunter's decisions, as pure functions: when to poll a channel again, when its feed may
have missed uploads, when channel statistics and searches run. No I/O.

A channel's feed lists its 15 newest public uploads and costs no quota; the uploads playlist
costs a unit a page of 50. So the feed is read on every poll, and the playlist only when the
feed cannot tell the whole story: on first sight (a backfill of the last N uploads) and when
all 15 feed entries are newer than the newest upload seen before (a gap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: Entries in a channel's RSS feed (YouTube's fixed size).
FEED_SIZE = 15
#: Items per playlistItems.list or search.list page.
PAGE_SIZE = 50
#: Searches look back this much before their last run, for uploads the index had not yet
#: caught up with (videos found twice are recognised on the watchlist).
SEARCH_OVERLAP = timedelta(minutes=15)
DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often channels are polled: ``per_upload`` polls in a typical gap between uploads,
    never more often than ``shortest`` nor less than ``longest``."""

    shortest: timedelta
    longest: timedelta
    per_upload: float


def poll_interval(published: Sequence[datetime], now: datetime, policy: PollPolicy) -> timedelta:
    """The next interval from the channel's recent uploads (the feed's, usually).

    The typical gap is the time from the oldest of its last 15 uploads until now, divided by
    their number: a channel that falls silent drifts toward the longest interval by itself.
    """
    recent = sorted(published, reverse=True)[:FEED_SIZE]
    if not recent:
        return policy.longest
    gap = max(now - recent[-1], timedelta(0)) / len(recent)
    return min(max(gap / policy.per_upload, policy.shortest), policy.longest)


def feed_may_have_missed(
    feed_published: Sequence[datetime], last_upload_at: datetime | None
) -> bool:
    """Whether uploads may lie between the newest one seen and the oldest in a full feed."""
    if last_upload_at is None or len(feed_published) < FEED_SIZE:
        return False
    return min(feed_published) > last_upload_at


def backfill_needs_playlist(feed_entries: int | None, backfill: int) -> bool:
    """On first sight: the feed covers the backfill when it is not full (the channel has fewer
    uploads than it shows) or when no more than its entries are wanted. ``None``: no feed."""
    if backfill <= 0:
        return False
    if feed_entries is None:
        return True
    return feed_entries >= FEED_SIZE and backfill > feed_entries


def pages_for(uploads: int) -> int:
    """playlistItems.list calls (units) for the newest ``uploads`` uploads."""
    return math.ceil(uploads / PAGE_SIZE)


def is_new_enough(published_at: datetime, last_upload_at: datetime | None, backfill: int) -> bool:
    """Whether an upload the watchlist lacks should be added.

    With a backfill of at least a feed's worth, every upload a later feed lists was either taken
    on first sight or is new since (or was listed late, or made public late): all are wanted.
    A smaller backfill left older uploads out on purpose: then only those published after the
    newest one seen are new.
    """
    if last_upload_at is None or backfill >= FEED_SIZE:
        return True
    return published_at > last_upload_at


def next_grid_point(now: datetime, every: timedelta) -> datetime:
    """The first multiple of ``every`` since the Unix epoch after ``now``.

    Channel statistics of every channel come due at the same moments, so they are fetched 50
    channels a call rather than one call per channel at the time each was added.
    """
    steps = math.floor((now - _EPOCH) / every) + 1
    return _EPOCH + steps * every


def search_calls_per_day(every: timedelta, pages: int) -> int:
    """The most search.list calls a search can make in one Pacific day."""
    return math.ceil(DAY / every) * pages


def search_stretch(planned_calls: int, budget_calls: int) -> float:
    """How much to lengthen every search's interval so that they fit the day's search bucket
    (1.0 when they fit; the bucket may shrink after they were admitted, e.g. a key removed)."""
    if budget_calls <= 0:
        return math.inf
    return max(1.0, planned_calls / budget_calls)
