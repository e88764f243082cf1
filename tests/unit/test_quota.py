"""The Pacific quota day, its resets across daylight-saving changes, and the quota policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ghosttrack.quota import (
    BATCH_STATS,
    DEFAULT_BUCKETS,
    SEARCH,
    SHARED,
    MethodCost,
    QuotaPolicy,
    key_fingerprint,
    next_reset,
    pacific_day,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2026, 1, 15, 7, 59), date(2026, 1, 14)),  # 23:59 PST
        (utc(2026, 1, 15, 8, 0), date(2026, 1, 15)),  # midnight PST
        (utc(2026, 7, 15, 6, 59), date(2026, 7, 14)),  # 23:59 PDT
        (utc(2026, 7, 15, 7, 0), date(2026, 7, 15)),  # midnight PDT
    ],
)
def test_pacific_day_turns_at_los_angeles_midnight(moment: datetime, day: date) -> None:
    assert pacific_day(moment) == day


@pytest.mark.parametrize(
    ("moment", "reset"),
    [
        # Winter: midnight PST is 08:00 UTC.
        (utc(2026, 1, 15, 12, 0), utc(2026, 1, 16, 8, 0)),
        # A reset instant belongs to the new day: the next reset is a day later.
        (utc(2026, 1, 15, 8, 0), utc(2026, 1, 16, 8, 0)),
        (utc(2026, 1, 15, 7, 59, 59), utc(2026, 1, 15, 8, 0)),
        # 2026-03-08 springs forward: that Pacific day has 23 hours.
        (utc(2026, 3, 7, 20, 0), utc(2026, 3, 8, 8, 0)),
        (utc(2026, 3, 8, 8, 0), utc(2026, 3, 9, 7, 0)),
        (utc(2026, 3, 8, 12, 0), utc(2026, 3, 9, 7, 0)),  # after the 02:00 jump
        # 2026-11-01 falls back: that Pacific day has 25 hours.
        (utc(2026, 10, 31, 20, 0), utc(2026, 11, 1, 7, 0)),
        (utc(2026, 11, 1, 7, 0), utc(2026, 11, 2, 8, 0)),
        (utc(2026, 11, 1, 9, 30), utc(2026, 11, 2, 8, 0)),  # 01:30 PST, the second one
        (utc(2026, 11, 1, 8, 30), utc(2026, 11, 2, 8, 0)),  # 01:30 PDT, the first one
    ],
)
def test_next_reset_is_the_next_pacific_midnight_in_utc(moment: datetime, reset: datetime) -> None:
    assert next_reset(moment) == reset
    assert next_reset(moment).utcoffset() == timedelta(0)
    assert next_reset(moment) > moment


def test_quota_days_last_23_24_and_25_hours() -> None:
    def length(day_start: datetime) -> timedelta:
        return next_reset(day_start) - day_start

    assert length(utc(2026, 3, 8, 8, 0)) == timedelta(hours=23)
    assert length(utc(2026, 3, 9, 7, 0)) == timedelta(hours=24)
    assert length(utc(2026, 11, 1, 7, 0)) == timedelta(hours=25)


def test_a_non_utc_moment_gives_the_same_answer() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))  # 08:00 UTC
    assert pacific_day(paris) == date(2026, 1, 15)
    assert next_reset(paris) == utc(2026, 1, 16, 8, 0)


def test_default_policy_has_three_buckets_and_known_costs() -> None:
    policy = QuotaPolicy()
    assert policy.limit_of(SHARED) == 10_000
    assert policy.limit_of(BATCH_STATS) == 10_000
    assert policy.limit_of(SEARCH) == 100
    assert policy.cost_of("videos.list") == MethodCost(SHARED, 1)
    assert policy.cost_of("videos.batchGetStats") == MethodCost(BATCH_STATS, 1)
    assert policy.cost_of("search.list") == MethodCost(SEARCH, 1)


def test_policies_do_not_share_their_tables() -> None:
    first, second = QuotaPolicy(), QuotaPolicy()
    assert first.buckets is not second.buckets
    assert first.buckets is not DEFAULT_BUCKETS


def test_an_unconfigured_method_is_named() -> None:
    with pytest.raises(ValueError, match=r"'comments\.list'"):
        QuotaPolicy().cost_of("comments.list")


@pytest.mark.parametrize(
    ("buckets", "costs", "complaint"),
    [
        ({SHARED: 10}, {"videos.list": MethodCost("nope", 1)}, "unknown bucket 'nope'"),
        ({SHARED: 10}, {"videos.list": MethodCost(SHARED, -1)}, "negative cost"),
        ({SHARED: -1}, {}, "bucket 'shared' has a negative size"),
    ],
)
def test_invalid_policies_are_refused(
    buckets: dict[str, int], costs: dict[str, MethodCost], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        QuotaPolicy(buckets=buckets, costs=costs)


def test_zero_sized_buckets_and_free_methods_are_allowed() -> None:
    policy = QuotaPolicy(buckets={SHARED: 0}, costs={"videos.list": MethodCost(SHARED, 0)})
    assert policy.limit_of(SHARED) == 0
    assert policy.cost_of("videos.list").units == 0


def test_key_fingerprints_are_stable_distinct_and_reveal_nothing() -> None:
    key = "AIzaSyD-example-secret-key-123456789"
    fingerprint = key_fingerprint(key)
    assert fingerprint == key_fingerprint(key)
    assert fingerprint != key_fingerprint(key + "x")
    assert fingerprint.startswith("key-")
    assert len(fingerprint) == 16
    assert "AIza" not in fingerprint
