"""Alert conditions and episodes: pure functions, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

from ghosttrack.alerts.episodes import Condition, Thresholds, conditions, step
from ghosttrack.watchlist.records import Job, JobKind, JobStatus, QuotaUsage, WatchlistCounts

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
LIMITS = Thresholds(backlog=100, on_schedule=0.95)


def counts(due: int = 0, backlog: int = 0) -> WatchlistCounts:
    return WatchlistCounts(1000, {"DAILY": 1000}, {"active": 1000}, due, backlog)


def failed(job_id: int) -> Job:
    return Job(job_id, JobKind.TRACK, JobStatus.FAILED, NOW, NOW, "w", {}, "KeyRejectedError")


def wrong(**kwargs: object) -> list[str]:
    base: dict[str, object] = {
        "counts": counts(),
        "on_schedule": 1.0,
        "usage": [],
        "failed_jobs": [],
        "thresholds": LIMITS,
        "now": NOW,
    }
    return [c.key for c in conditions(**{**base, **kwargs})]  # type: ignore[arg-type]


def test_nothing_wrong_is_no_condition() -> None:
    assert wrong() == []


def test_each_condition_and_its_threshold() -> None:
    assert wrong(failed_jobs=[failed(7)]) == ["job-failed:7"]
    assert wrong(counts=counts(backlog=100)) == []
    assert wrong(counts=counts(backlog=101)) == ["backlog"]
    assert wrong(on_schedule=0.95) == []
    assert wrong(on_schedule=0.949) == ["on-schedule"]
    assert wrong(on_schedule=None) == []  # no active video: no share to judge


def test_an_empty_bucket_matters_only_while_videos_wait() -> None:
    spent = [QuotaUsage("key-a", "shared", "2026-06-01", 10_000, 10_000)]
    half = [QuotaUsage("key-a", "batch_stats", "2026-06-01", 5_000, 10_000)]
    assert wrong(usage=spent + half, counts=counts(due=0)) == []
    assert wrong(usage=spent + half, counts=counts(due=40)) == [
        "bucket-exhausted:key-a:shared:2026-06-01"
    ]


def test_an_episode_is_told_once_when_it_opens_and_once_when_it_ends() -> None:
    backlog = Condition("backlog", "backlog: 500")
    first = step(frozenset(), [backlog])
    assert first.opened == [backlog]
    assert first.closed == []
    again = step(first.active, [backlog])
    assert again.opened == []
    assert again.closed == []
    over = step(again.active, [])
    assert over.opened == []
    assert over.closed == ["backlog"]
    assert over.active == frozenset()
    assert step(over.active, [backlog]).opened == [backlog]  # a new episode


def test_episodes_are_independent() -> None:
    a, b = Condition("backlog", "a"), Condition("on-schedule", "b")
    changes = step(frozenset({"backlog"}), [a, b])
    assert changes.opened == [b]
    assert changes.active == frozenset({"backlog", "on-schedule"})
    assert step(changes.active, [b]).closed == ["backlog"]
