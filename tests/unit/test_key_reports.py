"""``status``'s keys: each by fingerprint, its state and its use of every bucket today. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ghosttrack.operations import BucketUse, key_reports
from ghosttrack.quota import QuotaPolicy
from ghosttrack.watchlist.records import KeyRejection, QuotaUsage

NOW = datetime(2026, 7, 1, 12, tzinfo=UTC)
DAY = "2026-07-01"
POLICY = QuotaPolicy(buckets={"shared": 10_000, "batch_stats": 20_000, "search": 100})


def test_every_key_is_shown_with_its_state_and_each_bucket() -> None:
    usage = [
        QuotaUsage("key-a", "shared", DAY, 120, 10_000),
        QuotaUsage("key-b", "batch_stats", DAY, 20_000, 20_000, exhausted=True),
        QuotaUsage("key-x", "shared", DAY, 5, 10_000),  # another worker's key
    ]
    rejections = [
        KeyRejection("key-c", "keyInvalid", NOW, NOW + timedelta(hours=1)),
        KeyRejection("key-a", "keyExpired", NOW - timedelta(hours=2), NOW - timedelta(hours=1)),
    ]
    reports = key_reports(["key-a", "key-b", "key-c"], usage, rejections, POLICY, NOW)

    assert [(r.fingerprint, r.state, r.reason) for r in reports] == [
        ("key-a", "ok", None),  # its rest is over: it is tried again
        ("key-b", "resting", None),
        ("key-c", "rejected", "keyInvalid"),
        ("key-x", "ok", None),
    ]
    assert reports[0].buckets == {
        "shared": BucketUse(120, 10_000, False),
        "batch_stats": BucketUse(0, 20_000, False),
        "search": BucketUse(0, 100, False),
    }
    assert reports[1].buckets["batch_stats"] == BucketUse(20_000, 20_000, True)
    assert reports[2].retry_at == NOW + timedelta(hours=1)


def test_no_key_and_nothing_spent_is_an_empty_list() -> None:
    assert key_reports([], [], [], POLICY, NOW) == []
