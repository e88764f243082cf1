"""YouTube Data API quota: buckets, method costs and the Pacific day. Pure, no I/O.

Since June 2026 a key has three daily buckets: ``shared`` (10,000 units for ``videos.list``,
``channels.list``, ``playlistItems.list``…), ``batch_stats`` (10,000 units for
``videos.batchGetStats`` only) and ``search`` (100 calls of ``search.list``). All reset at
midnight America/Los_Angeles. Sizes and costs come from settings: quota extensions exist and
the table changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")

SHARED = "shared"
BATCH_STATS = "batch_stats"
SEARCH = "search"


@dataclass(frozen=True, slots=True)
class MethodCost:
    """What one call of an API method costs, and from which bucket."""

    bucket: str
    units: int


DEFAULT_COSTS: Mapping[str, MethodCost] = {
    "videos.list": MethodCost(SHARED, 1),
    "channels.list": MethodCost(SHARED, 1),
    "playlistItems.list": MethodCost(SHARED, 1),
    "videos.batchGetStats": MethodCost(BATCH_STATS, 1),
    "search.list": MethodCost(SEARCH, 1),
}

DEFAULT_BUCKETS: Mapping[str, int] = {SHARED: 10_000, BATCH_STATS: 10_000, SEARCH: 100}


@dataclass(frozen=True)
class QuotaPolicy:
    """Bucket sizes per key per Pacific day, what each method costs, and the units of each
    bucket that tracking leaves to discovery (``reserves``)."""

    buckets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_BUCKETS))
    costs: Mapping[str, MethodCost] = field(default_factory=lambda: dict(DEFAULT_COSTS))
    reserves: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for method, cost in self.costs.items():
            if cost.bucket not in self.buckets:
                raise ValueError(f"method {method!r} draws on unknown bucket {cost.bucket!r}")
            if cost.units < 0:
                raise ValueError(f"method {method!r} has a negative cost")
        for bucket, size in self.buckets.items():
            if size < 0:
                raise ValueError(f"bucket {bucket!r} has a negative size")
        for bucket, kept in self.reserves.items():
            if not 0 <= kept <= self.buckets.get(bucket, -1):
                raise ValueError(f"the reserve of bucket {bucket!r} must be within its size")

    def cost_of(self, method: str) -> MethodCost:
        try:
            return self.costs[method]
        except KeyError:
            raise ValueError(f"no quota cost is configured for API method {method!r}") from None

    def limit_of(self, bucket: str) -> int:
        return self.buckets[bucket]

    def kept_from_tracking(self, bucket: str) -> int:
        """Units of ``bucket`` that tracking may not spend: discovery's reserve."""
        return self.reserves.get(bucket, 0)


def next_block(previous: int, units: int, most: int) -> int:
    """The size of the next block of units a worker reserves: twice the last (at least one
    call's worth), at most ``most`` (unless one call costs more). Blocks grow while a worker
    spends fast, so a pass asks the ledger a few dozen times, not once a call; the bound keeps
    what a crashed worker takes with it small (its last block)."""
    return max(units, min(most, 2 * previous))


def pacific_day(moment: datetime) -> date:
    """The quota day a moment belongs to (quota resets at midnight in Los Angeles)."""
    return moment.astimezone(PACIFIC).date()


def day_start(moment: datetime) -> datetime:
    """The Pacific midnight that began the quota day of ``moment`` (UTC)."""
    return datetime.combine(pacific_day(moment), time(0), tzinfo=PACIFIC).astimezone(UTC)


def next_reset(moment: datetime) -> datetime:
    """The next Pacific midnight after ``moment``, in UTC (DST-aware)."""
    tomorrow = pacific_day(moment) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC).astimezone(UTC)


def key_fingerprint(key: str) -> str:
    """A stable, non-reversible name for an API key: what the ledger and logs show."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:12]
