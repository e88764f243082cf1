"""The hunter's pure decisions: poll intervals, gaps, backfills, grids, the search bucket."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from ghosttrack.hunter import policy
from ghosttrack.hunter.policy import FEED_SIZE, PollPolicy

NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
POLICY = PollPolicy(shortest=timedelta(minutes=10), longest=HOUR, per_upload=10)


def every(
    gap: timedelta, n: int = FEED_SIZE, *, since_last: timedelta = timedelta(0)
) -> list[datetime]:
    """``n`` uploads ``gap`` apart, the newest ``since_last`` ago."""
    return [NOW - since_last - i * gap for i in range(n)]


def test_a_busy_channel_is_polled_more_often_than_a_quiet_one() -> None:
    busy = policy.poll_interval(every(timedelta(hours=5)), NOW, POLICY)
    daily = policy.poll_interval(every(timedelta(days=1)), NOW, POLICY)

    assert busy == timedelta(hours=5) * 14 / 15 / 10  # the span of 15 uploads, over 15, / 10
    assert daily == HOUR  # 2.2 h, bounded by the longest interval


def test_intervals_stay_within_the_bounds() -> None:
    assert policy.poll_interval(every(timedelta(minutes=1)), NOW, POLICY) == timedelta(minutes=10)
    assert policy.poll_interval([], NOW, POLICY) == HOUR
    assert policy.poll_interval([NOW + HOUR], NOW, POLICY) == timedelta(minutes=10)  # clock skew


def test_a_channel_that_falls_silent_drifts_to_the_longest_interval() -> None:
    def after(silence: timedelta) -> timedelta:
        return policy.poll_interval(every(timedelta(hours=2), since_last=silence), NOW, POLICY)

    assert after(timedelta(0)) < timedelta(minutes=20)
    assert after(timedelta(0)) < after(timedelta(days=1)) < after(timedelta(days=3)) < HOUR
    assert after(timedelta(days=7)) == HOUR


def test_only_the_newest_fifteen_uploads_count() -> None:
    old_and_new = [*every(timedelta(hours=5)), NOW - timedelta(days=400)]

    assert policy.poll_interval(old_and_new, NOW, POLICY) == policy.poll_interval(
        every(timedelta(hours=5)), NOW, POLICY
    )


def test_a_full_feed_newer_than_the_last_upload_seen_may_have_missed_some() -> None:
    feed = every(timedelta(hours=1))
    oldest = min(feed)

    assert policy.feed_may_have_missed(feed, oldest - timedelta(seconds=1))
    assert not policy.feed_may_have_missed(feed, oldest)  # the last one seen is still listed
    assert not policy.feed_may_have_missed(feed[:-1], oldest - HOUR)  # not full: all uploads
    assert not policy.feed_may_have_missed(feed, None)  # first sight is a backfill, not a gap


@pytest.mark.parametrize(
    ("entries", "backfill", "needed"),
    [
        (15, 50, True),
        (15, 15, False),  # the feed holds all that is wanted
        (15, 10, False),
        (9, 50, False),  # a feed that is not full lists every upload
        (0, 50, False),
        (None, 50, True),  # no feed: the playlist is all there is
        (15, 0, False),  # no backfill wanted
    ],
)
def test_a_backfill_reads_the_playlist_only_when_the_feed_cannot_cover_it(
    entries: int | None, backfill: int, needed: bool
) -> None:
    assert policy.backfill_needs_playlist(entries, backfill) is needed


def test_a_two_hundred_upload_backfill_is_four_pages() -> None:
    assert policy.pages_for(200) == 4
    assert policy.pages_for(50) == 1
    assert policy.pages_for(51) == 2


def test_after_a_full_backfill_every_unknown_upload_is_new() -> None:
    last = NOW - HOUR
    assert policy.is_new_enough(last - timedelta(days=9), last, FEED_SIZE)  # listed late
    assert policy.is_new_enough(last - timedelta(days=9), None, 0)  # before first sight


def test_after_a_small_backfill_only_uploads_after_the_newest_seen_are_new() -> None:
    last = NOW - HOUR
    assert policy.is_new_enough(NOW, last, 5)
    assert not policy.is_new_enough(last, last, 5)
    assert not policy.is_new_enough(last - timedelta(minutes=1), last, 0)


def test_channel_statistics_fall_on_a_shared_grid() -> None:
    day = timedelta(days=1)
    first = policy.next_grid_point(datetime(2026, 6, 10, 9, 30, tzinfo=UTC), day)
    second = policy.next_grid_point(datetime(2026, 6, 10, 23, 59, tzinfo=UTC), day)

    assert first == second == datetime(2026, 6, 11, tzinfo=UTC)
    assert policy.next_grid_point(first, day) == first + day  # strictly after


def test_search_calls_per_day_and_the_stretch_that_fits_the_bucket() -> None:
    assert policy.search_calls_per_day(timedelta(hours=6), 1) == 4
    assert policy.search_calls_per_day(timedelta(hours=7), 2) == 8  # ceil(24/7) runs of 2
    assert policy.search_stretch(50, 100) == 1.0
    assert policy.search_stretch(200, 100) == 2.0
    assert policy.search_stretch(1, 0) == math.inf
